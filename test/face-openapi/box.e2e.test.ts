/**
 * The OpenAPI face terminal on a real box: the driver is the client of the simulated terminal's
 * API and holds its record WebSocket; a second driver instance serves the chapter 9 pulls.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommittedPass } from '../../edge/access/passes/pass-recorder.js';
import { SimulatedOpenApiTerminal } from '../../scripts/sim/face-openapi/terminal.js';
import { freePort, pictureServer } from '../face-push/helpers.js';
import { startBox, waitFor, type TestBox } from '../helpers/runtime.js';

const PK = 'PEFaceOpenApi';
let box: TestBox;
let api: SimulatedOpenApiTerminal;
let pull: SimulatedOpenApiTerminal;
let files: Awaited<ReturnType<typeof pictureServer>>;
let pullBase = '';
const events: { deviceName: string; eventId: string; params: Record<string, unknown> }[] = [];
/** Passes the access core committed (it alone reports them, to the cloud through the outbox). */
const passes: CommittedPass[] = [];
const passesOf = (dn: string) => passes.filter((p) => p.deviceKey === `${PK}/${dn}`);
const face = (id: string, name: string, user: string) => ({
  faceId: id,
  faceMd5: '',
  faceUrl: `${files.url}/p.png`,
  userInfo: JSON.stringify({ userName: name, userId: user }),
  index: 0,
  clientTag: '',
});

beforeAll(async () => {
  files = await pictureServer('/p.png', [40, 200, 40]);
  api = new SimulatedOpenApiTerminal({ port: 0, wsPort: 0, password: 'pw-api', deviceId: 'OA-1' });
  pull = new SimulatedOpenApiTerminal({ port: 0, wsPort: 0, password: '123456', deviceId: 'OA-2' });
  await api.start();
  await pull.start();
  const [p1, p2] = [await freePort(), await freePort()];
  pullBase = `http://127.0.0.1:${p2}`;
  box = await startBox(`
drivers:
  - name: Face_OpenApi_PerAccess_Terminal
    type: face-terminal-openapi
    config: { host: 127.0.0.1, port: ${p1}, syncPollMs: 300 }
    devices:
      - { productKey: ${PK}, deviceName: OA-1, custom: { ip: 127.0.0.1, port: ${api.port}, wsPort: ${api.wsPort}, password: pw-api, deviceId: OA-1 } }
  - name: Face_OpenApi_PerAccess_Pull
    type: face-terminal-openapi
    config: { host: 127.0.0.1, port: ${p2}, faceSync: pull }
    devices:
      - { productKey: ${PK}, deviceName: OA-2, custom: { ip: 127.0.0.1, port: ${pull.port}, wsPort: ${pull.wsPort}, deviceId: OA-2 } }
`);
  box.runtime.events.on(
    'test',
    'device.event',
    (e) => void (e.productKey === PK && events.push({ deviceName: e.deviceName, eventId: e.eventId, params: e.params })),
  );
  box.runtime.events.on('test', 'access.pass', (p) => void passes.push(p));
}, 60_000);

afterAll(async () => {
  await box?.close();
  await api?.stop();
  await pull?.stop();
  await files?.close();
});

