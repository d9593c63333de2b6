/**
 * HTTP client side of the protocol: one POST per request on its own socket. No agent and no
 * keep-alive: `Connection: close` on every request (seed 001 L34927). A client may bind a local
 * address, which is how many simulated doors on 127.0.0.x each keep their own source IP.
 */
import { request } from 'node:http';
import { DoorReplyError, type DoorReply } from '../errors.js';
import { isObj } from '../validate.js';

export interface PostOptions {
  timeoutMs: number;
  localAddress?: string;
  maxResponseBytes?: number;
}

export class DoorTransportError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DoorTransportError';
  }
}

/** POST a body and resolve with the peer's `{code, message, data}` reply (any code). */
export function post(url: string, body: Buffer, contentType: string, opts: PostOptions): Promise<DoorReply> {
  const limit = opts.maxResponseBytes ?? 8 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (err: Error | undefined, value?: DoorReply): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(value!);
    };
    const req = request(url, {
      method: 'POST',
      agent: false,
      ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
      headers: { 'Content-Type': contentType, 'Content-Length': body.length, Connection: 'close' },
    });
    const timer = setTimeout(() => {
      req.destroy();
      done(new DoorTransportError(`POST ${url} timed out after ${opts.timeoutMs} ms`));
    }, opts.timeoutMs);
    req.on('error', (err) => done(new DoorTransportError(`POST ${url} failed: ${err.message}`, { cause: err })));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > limit) {
          res.destroy();
          done(new DoorTransportError(`response from ${url} larger than ${limit} bytes`));
        } else chunks.push(c);
      });
      res.on('error', (err) => done(new DoorTransportError(err.message, { cause: err })));
      res.on('end', () => {
        try {
          const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          if (!isObj(parsed) || typeof parsed.code !== 'number') throw new Error('reply without a numeric code');
          done(undefined, parsed as DoorReply);
        } catch (err) {
          done(new DoorTransportError(`bad reply from ${url} (HTTP ${res.statusCode}): ${(err as Error).message}`));
        }
      });
    });
    req.end(body);
  });
}

export function postJson(url: string, body: object, opts: PostOptions): Promise<DoorReply> {
  return post(url, Buffer.from(JSON.stringify(body)), 'application/json; charset=utf-8', opts);
}

/** Resolve with `data` when code is 0; reject with DoorReplyError otherwise. */
export function expectSuccess<T>(path: string, reply: DoorReply): T {
  if (reply.code !== 0) throw new DoorReplyError(path, reply.code, String(reply.message ?? ''));
  return reply.data as T;
}
