/** Hostile requests over real sockets: each is refused in the service's shape, leaves nothing on disk, and the service goes on. */
import { readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { BOUNDARY, FORM_TYPE, form, http, pattern, startFiles, upload, type TestFiles } from './helpers.js';

let t: TestFiles;
const tmp = (): string[] => readdirSync(join(t.dir, 'files', '.tmp'));

beforeAll(async () => {
  t = await startFiles({ maxFileMb: 1 });
});

afterAll(async () => {
  await t.close();
});

/** Raw bytes to the service; resolves with what came back when the server closed or `ms` of quiet. */
function raw(bytes: string | Buffer, opts: { end?: boolean } = {}): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(t.service.port, '127.0.0.1');
    let out = '';
    s.on('data', (c: Buffer) => {
      out += c.toString('latin1');
      if (/\r\n\r\n/.test(out) && /Content-Length: (\d+)/i.test(out)) {
        const len = Number(/Content-Length: (\d+)/i.exec(out)?.[1]);
        if (out.length - out.indexOf('\r\n\r\n') - 4 >= len) s.destroy();
      }
    });
    s.on('error', () => undefined);
    s.on('close', () => resolve(out));
    s.write(bytes);
    if (opts.end) s.end();
  });
}

async function post(body: Buffer, contentType = FORM_TYPE): Promise<{ status: number; json: Record<string, unknown> }> {
  const a = await http(`${t.base}/home/paas/file/add`, { method: 'POST', headers: { 'Content-Type': contentType }, body });
  return { status: a.status, json: a.json() };
}

describe('hostile uploads', () => {
  it('refuses a form without a boundary, garbage, an unterminated part, two files, a huge part header: 460', async () => {
    expect((await post(form({ filePath: 'a.jpg' }), 'multipart/form-data')).json).toMatchObject({ code: 460 });
    expect((await post(pattern(5000))).json).toMatchObject({ code: 460, message: expect.stringContaining('malformed form-data') });
    const unterminated = Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\n${'x'.repeat(10_000)}`,
    );
    expect((await post(unterminated)).json).toMatchObject({ code: 460, message: expect.stringContaining('closing boundary') });
    const two = Buffer.concat([
      form({}, { bytes: Buffer.from('1') }).subarray(0, -(BOUNDARY.length + 6)),
      form({ filePath: 'two.jpg' }, { bytes: Buffer.from('2') }),
    ]);
    expect((await post(two)).json).toMatchObject({ code: 460, message: 'more than one file part' });
    const hugeHeader = Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"\r\nX-Pad: ${'p'.repeat(10_000)}\r\n\r\nx\r\n--${BOUNDARY}--\r\n`,
    );
    expect((await post(hugeHeader)).json).toMatchObject({ code: 460, message: expect.stringContaining('headers are longer') });
    const longField = form({ filePath: 'x'.repeat(5000) }, { bytes: Buffer.from('x') });
    expect((await post(longField)).json).toMatchObject({ code: 460 });
    await waitFor(() => tmp().length === 0, { what: 'temporary files removed' });
    expect(t.service.store.index.usage().files).toBe(0);
  });

  it('answers a too-large Content-Length with 413 before the body is sent, and closes', async () => {
    const out = await raw(
      `POST /home/paas/file/add HTTP/1.1\r\nHost: x\r\nContent-Type: ${FORM_TYPE}\r\nContent-Length: ${100 * 1024 * 1024}\r\n\r\n`,
    );
    expect(out).toMatch(/^HTTP\/1\.1 413/);
    expect(out).toContain('"code":413');
    expect(out).toMatch(/Connection: close/i);
  });

  it('refuses HTTP headers over 8 KiB with 431 (the shared listener)', async () => {
    const out = await raw(`GET /oss/a.jpg HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`);
    expect(out).toMatch(/^HTTP\/1\.1 431/);
  });

  it('drops an upload whose client goes away mid-file: nothing stored, nothing left in .tmp', async () => {
    const body = form({ filePath: 'gone.jpg' }, { bytes: pattern(600_000) });
    const s = connect(t.service.port, '127.0.0.1');
    s.on('error', () => undefined);
    s.write(`POST /home/paas/file/add HTTP/1.1\r\nHost: x\r\nContent-Type: ${FORM_TYPE}\r\nContent-Length: ${body.length}\r\n\r\n`);
    s.write(body.subarray(0, 300_000));
    await waitFor(() => tmp().length === 1, { what: 'the upload under way' });
    s.destroy();
    await waitFor(() => tmp().length === 0, { what: 'the partial upload removed' });
    expect(t.service.store.index.has('gone.jpg')).toBe(false);
    expect((await upload(t.base, { filePath: 'after.jpg' }, Buffer.from('ok'))).json().code).toBe(200);
  });

  it('holds one address to its request rate with a 429 in the service shape', async () => {
    const limited = await startFiles({ limits: { ...t.service.config.limits, perSourceRequestsPerS: 1, perSourceBurst: 2 } });
    try {
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await http(`${limited.base}/oss/none.jpg`));
      const refused = answers.filter((a) => a.status === 429);
      expect(refused.length).toBeGreaterThanOrEqual(2);
      expect(refused[0]?.json()).toMatchObject({
        code: 429,
        message: 'too many requests.',
        localizedMsg: expect.stringContaining('太多请求'),
      });
      expect(refused[0]?.headers['retry-after']).toBeDefined();
    } finally {
      await limited.close();
    }
  });
});
