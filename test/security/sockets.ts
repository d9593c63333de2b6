/** Raw sockets and requests from a chosen loopback source address (127.0.0.x), for the listener tests. */
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';

/** A connected socket from `from` (resolves once the kernel accepted it; the server may still close it). */
export function open(port: number, from = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', localAddress: from }, () => resolve(s));
    s.on('error', reject);
  });
}

/** Whether the server closes `s` within `ms` (what it sends, a 408 say, is read and dropped). */
export const closedWithin = (s: Socket, ms: number): Promise<boolean> =>
  new Promise((resolve) => {
    if (s.destroyed) return resolve(true);
    const t = setTimeout(() => resolve(false), ms);
    s.resume(); // read what the server sends, or its close is never seen
    s.on('error', () => undefined);
    s.once('close', () => {
      clearTimeout(t);
      resolve(true);
    });
  });

export interface Exchange {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body as JSON, when it is. */
  json: Record<string, unknown> | undefined;
}

export interface ExchangeOptions {
  from: string;
  method: 'GET' | 'POST';
  path: string;
  body?: string | Buffer;
  headers?: Record<string, string | number>;
}

/** One request on its own connection from `from`; rejects when the connection fails or closes without an answer. */
export function exchange(port: number, o: ExchangeOptions): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {
      ...(o.body !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(o.body) } : {}),
      ...o.headers,
    };
    const req = request({ host: '127.0.0.1', port, path: o.path, method: o.method, headers, localAddress: o.from, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> | undefined;
        try {
          const v: unknown = JSON.parse(text);
          json = v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(o.body);
  });
}
