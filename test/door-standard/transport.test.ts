import { createServer, type Server } from 'node:net';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DoorDeviceClient, DoorHttpServer, buildMultipart, post } from '../../protocols/door-standard/index.js';
import { solidPng } from '../../scripts/sim/door-standard/png.js';
import { qrEntry, useHarness } from './harness.js';

/** Send raw bytes to the box and collect everything until the server closes the socket. */
function raw(port: number, text: string | Buffer, opts: { end?: boolean } = {}): Promise<{ data: string; closedMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const s: Socket = connect(port, '127.0.0.1');
    let data = '';
    s.on('data', (d) => (data += d.toString('latin1')));
    s.on('close', () => resolve({ data, closedMs: Date.now() - started }));
    s.on('error', reject);
    s.write(text);
    if (opts.end) s.end();
  });
}

const hx = useHarness();

describe('door-standard transport', () => {
  it('answers with Connection: close and never Keep-Alive, then closes the socket', async () => {
    const port = hx().driver.server.address.port;
    const body = '{"token":"x"}';
    const { data } = await raw(
      port,
      `POST /keepalive HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    const head = data.split('\r\n\r\n')[0]!.toLowerCase();
    expect(head).toContain('connection: close');
    expect(head).not.toMatch(/keep-alive/);
    expect(data.split('\r\n\r\n')[1]).toBe('{"code":4,"message":"device is offline"}');
  });

  it('sends Connection: close and no Keep-Alive on every request it makes, with a fresh socket each time', async () => {
    const seen: string[] = [];
    const sockets = new Set<Socket>();
    const server: Server = createServer((s) => {
      sockets.add(s);
      let buf = '';
      s.on('data', (d) => {
        buf += d.toString('latin1');
        if (!buf.includes('\r\n\r\n')) return;
        seen.push(buf.split('\r\n\r\n')[0]!.toLowerCase());
        const reply = '{"code":0,"message":"success","data":{"token":"t"}}';
        s.end(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${reply.length}\r\nConnection: close\r\n\r\n${reply}`);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const c = new DoorDeviceClient({ baseUrl: `http://127.0.0.1:${port}` });
    await c.connect({
      sn: 'BOX-1',
      time: 1,
      ip: '127.0.0.1',
      mac: '02-00-00-00-00-01',
      keepalive: 30,
      signMethod: 'md5',
      sign: '0'.repeat(32),
    });
    await c.keepalive();
    await c.remoteOpen();
    const { body, contentType } = buildMultipart(
      { token: 't' },
      { photo: { filename: 'p.png', contentType: 'image/png', data: solidPng() } },
    );
    await post(`http://127.0.0.1:${port}/recognize`, body, contentType, { timeoutMs: 2000 });
    expect(seen).toHaveLength(4);
    for (const h of seen) {
      expect(h).toContain('connection: close');
      expect(h).not.toMatch(/keep-alive/);
    }
    expect(sockets.size).toBe(4);
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('survives hostile input with the protocol code or a closed connection, and other doors keep working', async () => {
    const door = await hx().addDoor('DOOR-0200', '127.0.0.200');
    await door.connect();
    const port = hx().driver.server.address.port;
    const req = (path: string, body: string, extra = '') =>
      `POST ${path} HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

    expect((await raw(port, req('/qrcode', '{"token":'))).data).toContain('"code":5'); // malformed JSON
    expect((await raw(port, req('/qrcode', '[1,2]'))).data).toContain('"code":5');
    expect((await raw(port, req('/nope', '{}'))).data).toMatch(/^HTTP\/1\.1 404[\s\S]*"code":99/);
    expect((await raw(port, 'GET /connect HTTP/1.1\r\nHost: a\r\n\r\n')).data).toMatch(/^HTTP\/1\.1 405/);
    expect((await raw(port, 'BLAH\r\n\r\n')).data).toMatch(/^HTTP\/1\.1 400/);
    // oversized: refused from Content-Length before reading, connection closed
    const big = await raw(
      port,
      `POST /qrcode HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: ${10 * 1024 * 1024}\r\n\r\n{`,
    );
    expect(big.data).toMatch(/^HTTP\/1\.1 413/);
    // multipart: wrong content type, broken body, photo too small
    const token = door.edge.token!;
    expect((await raw(port, req('/recognize', `{"token":"${token}"}`))).data).toContain('"code":5');
    const { body, contentType } = buildMultipart(
      { token },
      { photo: { filename: 'p.png', contentType: 'image/png', data: solidPng(60, 60) } },
    );
    const small = await post(`${hx().edgeUrl}/recognize`, body, contentType, { timeoutMs: 3000 });
    expect(small).toMatchObject({ code: 5, message: expect.stringMatching(/120x120/) });
    const broken = await post(`${hx().edgeUrl}/faceAC/passEvent`, body.subarray(0, 100), contentType, { timeoutMs: 3000 });
    expect(broken.code).toBe(5);

    // the connected door is unaffected
    hx().permit('PEDoorQr/DOOR-0200.2', { qrCodePermissionList: [qrEntry('Q'.repeat(32), 'u-ok')] });
    expect((await door.scanQr('Q'.repeat(32))).code).toBe(0);
    // Only the good scan was recorded: hostile requests never reached the access core.
    expect(
      hx()
        .records()
        .map((r) => [r.kind, r.code]),
    ).toEqual([['qrCode', 0]]);
  });

  it('closes slow-loris connections that never finish their headers', async () => {
    const s = new DoorHttpServer(
      { '/keepalive': () => ({ code: 0, message: 'success' }) },
      { host: '127.0.0.1', port: 0, headersTimeoutMs: 400, requestTimeoutMs: 800 },
    );
    const addr = await s.listen();
    const started = Date.now();
    const r = await raw(addr.port, 'POST /keepalive HTTP/1.1\r\nHost: a\r\n'); // never finishes
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.data).toMatch(/^HTTP\/1\.1 408/);
    await s.close();
  });
});
