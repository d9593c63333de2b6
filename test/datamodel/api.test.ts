/** The data-model API over real HTTP: APPSIGN, the envelope, insert/query/upload, and hostile input. */
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringToSign, signatureOf } from '../../edge/datamodel/signature.js';
import { call, envelope, send, signedHeaders, startDataModel, type TestDataModel } from './helpers.js';

const INSERT = '/data/model/data/insert';
const QUERY = '/data/model/data/query';
const UPLOAD = '/data/model/data/upload';
const PASS = { modelId: 'iot_park_pass_record', properties: { plateNumber: '浙A5C393', direction: 0, openType: 1 } };

let t: TestDataModel;

beforeAll(async () => {
  t = await startDataModel();
});

afterAll(async () => {
  await t.close();
});

describe('APPSIGN', () => {
  it('matches the fixed test vector of docs/apps.md', () => {
    const body = '{"id":"42","version":"1.0","request":{"apiVer":"0.0.3"},"params":{"modelId":"Heartbeat","properties":{"status":1}}}';
    const md5 = createHash('md5').update(body).digest('base64');
    expect(md5).toBe('5aAZsCDsmUp7vzLCQ61i1A==');
    const text = stringToSign(
      {
        method: 'POST',
        url: INSERT,
        headers: {
          accept: 'application/json; charset=utf-8',
          'content-md5': md5,
          'content-type': 'application/octet-stream; charset=utf-8',
          'x-ca-key': '203842123',
          'x-ca-nonce': '6f1b1f3e-3b8a-4c1e-9a55-0d2b7f1c9e10',
          'x-ca-signature-method': 'HmacSHA256',
          'x-ca-timestamp': '1765000000000',
        },
      },
      ['x-ca-timestamp', 'x-ca-key', 'x-ca-signature-method', 'x-ca-nonce'],
    );
    expect(signatureOf('edge-test-secret', text)).toBe('yp38sg8tgLVqjq7laHTQspOyW9vWWPzeNIenMqe88rg=');
  });

  it('sorts query parameters into the signed path', () => {
    const text = stringToSign({ method: 'post', url: '/p?b=2&a=1&c=', headers: {} }, []);
    expect(text.endsWith('\n/p?a=1&b=2&c')).toBe(true);
    expect(text.startsWith('POST\n')).toBe(true);
  });

  it('answers a correctly signed insert with the new dataId and the request id', async () => {
    const r = await call(t.base, INSERT, PASS);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ code: 200, message: 'success', id: 'req-1' });
    expect(typeof r.json.data).toBe('number');
    expect(t.service.records.get(r.json.data as number)?.properties).toEqual(PASS.properties);
  });

  it('refuses unknown keys, wrong secrets, altered bodies and missing parts with 401', async () => {
    const body = envelope(PASS);
    const good = (over: Partial<Parameters<typeof signedHeaders>[0]> = {}) =>
      signedHeaders({ appKey: 'parkKey', appSecret: 'parkSecret', path: INSERT, body, ...over });
    const cases: Array<[string, Record<string, string>, string?]> = [
      ['unknown key', signedHeaders({ appKey: 'nobody', appSecret: 'parkSecret', path: INSERT, body })],
      ['wrong secret', good({ appSecret: 'guess' })],
      ['signed for another path', good({ path: QUERY })],
      ['body altered, MD5 kept', good(), body.replace('浙A5C393', '浙B00000')],
      [
        'body and MD5 altered',
        { ...good(), 'content-md5': createHash('md5').update(body.replace('0,', '1,')).digest('base64') },
        body.replace('0,', '1,'),
      ],
      ['no Content-MD5', (({ 'content-md5': _, ...h }) => h)(good())],
      ['no signature', (({ 'x-ca-signature': _, ...h }) => h)(good())],
      ['timestamp not signed', { ...good(), 'x-ca-signature-headers': 'x-ca-key,x-ca-nonce,x-ca-signature-method' }],
      ['other method', { ...good(), 'x-ca-signature-method': 'HmacSHA1' }],
      ['malformed key', { ...good(), 'x-ca-key': '../../etc' }],
    ];
    for (const [what, headers, sent] of cases) {
      const r = await send(t.base, 'POST', INSERT, sent ?? body, headers);
      expect(r.status, what).toBe(401);
      expect(r.json.code, what).toBe(401);
    }
    expect(t.service.records.count).toBe(1);
  });

  it('answers an unsigned request before its body is sent, without waiting for it', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${t.base}${INSERT}`, { method: 'POST', headers: { 'content-length': '200000' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', reject);
      req.write(Buffer.alloc(1000)); // the rest never comes
    });
    expect(status).toBe(401);
  });

  it('refuses stale, future and pre-start timestamps, and a replayed nonce', async () => {
    const body = envelope(PASS);
    const at = (timestamp: number) => signedHeaders({ appKey: 'parkKey', appSecret: 'parkSecret', path: INSERT, body, timestamp });
    const now = Date.now();
    for (const [what, ts] of [
      ['16 minutes old', now - 16 * 60_000],
      ['16 minutes ahead', now + 16 * 60_000],
      ['before the service started', now - 10 * 60_000],
    ] as const) {
      const r = await send(t.base, 'POST', INSERT, body, at(ts));
      expect(r.status, what).toBe(401);
    }
    const once = at(Date.now());
    expect((await send(t.base, 'POST', INSERT, body, once)).status).toBe(200);
    const replay = await send(t.base, 'POST', INSERT, body, once);
    expect(replay.status).toBe(401);
    expect(replay.json.message).toMatch(/Nonce was already used/);
  });
});

describe('envelope and permissions', () => {
  it('answers bad envelopes with 460 (request parameter error), echoing the id when there is one', async () => {
    const raw = async (body: string) => {
      const h = signedHeaders({ appKey: 'parkKey', appSecret: 'parkSecret', path: INSERT, body });
      return send(t.base, 'POST', INSERT, body, h);
    };
    for (const body of [
      'not json',
      '[]',
      '{"id":"x","params":{}}',
      '{"id":"x","request":{"apiVer":"9.9"},"params":{}}',
      '{"id":"x","request":{"apiVer":"0.0.3"}}',
      '{"id":"x","request":{"apiVer":"0.0.3"},"params":{"properties":{"a":1}}}',
      '{"id":"x","request":{"apiVer":"0.0.3"},"params":{"modelId":"iot_park_pass_record","properties":[1]}}',
      '{"id":"x","request":{"apiVer":"0.0.3"},"params":{"modelId":"iot_park_pass_record","properties":{"__proto__":{"admin":true}}}}',
      '{"id":{"a":1},"request":{"apiVer":"0.0.3"},"params":{}}',
    ]) {
      const r = await raw(body);
      expect(r.status, body).toBe(400);
      expect(r.json.code, body).toBe(460);
      expect(String(r.json.message), body).toMatch(/request parameter error|blank|must|may not/);
      if (body.includes('"id":"x"')) expect(r.json.id, body).toBe('x');
    }
  });

  it('refuses a body over the cap with 413, before reading it', async () => {
    const body = envelope({ modelId: 'iot_park_pass_record', properties: { big: 'x'.repeat(300 * 1024) } });
    const r = await send(t.base, 'POST', INSERT, body, signedHeaders({ appKey: 'parkKey', appSecret: 'parkSecret', path: INSERT, body }));
    expect(r.status).toBe(413);
    expect(r.json.code).toBe(413);
  });

  it('refuses a model the app may not write or read with 403', async () => {
    const w = await call(t.base, INSERT, { modelId: 'iot_park_fee', properties: { amount: 1 } });
    expect(w.status).toBe(403);
    expect(w.json.code).toBe(403);
    const r = await call(t.base, INSERT, PASS, 'readerKey');
    expect(r.json.code).toBe(403);
    const q = await call(t.base, QUERY, { modelId: 'Heartbeat' }, 'readerKey');
    expect(q.json.code).toBe(403);
  });

  it('queries by dataId and by conditions for apps that may read the model', async () => {
    const ins = await call(t.base, INSERT, { modelId: 'iot_park_pass_record', properties: { plateNumber: 'Q1', direction: 1 } });
    const dataId = ins.json.data as number;
    const byId = await call(t.base, QUERY, { dataId }, 'readerKey');
    expect(byId.json).toMatchObject({ code: 200, data: { dataId, modelId: 'iot_park_pass_record', properties: { plateNumber: 'Q1' } } });
    const byCond = await call(t.base, QUERY, {
      modelId: 'iot_park_pass_record',
      conditions: [{ fieldName: 'direction', operate: 'eq', value: 1 }],
    });
    expect(byCond.json.code).toBe(200);
    const page = byCond.json.data as { total: number; items: Array<{ dataId: number }> };
    expect(page.total).toBe(1);
    expect(page.items[0]!.dataId).toBe(dataId);
    expect((await call(t.base, QUERY, { dataId: 999_999 })).json.code).toBe(404);
    expect((await call(t.base, QUERY, { modelId: 'iot_park_pass_record', pageSize: 1000 })).json.code).toBe(460);
  });

  it('answers unknown paths and methods with 404', async () => {
    expect((await send(t.base, 'GET', INSERT, undefined)).status).toBe(404);
    expect((await call(t.base, '/data/model/data/delete', { dataId: 1 })).json.code).toBe(404);
  });
});

describe('upload', () => {
  const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(50_000, 7)]);

  it('hands out a URL that takes one PUT of the bytes and then serves them', async () => {
    const r = await call(
      t.base,
      UPLOAD,
      { fileName: 'plate.jpg', modelId: 'iot_park_pass_record', attrName: 'plateNumberImage' },
      'parkKey',
      '0.0.1',
    );
    expect(r.json.code).toBe(200);
    const { fileName, url } = r.json.data as { fileName: string; url: string };
    expect(fileName).toBe('plate.jpg');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/data\/model\/file\/[0-9a-f]{32}\/plate\.jpg$/);
    const path = new URL(url).pathname;
    expect((await send(t.base, 'GET', path, undefined)).status).toBe(404);
    const put = await send(t.base, 'PUT', path, jpeg, { 'content-md5': createHash('md5').update(jpeg).digest('base64') });
    expect(put.status).toBe(200);
    const got = await send(t.base, 'GET', path, undefined);
    expect(got.headers['content-type']).toBe('image/jpeg');
    expect(got.headers.etag).toBe(`"${createHash('md5').update(jpeg).digest('hex')}"`);
    expect(got.bytes.equals(jpeg)).toBe(true);
    expect((await send(t.base, 'PUT', path, jpeg)).status).toBe(403);
  });

  it('names the file itself when the app gives only a type, as the platform does', async () => {
    const r = await call(t.base, UPLOAD, { fileType: 'png', modelId: 'iot_park_pass_record' }, 'parkKey', '0.0.1');
    expect((r.json.data as { fileName: string }).fileName).toMatch(/^[0-9a-f]{12}\.png$/);
  });

  it('refuses file names that are paths or hidden, and URLs that try to leave the slot', async () => {
    for (const fileName of ['../x.jpg', 'a/b.jpg', '..', '.hidden', 'a\\b.jpg', '%2e%2e', 'x\u0000.jpg', '', 7]) {
      const r = await call(t.base, UPLOAD, { fileName }, 'parkKey', '0.0.1');
      expect(r.json.code, String(fileName)).toBe(460);
    }
    const r = await call(t.base, UPLOAD, { fileName: 'ok.jpg' }, 'parkKey', '0.0.1');
    const path = new URL((r.json.data as { url: string }).url).pathname;
    const token = path.split('/')[4]!;
    for (const bad of [
      `/data/model/file/${token}/..%2f..%2fedge.db`,
      `/data/model/file/${token}/other.jpg`,
      `/data/model/file/${token}`,
      '/data/model/file/../../edge.db',
    ]) {
      expect((await send(t.base, 'PUT', bad, jpeg)).status, bad).toBe(404);
    }
  });

  it('refuses a file over the size cap (413) and one whose Content-MD5 is wrong (460), keeping nothing', async () => {
    const a = await call(t.base, UPLOAD, { fileName: 'big.jpg' }, 'parkKey', '0.0.1');
    const big = new URL((a.json.data as { url: string }).url).pathname;
    expect((await send(t.base, 'PUT', big, Buffer.alloc(1024 * 1024 + 1))).status).toBe(413);
    const b = await call(t.base, UPLOAD, { fileName: 'md5.jpg' }, 'parkKey', '0.0.1');
    const md5 = new URL((b.json.data as { url: string }).url).pathname;
    const r = await send(t.base, 'PUT', md5, jpeg, { 'content-md5': 'AAAAAAAAAAAAAAAAAAAAAA==' });
    expect(r.json.code).toBe(460);
    expect((await send(t.base, 'GET', md5, undefined)).status).toBe(404);
  });

  it('answers 501 when the file service is not running', async () => {
    const bare = await startDataModel({}, { files: false });
    try {
      const r = await call(bare.base, UPLOAD, { fileName: 'x.jpg' }, 'parkKey', '0.0.1');
      expect(r.json.code).toBe(501);
      expect(String(r.json.message)).toMatch(/files: section/);
    } finally {
      await bare.close();
    }
  });

  it('refuses a PUT after the URL ran out', async () => {
    const clock = { offset: 0 };
    const timed = await startDataModel({ uploadUrlTtlS: 10 }, { now: () => Date.now() + clock.offset });
    try {
      const r = await call(timed.base, UPLOAD, { fileName: 'late.jpg' }, 'parkKey', '0.0.1');
      clock.offset = 11_000;
      const put = await send(timed.base, 'PUT', new URL((r.json.data as { url: string }).url).pathname, jpeg);
      expect(put.status).toBe(403);
      expect(String(put.json.message)).toMatch(/expired/);
    } finally {
      await timed.close();
    }
  });
});
