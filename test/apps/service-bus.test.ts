/**
 * The service bus on its port: routed to the providing app with body and content type unchanged
 * (JSON and the seed's octet-stream), and a clear `{code, message, id}` with a matching status for
 * a malformed envelope, an unknown model, an unknown method, a down app, a slow app, a big body.
 * The cloud's InvokeServiceModel goes through the same routing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppHost } from '../../edge/apps/index.js';
import { ALINK } from '../../edge/errors.js';
import { silentLogger } from '../../edge/log.js';
import { freePort, waitFor } from '../helpers/runtime.js';
import { fastHost, writeApp } from './helpers.js';

const envelope = (params: Record<string, unknown> = {}, id = 'req-1') =>
  JSON.stringify({ id, version: '1.0', request: { apiVer: '1.0' }, params });

describe('service bus', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pe-bus-'));
  let host: AppHost;
  let base = '';
  const post = async (path: string, body: string, type = 'application/json') => {
    const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
    return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    const [p1, p2, p3] = [await freePort(), await freePort(), await freePort()];
    host = new AppHost(
      { log: silentLogger(), dataDir: join(dir, 'data'), apiDomain: '127.0.0.1:10061', logMaxBytes: 1 << 20, logKeep: 2 },
      fastHost({ serviceBus: { timeoutMs: 500, maxBodyKb: 4, maxConcurrent: 3 } }),
      [
        writeApp(dir, { name: 'parking', fixture: 'serve', provides: [{ serviceModelId: 'iotx_parking_service_model', port: p1 }] }),
        writeApp(dir, { name: 'slow', fixture: 'slow', provides: [{ serviceModelId: 'slow_model', port: p2 }], env: { SLOW_MS: '3000' } }),
        writeApp(dir, { name: 'downer', fixture: 'serve', provides: [{ serviceModelId: 'down_model', port: p3 }] }),
      ],
    );
    await host.start();
    base = `http://127.0.0.1:${host.bus.port}`;
    await waitFor(() => host.status().every((a) => a.state === 'running'), { what: 'apps running', explain: () => host.status() });
  });

  afterAll(async () => {
    await host.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('routes a JSON call to the providing app and returns its answer unchanged', async () => {
    const r = await post('/iotx_parking_service_model/echo', envelope({ parkingLotId: 'lot-1' }));
    expect(r.status).toBe(200);
    expect(r.type).toBe('application/json');
    expect(r.body).toEqual({
      code: 200,
      message: 'success',
      data: { model: 'iotx_parking_service_model', contentType: 'application/json', body: JSON.parse(envelope({ parkingLotId: 'lot-1' })) },
    });
  });

  it('takes application/octet-stream as the seed self-test sends, passed on as octet-stream', async () => {
    const r = await post('/iotx_parking_service_model/echo', envelope(), 'application/octet-stream');
    expect(r.status).toBe(200);
    expect((r.body.data as { contentType: string }).contentType).toBe('application/octet-stream');
  });

  it('passes an app error answer on unchanged', async () => {
    const r = await post('/iotx_parking_service_model/fails', envelope());
    expect(r).toMatchObject({ status: 500, body: { code: 500, message: 'the app says no' } });
  });

  it('refuses a malformed envelope, a wrong content type and a big body with their codes', async () => {
    expect(await post('/iotx_parking_service_model/echo', '{"id":"x1","params":{}}')).toMatchObject({
      status: 400,
      body: { code: ALINK.REQUEST_INVALID, id: 'x1', message: expect.stringMatching(/version/) },
    });
    expect(await post('/iotx_parking_service_model/echo', 'not json')).toMatchObject({ status: 400, body: { code: 460, id: null } });
    expect((await post('/iotx_parking_service_model/echo', envelope(), 'text/html')).status).toBe(415);
    expect(await post('/iotx_parking_service_model/echo', envelope({ pad: 'x'.repeat(5000) }))).toMatchObject({
      status: 413,
      body: { code: ALINK.APP_BODY_TOO_LARGE },
    });
    expect((await post('/only-one-segment', envelope())).status).toBe(400);
  });

  it('answers an unknown service model and an unknown method (the app answered 404)', async () => {
    expect(await post('/no_such_model/echo', envelope({}, 'u1'))).toMatchObject({
      status: 404,
      body: { code: ALINK.APP_MODEL_UNKNOWN, id: 'u1', message: 'no app provides service model no_such_model' },
    });
    expect(await post('/iotx_parking_service_model/noSuchMethod', envelope({}, 'u2'))).toMatchObject({
      status: 404,
      body: { code: ALINK.APP_METHOD_UNKNOWN, id: 'u2' },
    });
  });

  it('answers a timeout for the slow app, and the app is not restarted for it', async () => {
    const t0 = Date.now();
    const r = await post('/slow_model/anything', envelope({}, 's1'));
    expect(r).toMatchObject({ status: 504, body: { code: ALINK.APP_TIMEOUT, id: 's1' } });
    expect(Date.now() - t0).toBeLessThan(2500);
    expect(host.status().find((a) => a.name === 'slow')).toMatchObject({ state: 'running', restarts: 0 });
  });

  it('answers 429 past maxConcurrent calls in flight, and serves again after', async () => {
    const calls = Array.from({ length: 5 }, (_, i) => post('/slow_model/anything', envelope({}, `c${i}`)));
    const answers = await Promise.all(calls);
    expect(answers.filter((a) => a.status === 504)).toHaveLength(3);
    expect(answers.filter((a) => a.status === 429 && a.body.code === ALINK.BUSY)).toHaveLength(2);
    expect((await post('/iotx_parking_service_model/echo', envelope())).status).toBe(200);
  });

  it('answers app down for a stopped provider', async () => {
    await host.act('downer', 'stop');
    expect(await post('/down_model/echo', envelope({}, 'd1'))).toMatchObject({
      status: 503,
      body: { code: ALINK.APP_DOWN, id: 'd1', message: expect.stringMatching(/downer .* not running: stopped/) },
    });
  });

  it('InvokeServiceModel (cloud) goes through the same routing', async () => {
    const invoke = host.gatewayServices().get('InvokeServiceModel')!;
    const ok = await invoke({ serviceModelId: 'iotx_parking_service_model', method: 'echo', body: JSON.parse(envelope({ a: 1 })) });
    expect(ok).toMatchObject({ code: 200, data: { code: 200, data: { body: { params: { a: 1 } } } } });
    expect(await invoke({ serviceModelId: 'nope', method: 'echo', body: JSON.parse(envelope()) })).toMatchObject({
      code: ALINK.APP_MODEL_UNKNOWN,
    });
    expect(await invoke({ serviceModelId: 'down_model', method: 'echo', body: envelope() })).toMatchObject({ code: ALINK.APP_DOWN });
    expect(await invoke({ method: 'echo' })).toMatchObject({ code: ALINK.REQUEST_INVALID });
  });
});
