/**
 * Byte and rate limits of the local bus. aedes's MQTT parser buffers a whole packet of whatever
 * size the client declares (up to 256 MB), so packets are framed here as they arrive and a
 * socket that declares more than allowed is closed before the parser holds it.
 */
import type { Socket } from 'node:net';

export interface BusLimits {
  /** Largest packet after the CONNECT. */
  maxPacketBytes: number;
  connectionsPerUser: number;
  messagesPerSecondPerUser: number;
}

/**
 * The largest CONNECT a client may send before it is authenticated: a few KB hold any client id,
 * user, password and will. Three 180 MB CONNECTs once took the daemon from 158 to 715 MB.
 */
export const MAX_CONNECT_BYTES = 8 * 1024;

/** Sockets still before their CONNECT, at most; each may hold MAX_CONNECT_BYTES. */
export const MAX_PENDING_SOCKETS = 256;

/**
 * Follows packet boundaries on a socket the broker reads ('data' is emitted on each read, before
 * the parser sees the chunk) and closes it when a packet declares more than its limit: the first
 * (CONNECT) `firstMax`, every later one `laterMax`.
 */
export function guardPacketSizes(socket: Socket, firstMax: number, laterMax: number, onTooLarge: (declared: number) => void): void {
  let first = true;
  let skip = 0; // body bytes of the current packet still to come
  let header: number[] = []; // fixed-header bytes of the next packet seen so far
  socket.on('data', (chunk: Buffer) => {
    let i = 0;
    while (i < chunk.length) {
      if (skip > 0) {
        const n = Math.min(skip, chunk.length - i);
        skip -= n;
        i += n;
        continue;
      }
      header.push(chunk[i++]!);
      if (header.length < 2 || (header[header.length - 1]! & 0x80) !== 0) {
        if (header.length > 5) return void socket.destroy(); // a remaining length has at most 4 bytes
        continue;
      }
      let length = 0;
      for (let k = 1; k < header.length; k++) length += (header[k]! & 0x7f) * 128 ** (k - 1);
      header = [];
      if (length > (first ? firstMax : laterMax)) {
        onTooLarge(length);
        return void socket.destroy();
      }
      first = false;
      skip = length;
    }
  });
}

/** Messages per second per user, in a bucket that holds one second's worth. */
export class UserRate {
  readonly #perSecond: number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(perSecond: number) {
    this.#perSecond = perSecond;
  }

  take(user: string, now = Date.now()): boolean {
    const b = this.#buckets.get(user) ?? { tokens: this.#perSecond, at: now };
    b.tokens = Math.min(this.#perSecond, b.tokens + ((now - b.at) * this.#perSecond) / 1000);
    b.at = now;
    this.#buckets.set(user, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