/** One HTTP request from a given loopback source address. */
function fromAddress(localAddress: string, url: string, method: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, localAddress }, (res) => {
      let text = '';
      res.on('data', (b: Buffer) => (text += b.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('face-terminal-openapi on a real box', () => {
  it('warns, in the driver log, about a terminal left on its factory password, and only about that one', async () => {
    const file = join(box.runtime.dataDir, 'logs', 'drivers', 'Face_OpenApi_PerAccess_Pull.log');
    await waitFor(() => existsSync(file) && readFileSync(file, 'utf8').includes('factory password'), 20_000, 100);
    const lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.includes('factory password'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('OA-2');
    const other = join(box.runtime.dataDir, 'logs', 'drivers', 'Face_OpenApi_PerAccess_Terminal.log');
    expect(existsSync(other) ? readFileSync(other, 'utf8') : '').not.toContain('factory password');
  });

  it('connects the record link, pushes a face, opens remotely and turns pushed records into pass events', async () => {
    await waitFor(() => box.runtime.registry.get(PK, 'OA-1')?.status === 'online', 20_000, 100);
    expect(api.state.wsConnects).toBe(1);
    box.runtime.access!.applyFaceText(`${PK}/OA-1`, JSON.stringify({ groupId: 'g', addFaceInfos: [face('fa', 'Alice', 'ua')] }), {
      features: false,
    });
    await box.runtime.access!.facesIdle();
    const u = await waitFor(() => api.users.get('fa'), 20_000, 100);
    expect(u).toMatchObject({ name: 'Alice', userType: 1 });
    expect(u.photoBytes).toBeGreaterThan(300);
    await waitFor(() => box.runtime.access!.deployments.get(`${PK}/OA-1`, 'face', 'fa')?.status === 'transferred', 10_000, 100);

    expect(await box.runtime.host.callService(PK, 'OA-1', 'remoteOpen', { remark: 'test' }, 10_000)).toMatchObject({ code: 200 });
    expect(api.state.opens).toBe(1);

    api.recognise('fa');
    api.recognise();
    // Each pushed record is stored by the access core (the terminal's record id as its ref) and reported by it alone.
    const got = await waitFor(() => (passesOf('OA-1').length >= 2 ? passesOf('OA-1') : undefined));
    expect(got[0]!.params).toMatchObject({ type: 'face', faceId: 'fa', userId: 'ua' });
    expect(got[1]!.params).toMatchObject({ type: 'face', userId: '' });
    const recs = box.runtime.access!.records.list({ deviceKey: `${PK}/OA-1` });
    expect(recs.map((r) => r.pass_id).sort()).toEqual(got.map((p) => p.passId).sort());
    expect(recs.every((r) => r.ref !== null)).toBe(true);
    expect(events.filter((e) => e.deviceName === 'OA-1' && (e.eventId === 'passEvent' || e.eventId === 'OnMatched'))).toEqual([]);
    expect(api.state.refused).toEqual([]);

    box.runtime.access!.applyFaceText(`${PK}/OA-1`, JSON.stringify({ groupId: 'g', deleteFaceInfos: [{ faceId: 'fa' }] }), {
      features: false,
    });
    await waitFor(() => !api.users.has('fa'), 20_000, 100);
  }, 60_000);

  it('reads and sets configuration as properties within the seed ranges', async () => {
    const got = await box.runtime.host.getProperties(PK, 'OA-1', ['faceThre', 'faceMinsize', 'unlockOuttime', 'ipAddress', 'deviceMoel']);
    expect(got).toMatchObject({
      code: 200,
      data: { faceThre: 5, faceMinsize: 60, unlockOuttime: 5, ipAddress: '127.0.0.1', deviceMoel: 'SIM-OPENAPI' },
    });
    expect(await box.runtime.host.setProperties(PK, 'OA-1', { faceMinsize: 120, unlockOuttime: 9 })).toMatchObject({ code: 200 });
    expect(api.config.smartface).toMatchObject({ faceMinsize: 120, faceThre: 5 });
    expect(api.config.perpara).toMatchObject({ unlockOuttime: 9 });
    expect((await box.runtime.host.setProperties(PK, 'OA-1', { faceThre: 11 })).code).not.toBe(200);
    expect(api.config.smartface.faceThre).toBe(5);
    const total = await box.runtime.host.callService(PK, 'OA-1', 'QueryFacePermTotal', {}, 10_000);
    expect(total).toMatchObject({ code: 200, data: { FacePermTotal: 0 } });
  }, 30_000);

  it('serves chapter 9: library pull with feedback, compare results, temperature and heartbeat', async () => {
    await waitFor(() => box.runtime.registry.get(PK, 'OA-2')?.status === 'online', 20_000, 100);
    box.runtime.access!.applyFaceText(`${PK}/OA-2`, JSON.stringify({ groupId: 'g2', addFaceInfos: [face('fb', 'Bob', 'ub')] }), {
      features: false,
    });
    await box.runtime.access!.facesIdle();
    const r = await waitFor(
      async () => {
        const x = await pull.pullLibrary(pullBase);
        return x.saved > 0 ? x : undefined;
      },
      20_000,
      300,
    );
    expect(r).toEqual({ saved: 1, deleted: 0 });
    expect(pull.users.get('fb')).toMatchObject({ name: 'Bob' });
    await waitFor(() => box.runtime.access!.deployments.get(`${PK}/OA-2`, 'face', 'fb')?.status === 'transferred', 10_000, 100);

    expect(await pull.compare(pullBase, 'fb')).toMatchObject({ ret: '0', openDoor: 1 });
    expect(await pull.temperature(pullBase, '38.1', 101)).toMatchObject({ ret: '0' });
    expect(await pull.heartbeat(pullBase)).toMatchObject({ ret: '0' });
    const bob = await waitFor(() => passesOf('OA-2').find((p) => p.params.userId === 'ub'));
    expect(box.runtime.access!.records.list({ deviceKey: `${PK}/OA-2` }).map((r) => r.pass_id)).toContain(bob.passId);
    await waitFor(() => events.find((e) => e.deviceName === 'OA-2' && e.eventId === 'temperatureEvent' && e.params.temperature === '38.1'));
    const unknown = await fetch(`${pullBase}/syheartbeat/NOPE`, { method: 'POST', body: '{}' }).then((x) => x.json());
    expect(unknown).toMatchObject({ ret: '1' });
    const malformed = await fetch(`${pullBase}/syface/OA-2`, { method: 'POST', body: '{not json' }).then((x) => x.json());
    expect(malformed).toMatchObject({ ret: '1', desc: 'body is not JSON' });

    // The terminal id is the protocol's only credential: from another address it is not enough.
    const before = box.runtime.access!.records.list({ deviceKey: `${PK}/OA-2` }).length;
    const forged = await fromAddress(
      '127.0.0.9',
      `${pullBase}/syface/OA-2`,
      'POST',
      JSON.stringify({ userId: 'fb', userName: 'Mallory', screenTime: Math.floor(Date.now() / 1000), similarity: 99 }),
    );
    expect(JSON.parse(forged.body)).toMatchObject({ ret: '1' });
    expect(box.runtime.access!.records.list({ deviceKey: `${PK}/OA-2` })).toHaveLength(before);
    const picture = await fromAddress('127.0.0.9', `${pullBase}/syimage/fb.jpg`, 'GET');
    expect(picture.status).toBe(403);
  }, 60_000);
});
