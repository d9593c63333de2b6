/** Face-terminal push/poll HTTP protocol (seed 003): the terminal calls the platform. */
export * from './codes.js';
export * from './messages.js';
export * from './sign.js';
export * from './server.js';
export * from './client.js';
