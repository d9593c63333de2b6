/** The edge security event API (智能安防服务-边缘事件管理API, seed 001 L41486-43966): wire, checks, both sides. */
export * from './alarm-event.js';
export * from './client.js';
export * from './codes.js';
export * from './fields.js';
export * from './messages.js';
export * from './relay-checks.js';
export * from './server.js';
export * from './sessions.js';
export * from './sign.js';
