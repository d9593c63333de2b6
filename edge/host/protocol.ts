// The host ↔ driver messages are part of the SDK now (edge/host/sdk/protocol.ts). This file only
// keeps host.ts compiling while it is being rewritten elsewhere; import the SDK module instead.
export type * from './sdk/protocol.js';
