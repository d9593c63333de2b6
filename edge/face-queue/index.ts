/** Durable per-device command queue for polling face terminals (seed 003), host side. */
export * from './queue-store.js';
export * from './host-services.js';
