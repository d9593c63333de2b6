/**
 * Issue 14 part 3: the shared device-facing HTTP listener (door standard, face push, face
 * OpenAPI) closes slow-header sockets, caps connections in all and per source address, limits
 * each address's request rate with an answer in the protocol's shape, and caps bodies; its
 * per-address table stays bounded. The same limits are probed on the running daemon's listeners
 * in device-listeners.test.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { BodyTooLargeError, readBody } from '../../protocols/common/body.js';
import { HttpListener } from '../../protocols/common/http-listener.js';
import { SourceLimits } from '../../protocols/common/source-limits.js';
import { waitFor } from '../helpers/runtime.js';
import { closedWithin, exchange, open } from './sockets.js';

let listener: HttpListener | undefined;
afterEach(async () => {
  await listener?.close();
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
    expect(
      await waitFor(
        () =>
          fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(500) })
            .then((r) => r.text())
            .catch(() => undefined),
        5000,
      ),
    ).toBe('ok');
  });

  it("refuses a flooding address in the protocol's shape while another address is served", async () => {
    listener = new HttpListener((_req, res) => res.end('ok'), {
      host: '127.0.0.1',
      port: 0,
      perSourceRequestsPerS: 2,
      perSourceBurst: 5,
      refusal: (r) => ({ contentType: 'application/json', body: JSON.stringify({ code: 99, message: r.reason }) }),
    });
    const { port } = await listener.listen();
    const get = (from: string) => exchange(port, { from, method: 'GET', path: '/' });
    const flood = await Promise.all(Array.from({ length: 12 }, () => get('127.0.0.3')));
    expect(flood.filter((r) => r.text === 'ok')).toHaveLength(5);
    const refused = flood.filter((r) => r.status === 429);
    expect(refused).toHaveLength(7);
    expect(refused[0]!.json).toEqual({ code: 99, message: 'too many requests' });
    expect(Number(refused[0]!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused[0]!.headers.connection).toBe('close');
    // Another address still gets its whole burst.
    const other = await Promise.all(Array.from({ length: 5 }, () => get('127.0.0.4')));
    expect(other.map((r) => r.text)).toEqual(Array(5).fill('ok'));
    expect(listener.stats.rateLimited).toBe(7);
    // The flooding address is served again once its bucket refilled (2/s).
    expect(await waitFor(() => get('127.0.0.3').then((r) => r.status === 200), 3000, 100)).toBe(true);
  });

  it("closes connections beyond an address's share at accept; other addresses still connect", async () => {
    listener = new HttpListener((_req, res) => res.end('ok'), { host: '127.0.0.1', port: 0, perSourceConnections: 3 });
    const { port } = await listener.listen();
    const held = await Promise.all(Array.from({ length: 3 }, () => open(port, '127.0.0.5')));
    const extra = await open(port, '127.0.0.5');
    expect(await closedWithin(extra, 2000)).toBe(true);
    expect((await exchange(port, { from: '127.0.0.6', method: 'GET', path: '/' })).text).toBe('ok');
    for (const s of held) s.destroy();
    // The address gets its share back once the server has seen its sockets close.
    expect(
      await waitFor(
        () =>
          exchange(port, { from: '127.0.0.5', method: 'GET', path: '/' })
            .then((r) => r.text)
            .catch(() => undefined),
        5000,
      ),
    ).toBe('ok');
  });

  it('reads bodies up to the cap and refuses larger ones, declared or streamed, without buffering them', async () => {
    const seen: number[] = [];
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      readBody(req, 1024).then(
        (b) => {
          seen.push(b.length);
          res.end(`read ${b.length}`);
        },
        (err: Error) => {
          res.writeHead(err instanceof BodyTooLargeError ? 413 : 400, { Connection: 'close' }).end('refused');
        },
      );
    };
    listener = new HttpListener(handler, { host: '127.0.0.1', port: 0 });
    const { port } = await listener.listen();
    expect((await exchange(port, { from: '127.0.0.7', method: 'POST', path: '/', body: 'x'.repeat(1024) })).text).toBe('read 1024');
    // Declared too large: refused before a byte of it is read.
    const declared = await open(port, '127.0.0.7');
    declared.write(`POST / HTTP/1.1\r\nHost: box\r\nContent-Length: ${64 * 1024 * 1024}\r\n\r\n`);
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      declared.on('data', (d: Buffer) => (text += d.toString('latin1')));
      declared.on('close', () => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413/);
    // Chunked (no length): refused as soon as it passes the cap; the rest is never read.
    const chunked = await open(port, '127.0.0.7');
    chunked.write('POST / HTTP/1.1\r\nHost: box\r\nTransfer-Encoding: chunked\r\n\r\n');
    const chunk = 'y'.repeat(512);
    for (let i = 0; i < 4; i++) chunked.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    expect(await closedWithin(chunked, 3000)).toBe(true);
    expect(seen).toEqual([1024]);
  });
});

describe('per-source limits', () => {
  it('a token bucket per address: the burst at once, then the sustained rate', () => {
    let now = 0;
    const limits = new SourceLimits({ connections: 1, requestsPerS: 10, burst: 3, trackedSources: 100 }, () => now);
    const take = () => limits.take('10.0.0.1');
    expect([take(), take(), take()].every((a) => a.ok)).toBe(true);
    const refused = take();
    expect(refused).toEqual({ ok: false, retryAfterMs: 100, first: true });
    expect(take()).toMatchObject({ ok: false, first: false }); // logged once per flood
    now += 100; // one token back at 10/s
    expect(take().ok).toBe(true);
    expect(take().ok).toBe(false);
    now += 10_000; // never more than the burst, however long the quiet
    expect([take(), take(), take(), take()].map((a) => a.ok)).toEqual([true, true, true, false]);
  });

  it('remembers at most trackedSources addresses, forgetting the least recently seen', () => {
    const limits = new SourceLimits({ connections: 1, requestsPerS: 1, burst: 1, trackedSources: 16 }, () => 0);
    for (let i = 0; i < 10_000; i++) limits.take(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
    expect(limits.size.tracked).toBe(16);
    // The most recent address is still held to its (empty) bucket.
    expect(limits.take('10.0.39.15').ok).toBe(false);
  });

  it('counts connections per address and forgets an address when its last one closes', () => {
    const limits = new SourceLimits({ connections: 2, requestsPerS: 1, burst: 1, trackedSources: 16 });
    expect([limits.opened('a'), limits.opened('a'), limits.opened('a'), limits.opened('b')]).toEqual([true, true, false, true]);
    limits.closed('a');
    expect(limits.opened('a')).toBe(true);
    limits.closed('a');
    limits.closed('a');
    limits.closed('b');
    expect(limits.size.connected).toBe(0);
  });
});
