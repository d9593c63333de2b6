/** The app SDK: the APPSIGN test vector, env reading, the data-model client and the service-model envelope. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataModelClient, DataModelError } from '../../apps/sdk/data-model.js';
import { AppEnvError, envPort, readAppEnv } from '../../apps/sdk/env.js';
import { ServiceError, ServiceServer } from '../../apps/sdk/service-server.js';
import { contentMd5, signRequest, stringToSign } from '../../apps/sdk/signer.js';
import { DataModelStandIn } from './datamodel-standin.js';

// The fixed vector (computed with openssl, not with this code; the data-model API checks the same one):
//   printf '%s' "$BODY" | openssl dgst -md5 -binary | base64
//   printf 'POST\napplication/json\n<md5>\napplication/json\n\nx-ca-key:…\n…/data/model/data/insert' | openssl dgst -sha256 -hmac p4rk1ng-s3cret -binary | base64
const VECTOR = {
  appKey: '24681357',
  appSecret: 'p4rk1ng-s3cret',
  method: 'POST',
  path: '/data/model/data/insert',
  accept: 'application/json',
  contentType: 'application/json',
  body: '{"id":"42","version":"1.0","request":{"apiVer":"0.0.3"},"params":{"modelId":"Heartbeat","properties":{"eventTime":"2026-01-01 00:00:00"}}}',
  timestamp: 1767225600000,
  nonce: 'c0ffee00-0000-4000-8000-000000000001',
  contentMd5: 'hJs6+D7NkdK0/HhUT2AuEw==',
  signature: 'St8vvarOrUp4ZN/KA7AsPBLjkLVvikJ/rKobvWZ39fc=',
};

describe('APPSIGN signer', () => {
  it('matches the fixed vector', () => {
    const h = signRequest(VECTOR);
    expect(h).toEqual({
      accept: 'application/json',
      'content-type': 'application/json',
      'content-md5': VECTOR.contentMd5,
      'x-ca-key': VECTOR.appKey,
      'x-ca-nonce': VECTOR.nonce,
      'x-ca-signature-method': 'HmacSHA256',
      'x-ca-timestamp': '1767225600000',
      'x-ca-signature-headers': 'x-ca-key,x-ca-nonce,x-ca-signature-method,x-ca-timestamp',
      'x-ca-signature': VECTOR.signature,
    });
    expect(contentMd5(VECTOR.body)).toBe(VECTOR.contentMd5);
  });

  it('builds the string to sign with empty lines kept, headers sorted and lower-cased, the query sorted', () => {
    expect(
      stringToSign({ method: 'get', headers: { 'X-Ca-Timestamp': '1', 'X-Ca-Key': 'k' }, path: '/p', query: { b: '2', a: '', c: '3' } }),
    ).toBe('GET\n\n\n\n\nx-ca-key:k\nx-ca-timestamp:1\n/p?a&b=2&c=3');
  });

  it('a changed body or secret changes the signature', () => {
    expect(signRequest({ ...VECTOR, body: `${VECTOR.body} ` })['x-ca-signature']).not.toBe(VECTOR.signature);
    expect(signRequest({ ...VECTOR, appSecret: 'other' })['x-ca-signature']).not.toBe(VECTOR.signature);
  });
});

describe('app environment', () => {
  it('reads the box variables and names every missing one', () => {
    const env = {
      'iot.hosting.appKey': 'k',
      'iot.hosting.appSecret': 's',
      'iot.hosting.api.domain': '127.0.0.1:10061',
      PE_APP_NAME: 'parking-adapter',
      PE_APP_DATA_DIR: '/tmp/x',
      PE_SERVICE_BUS: '127.0.0.1:10060',
    };
    expect(readAppEnv(env)).toEqual({
      appKey: 'k',
      appSecret: 's',
      apiDomain: '127.0.0.1:10061',
      appName: 'parking-adapter',
      dataDir: '/tmp/x',
      serviceBus: '127.0.0.1:10060',
    });
    expect(() => readAppEnv({ PE_APP_NAME: 'x' })).toThrow(AppEnvError);
    expect(() => readAppEnv({ ...env, 'iot.hosting.appSecret': ' ' })).toThrow('iot.hosting.appSecret');
    expect(envPort({ P: '10072' }, 'P', 1)).toBe(10072);
    expect(() => envPort({ P: '99999' }, 'P', 1)).toThrow(AppEnvError);
  });
});

describe('data-model client', () => {
  const standIn = new DataModelStandIn(VECTOR.appKey, VECTOR.appSecret);
  beforeAll(() => standIn.start());
  afterAll(() => standIn.stop());

  it('inserts signed records and uploads files (upload, then PUT of the bytes)', async () => {
    const client = new DataModelClient({ domain: standIn.domain, appKey: VECTOR.appKey, appSecret: VECTOR.appSecret });
    const dataId = await client.insert('Heartbeat', { eventTime: '2026-01-01 00:00:00' });
    expect(standIn.inserted).toEqual([{ modelId: 'Heartbeat', properties: { eventTime: '2026-01-01 00:00:00' }, dataId }]);
    const bytes = Buffer.from([0xff, 0xd8, 0xff, 1, 2, 3]);
    const t = await client.upload('plate.jpg', bytes, 'image/jpeg');
    expect(t.fileName).toMatch(/plate\.jpg$/);
    expect(standIn.files.get(t.fileName)).toEqual(bytes);
    expect(standIn.badSignatures).toEqual([]);
  });

  it('a wrong secret is refused by the independent check and surfaces as a DataModelError with its code', async () => {
    const client = new DataModelClient({ domain: standIn.domain, appKey: VECTOR.appKey, appSecret: 'wrong' });
    await expect(client.insert('Heartbeat', {})).rejects.toMatchObject({ code: 401 });
    expect(standIn.badSignatures).toEqual(['/data/model/data/insert']);
  });

  it('an unreachable API is a DataModelError with code 0', async () => {
    const client = new DataModelClient({ domain: '127.0.0.1:1', appKey: 'k', appSecret: 's', timeoutMs: 2000 });
    const err = await client.insert('Heartbeat', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataModelError);
    expect((err as DataModelError).code).toBe(0);
  });
});

describe('service-model server', () => {
  const server = new ServiceServer({
    serviceModelId: 'demo_model',
    internalError: { code: 1000, message: 'Unknown error', data: null },
    methods: {
      echo: async (params, env) => ({ code: 200, message: 'success', data: { params, id: env.id, apiVer: env.apiVer } }),
      refuse: async () => {
        throw new ServiceError(1002, 'Input parameter is invalid');
      },
      crash: async () => {
        throw new Error('secret detail');
      },
    },
  });
  beforeAll(() => server.listen(0));
  afterAll(() => server.close());
  const post = async (path: string, body: string, type = 'application/octet-stream'): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`http://127.0.0.1:${server.port}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
    return { status: res.status, body: await res.json() };
  };

  it('parses the envelope whatever the content type and passes params and id through', async () => {
    const body = JSON.stringify({ id: 'r1', version: '1.0', request: { apiVer: '1.0' }, params: { a: 1 } });
    for (const type of ['application/octet-stream', 'application/json'])
      expect(await post('/demo_model/echo', body, type)).toEqual({
        status: 200,
        body: { code: 200, message: 'success', data: { params: { a: 1 }, id: 'r1', apiVer: '1.0' } },
      });
  });

  it('answers 460 for a body that is not an envelope, the handler code for its errors, and hides crashes', async () => {
    expect((await post('/demo_model/echo', 'nope')).body).toEqual({ code: 460, message: 'request parameter error.', data: null });
    expect((await post('/demo_model/echo', '{"params":[1]}')).body).toMatchObject({ code: 460 });
    expect((await post('/demo_model/refuse', '{"params":{}}')).body).toEqual({
      code: 1002,
      message: 'Input parameter is invalid',
      data: null,
    });
    expect((await post('/demo_model/crash', '{"params":{}}')).body).toEqual({ code: 1000, message: 'Unknown error', data: null });
    expect((await post('/demo_model/echo', `{"params":{"a":"${'x'.repeat(1024 * 1024)}"}}`)).status).toBe(413);
    expect((await post('/demo_model/nope', '{}')).status).toBe(404);
    expect((await post('/other_model/echo', '{}')).status).toBe(404);
    expect((await post('/demo_model/constructor', '{}')).status).toBe(404);
  });
});
