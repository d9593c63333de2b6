/** SIA DC-09 (ANSI/SIA DC-09-2013): frames, CRC, encryption, Contact ID and SIA DCS events, the receiver side. */
export * from './crc.js';
export * from './crypto.js';
export * from './events.js';
export * from './frame.js';
export * from './handle.js';
export * from './limits.js';
export * from './message.js';
export * from './receiver.js';
export * from './timestamp.js';
