/**
 * Issue 14 part 3: the shared device-facing HTTP listener (face-push and face-OpenAPI servers)
 * closes slow-header sockets and caps connections.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpListener } from '../../protocols/common/http-listener.js';
import { waitFor } from '../helpers/runtime.js';

let listener: HttpListener | undefined;
afterEach(async () => {
  await listener?.close();
});

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
}

const closedWithin = (s: Socket, ms: number): Promise<boolean> =>
  new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    s.resume(); // read what the server sends (a 408), or its close is never seen
    s.once('close', () => {
      clearTimeout(t);
      resolve(true);
    });
  });

describe('device-facing HTTP listener limits', () => {
  it('closes a connection that never finishes its headers', async () => {
    listener = new HttpListener((_req, res) => res.end('ok'), { host: '127.0.0.1', port: 0, headersTimeoutMs: 400 });
    const { port } = await listener.listen();
    const s = await open(port);
    s.write('POST /face/record HTTP/1.1\r\nHost: box\r\nX-Slow: ');
    expect(await closedWithin(s, 3000)).toBe(true);
  });

  it('accepts at most maxConnections at once and serves again when they go', async () => {
    listener = new HttpListener((_req, res) => res.end('ok'), { host: '127.0.0.1', port: 0, maxConnections: 5 });
    const { port } = await listener.listen();
    const held = await Promise.all(Array.from({ length: 5 }, () => open(port)));
    const extra = await open(port);
    expect(await closedWithin(extra, 2000)).toBe(true);
    for (const s of held) s.destroy();
    // Served again as soon as the server has seen the held sockets close.
    expect(await waitFor(() => fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(500) }).then((r) => r.text()).catch(() => undefined), 5000)).toBe('ok');
  });
});
