/** The indoor alarm unit protocol (室内机, seed 001 L40647-41298): wire, checks, crypto, both sides. */
export * from './client.js';
export * from './codes.js';
export * from './crypto.js';
export * from './messages.js';
export * from './server.js';
export * from './sessions.js';
