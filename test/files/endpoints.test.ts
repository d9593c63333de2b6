/** The file service's three endpoints over real HTTP, with the seed's shapes [seed 001 L39740-39844]. */
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORM_TYPE, form, http, pattern, remove, startFiles, upload, type TestFiles } from './helpers.js';

let t: TestFiles;

beforeAll(async () => {
  t = await startFiles();
});

afterAll(async () => {
  await t.close();
});

describe('file service endpoints', () => {
  it('stores a file and answers with its download URL, which serves the same bytes', async () => {
    const bytes = pattern(10 * 1024 * 1024);
    const a = await upload(t.base, { filePath: 'aaa/bbb/ccc.jpg' }, bytes);
    expect(a.status).toBe(200);
    expect(a.json()).toEqual({ code: 200, message: 'success', data: `${t.base}/oss/aaa/bbb/ccc.jpg` });
    const got = await http(a.json().data as string);
    expect(got.status).toBe(200);
    expect(got.headers['content-type']).toBe('image/jpeg');
    expect(got.headers['content-length']).toBe(String(bytes.length));
    expect(got.headers.etag).toBe(`"${createHash('md5').update(bytes).digest('hex')}"`);
    expect(got.headers['x-content-type-options']).toBe('nosniff');
    expect(got.body.equals(bytes)).toBe(true);
  });

  it('takes the parts in any order, with other fields and a file part without a filename', async () => {
    const body = Buffer.concat([
      Buffer.from(
        `--${FORM_TYPE.split('=')[1]}\r\nContent-Disposition: form-data; name="file"\r\n\r\nhello\r\n` +
          `--${FORM_TYPE.split('=')[1]}\r\nContent-Disposition: form-data; name="note"\r\n\r\nignored\r\n`,
      ),
      form({ filePath: 'order/x.txt', expire: '60' }),
    ]);
    const a = await http(`${t.base}/home/paas/file/add`, { method: 'POST', headers: { 'Content-Type': FORM_TYPE }, body });
    expect(a.json()).toMatchObject({ code: 200, data: `${t.base}/oss/order/x.txt` });
    const got = await http(`${t.base}/oss/order/x.txt`);
    expect(got.body.toString()).toBe('hello');
    expect(got.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('names non-ASCII paths percent-encoded in the URL and serves them by it', async () => {
    const a = await upload(t.base, { filePath: 'plates/浙A12345 in.jpg' }, Buffer.from('plate'));
    expect(a.json().data).toBe(`${t.base}/oss/plates/${encodeURIComponent('浙A12345 in.jpg')}`);
    expect((await http(a.json().data as string)).body.toString()).toBe('plate');
  });

  it('replaces a file uploaded again under the same path', async () => {
    await upload(t.base, { filePath: 'again.bin' }, Buffer.from('one'));
    await upload(t.base, { filePath: 'again.bin' }, Buffer.from('second'));
    const got = await http(`${t.base}/oss/again.bin`);
    expect(got.body.toString()).toBe('second');
    expect(got.headers['content-type']).toBe('application/octet-stream');
  });

  it('deletes a file with {filePath}; a second delete and a download are "not found"', async () => {
    await upload(t.base, { filePath: 'del/me.png' }, Buffer.from('x'));
    const d = await remove(t.base, 'del/me.png');
    expect(d.status).toBe(200);
    expect(d.json()).toEqual({ code: 200, message: 'success' });
    const again = await remove(t.base, 'del/me.png');
    expect(again.status).toBe(404);
    expect(again.json()).toMatchObject({ code: 404, message: 'file not found', localizedMsg: expect.stringContaining('文件不存在') });
    expect((await http(`${t.base}/oss/del/me.png`)).status).toBe(404);
  });

  it('refuses a missing file, a missing filePath, a bad expire, a bad delete body, with 460 and localizedMsg', async () => {
    const noFile = await upload(t.base, { filePath: 'a.jpg' });
    expect(noFile.status).toBe(400);
    expect(noFile.json()).toMatchObject({ code: 460, message: 'file is blank' });
    expect((await upload(t.base, {}, Buffer.from('x'))).json()).toMatchObject({ code: 460, message: 'filePath is blank' });
    for (const expire of ['-1', '604801', '1.5', 'abc', '99999999'])
      expect((await upload(t.base, { filePath: 'e.jpg', expire }, Buffer.from('x'))).json(), expire).toMatchObject({
        code: 460,
        message: expect.stringContaining('expire'),
      });
    for (const ok of ['0', '604800'])
      expect((await upload(t.base, { filePath: `e${ok}.jpg`, expire: ok }, Buffer.from('x'))).json().code).toBe(200);
    const notJson = await http(`${t.base}/home/paas/file/delete`, { method: 'POST', body: '{"filePath":' });
    expect(notJson.json()).toMatchObject({ code: 460, message: 'the body is not JSON' });
    expect((await remove(t.base, 42)).json()).toMatchObject({ code: 460, message: 'filePath is blank' });
    const plain = await http(`${t.base}/home/paas/file/add`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(plain.json()).toMatchObject({ code: 460, message: expect.stringContaining('multipart/form-data') });
  });

  it('keeps a connection open after a 404 to a bodiless request', async () => {
    const answers = await new Promise<string>((resolve) => {
      const sock = connect(t.service.port, '127.0.0.1');
      let out = '';
      sock.on('data', (c: Buffer) => {
        out += c.toString();
        if ((out.match(/HTTP\/1\.1 404/g) ?? []).length === 2) sock.end();
      });
      sock.on('close', () => resolve(out));
      sock.write('GET /oss/none-1.jpg HTTP/1.1\r\nHost: x\r\n\r\nGET /oss/none-2.jpg HTTP/1.1\r\nHost: x\r\n\r\n');
    });
    expect(answers.match(/HTTP\/1\.1 404/g)).toHaveLength(2);
    expect(answers).not.toMatch(/Connection: close/i);
  });

  it('answers unknown endpoints and methods with 404 in its own shape', async () => {
    expect((await http(`${t.base}/nope`)).json()).toMatchObject({ code: 404 });
    expect((await http(`${t.base}/oss/aaa/bbb/ccc.jpg`, { method: 'DELETE' })).status).toBe(404);
    expect((await http(`${t.base}/home/paas/file/add`)).status).toBe(404);
  });
});

describe('downloads: HEAD, Range, ETag', () => {
  const bytes = pattern(1000, 7);
  let url = '';
  let etag = '';

  beforeAll(async () => {
    url = (await upload(t.base, { filePath: 'range/r.bin' }, bytes)).json().data as string;
    etag = String((await http(url, { method: 'HEAD' })).headers.etag);
  });

  it('HEAD gives the headers and no body', async () => {
    const h = await http(url, { method: 'HEAD' });
    expect(h.status).toBe(200);
    expect(h.headers['content-length']).toBe('1000');
    expect(h.headers['accept-ranges']).toBe('bytes');
    expect(h.body.length).toBe(0);
  });

  it('serves one range as 206 with Content-Range, in each of the three forms', async () => {
    for (const [range, start, end] of [
      ['bytes=10-19', 10, 19],
      ['bytes=990-', 990, 999],
      ['bytes=-5', 995, 999],
      ['bytes=900-5000', 900, 999],
    ] as const) {
      const r = await http(url, { headers: { Range: range } });
      expect(r.status, range).toBe(206);
      expect(r.headers['content-range']).toBe(`bytes ${start}-${end}/1000`);
      expect(r.headers['content-length']).toBe(String(end - start + 1));
      expect(r.body.equals(bytes.subarray(start, end + 1))).toBe(true);
    }
  });

  it('answers 416 with bytes */size for ranges outside the file or malformed', async () => {
    for (const range of ['bytes=1000-', 'bytes=20-10', 'bytes=-0', 'bytes=x-y', 'bytes=-', 'bytes=99999999999999999999-']) {
      const r = await http(url, { headers: { Range: range } });
      expect(r.status, range).toBe(416);
      expect(r.headers['content-range']).toBe('bytes */1000');
      expect(r.body.length).toBe(0);
    }
  });

  it('serves the whole file for several ranges, another unit, or an If-Range that no longer matches', async () => {
    const cases: Record<string, string>[] = [
      { Range: 'bytes=0-1,5-6' },
      { Range: 'items=0-1' },
      { Range: 'bytes=0-1', 'If-Range': '"old"' },
    ];
    for (const headers of cases) {
      const r = await http(url, { headers });
      expect(r.status).toBe(200);
      expect(r.body.equals(bytes)).toBe(true);
    }
    expect((await http(url, { headers: { Range: 'bytes=0-1', 'If-Range': etag } })).status).toBe(206);
  });

  it('answers 304 to If-None-Match with the current ETag, and 200 once the file changed', async () => {
    const r = await http(url, { headers: { 'If-None-Match': `"nope", ${etag}` } });
    expect(r.status).toBe(304);
    expect(r.headers.etag).toBe(etag);
    expect(r.body.length).toBe(0);
    await upload(t.base, { filePath: 'range/r.bin' }, pattern(1000, 8));
    const changed = await http(url, { headers: { 'If-None-Match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
  });
});
