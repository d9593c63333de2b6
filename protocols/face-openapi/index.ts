/** Face-terminal OpenAPI protocol (seed 004): the device serves an API, the platform is its client and receives its pushes. */
export * from './errors.js';
export * from './sign.js';
export * from './objects.js';
export * from './client.js';
export * from './record-link.js';
export * from './platform.js';
