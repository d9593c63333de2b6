/**
 * The push-protocol face terminal on a real box: runtime with the access core and the face
 * command queue, the driver in its child process, and the simulated terminal polling at the
 * intervals the box assigns. A face added in the access core reaches the terminal, a remote
 * open round-trips, a pass record becomes a pass event, and an offline terminal gets its
 * queued commands when it comes back.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observeFor } from '../helpers/wait.js';
import type { CommittedPass } from '../../edge/access/passes/pass-recorder.js';
import { ERRORS } from '../../edge/errors.js';
import { SimulatedPushTerminal } from '../../scripts/sim/face-push/terminal.js';
import { freePort, pictureServer } from './helpers.js';
import { startBox, waitFor, type TestBox } from '../helpers/runtime.js';

const PK = 'PEFacePush';
const DN = 'FACE-PUSH-01';
const KEY = `${PK}/${DN}`;
let box: TestBox;
let term: SimulatedPushTerminal;
let files: Awaited<ReturnType<typeof pictureServer>>;
const events: { eventId: string; params: Record<string, unknown> }[] = [];
/** Passes the access core committed (it alone reports them, to the cloud through the outbox). */
const passes: CommittedPass[] = [];
/** A JSON POST from a given loopback source address. */
function fromAddress(localAddress: string, url: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', localAddress, headers: { 'Content-Type': 'application/json;charset=UTF-8' } }, (res) => {
      let text = '';
      res.on('data', (b: Buffer) => (text += b.toString()));
      res.on('end', () => resolve(JSON.parse(text) as Record<string, unknown>));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const passesOf = () => passes.filter((p) => p.deviceKey === KEY);

beforeAll(async () => {
  const port = await freePort();
  files = await pictureServer('/alice.png', [200, 40, 40]);
  box = await startBox(`
drivers:
  - name: Face_Push_PerAccess_Terminal
    type: face-terminal-push
    config: { host: 127.0.0.1, port: ${port}, pathPrefix: /push, openTimeoutMs: 6000, commandWaitMs: 500, intervalsS: { heartbeat: 1, person: 1, open: 1, other: 1 } }
    devices:
      - { productKey: ${PK}, deviceName: ${DN}, custom: { deviceNo: FP0001, ip: 127.0.0.1 } }
`);
  box.runtime.events.on('test', 'device.event', (e) => void (e.productKey === PK && events.push({ eventId: e.eventId, params: e.params })));
  box.runtime.events.on('test', 'access.pass', (p) => void passes.push(p));
  term = new SimulatedPushTerminal({ deviceNo: 'FP0001', platformUrl: `http://127.0.0.1:${port}/push`, retryMs: 200 });
}, 60_000);

afterAll(async () => {
  term?.stop();
  await box?.close();
  await files?.close();
});

describe('face-terminal-push on a real box', () => {
  it('registers, receives a face from the access core, opens remotely and uploads a pass', async () => {
    await term.start();
    expect(term.registerResp).toMatchObject({
      msgType: 'registerResp',
      errorCode: '100',
      personService: '1',
      openService: '1',
      heatbeatService: '1',
      heatbeatServiceInterval: '1',
    });
    await waitFor(() => box.runtime.registry.get(PK, DN)?.status === 'online', 10_000);

    box.runtime.access!.applyFaceText(
      KEY,
      JSON.stringify({
        groupId: 'g1',
        addFaceInfos: [
          {
            faceId: 'fa',
            faceMd5: '',
            faceUrl: `${files.url}/alice.png`,
            userInfo: JSON.stringify({ userName: 'Alice', userId: 'ua' }),
            index: 0,
            clientTag: '',
          },
        ],
      }),
      { features: false },
    );
    await box.runtime.access!.facesIdle();
    const alice = await waitFor(() => term.persons.get('fa'), 20_000, 100);
    expect(alice).toMatchObject({ name: 'Alice', priority: '0', validDateEnd: '2099_12_31' });
    expect(alice.photoBytes).toBeGreaterThan(300); // the normalised JPEG, not an empty photo
    await waitFor(() => box.runtime.access!.deployments.get(KEY, 'face', 'fa')?.status === 'transferred', 10_000, 100);

    const opened = await box.runtime.host.callService(PK, DN, 'remoteOpen', { voiceMsg: '欢迎' }, 30_000);
    expect(opened).toMatchObject({ code: 200, data: { errorCode: '100' } });
    expect(term.state.opens).toBe(1);

    term.pass({ idNumber: 'fa' });
    term.pass({});
    expect(await term.flushRecords()).toBe(2);
    // Each record was stored (with the terminal's record id as its ref) before the terminal was answered.
    const got = await waitFor(() => (passesOf().length >= 2 ? passesOf() : undefined));
    expect(got[0]!.params).toMatchObject({ type: 'face', faceId: 'fa', userId: 'ua' });
    expect(got[1]!.params).toMatchObject({ type: 'face', userId: '' });
    const recs = box.runtime.access!.records.list({ deviceKey: KEY });
    expect(recs.map((r) => r.pass_id).sort()).toEqual(got.map((p) => p.passId).sort());
    expect(recs.every((r) => r.kind === 'face' && r.ref !== null)).toBe(true);
    // The driver reports no pass event of its own.
    expect(events.filter((e) => e.eventId === 'passEvent' || e.eventId === 'OnMatched')).toEqual([]);
    expect(term.violations).toEqual([]);
  }, 90_000);

  it('keeps commands for an offline terminal and hands them out when it comes back', async () => {
    term.stop();
    const reboot = await box.runtime.host.callService(PK, DN, 'reboot', {}, 10_000);
    expect(reboot).toMatchObject({ code: ERRORS.EDGE_ERR_FACE_QUEUED.alink, data: { msgId: expect.any(String) } });
    box.runtime.access!.applyFaceText(KEY, JSON.stringify({ groupId: 'g1', deleteFaceInfos: [{ faceId: 'fa' }] }), { features: false });
    await waitFor(() => box.runtime.registry.get(PK, DN)?.status === 'offline', 20_000, 200);
    expect(box.runtime.faceQueue!.active(KEY).map((c) => c.service)).toContain('reboot');

    await term.start();
    await waitFor(() => term.state.reboots === 1 && !term.persons.has('fa'), 20_000, 100);
    await waitFor(() => box.runtime.faceQueue!.active(KEY).length === 0, 10_000, 100);
    const results = events.filter((e) => e.eventId === 'commandResult').map((e) => e.params);
    expect(results).toContainEqual(expect.objectContaining({ service: 'reboot', state: 'done', errorCode: '100' }));
    expect(term.violations).toEqual([]);
  }, 90_000);

  it('refuses wrong signs, unknown terminals, duplicate results; a resent record is stored once', async () => {
    const base = term.opts.platformUrl;
    const post = (path: string, body: Record<string, unknown>) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json;charset=UTF-8' },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<Record<string, unknown>>);
    expect(await term.register(undefined, undefined, '0'.repeat(32))).toMatchObject({ msgType: 'registerResp', errorCode: '201' });
    expect(
      await post('/device/register', { msgType: 'register', deviceNo: 'NOBODY', registerTime: '1', rand: 'r', sign: 'x' }),
    ).toMatchObject({ errorCode: '201' });
    expect(await post('/device/heatbeat', { msgType: 'keepAlive', deviceNo: 'NOBODY' })).toMatchObject({ errorCode: '200' });
    expect(
      await post('/device/open', { msgType: 'onlineOpenResp', msgID: 'not-ours', deviceNo: 'FP0001', errorCode: '100', msg: '' }),
    ).toMatchObject({ errorCode: '200' });
    const rec = term.pass({ idNumber: 'nobody-here' });
    const before = passesOf().length;
    const stored = box.runtime.access!.records.list({ deviceKey: KEY }).length;
    const first = await post('/face/record', rec);
    const second = await post('/face/record', rec);
    expect(first).toMatchObject({ msgType: 'uploadRecordResp', msgID: rec.msgID, errorCode: '100' });
    expect(second).toMatchObject({ errorCode: '100', msg: 'duplicate record, already stored' });
    expect(await post('/face/record', { ...rec, msgID: 'x1', passTime: 'yesterday' })).toMatchObject({ errorCode: '200' });
    term.outbox.length = 0;
    await observeFor(500); // quiet: the duplicate and the bad record add nothing
    expect(passesOf().length).toBe(before + 1);
    expect(box.runtime.access!.records.list({ deviceKey: KEY })).toHaveLength(stored + 1);
    const fails = await post('/device/register', { msgType: 'register' });
    expect(fails.errorCode).toBe('200');
    // The deviceNo is the protocol's only credential: from another address it is not enough.
    const forged = term.pass({ idNumber: 'nobody-here' });
    term.outbox.length = 0;
    const reply = await fromAddress('127.0.0.9', `${base}/face/record`, { ...forged, msgID: 'forged-1' });
    // Refused before any handler ran (a stored record is committed before the reply): nothing to wait for.
    expect(reply).toMatchObject({ errorCode: '200', msg: 'unknown device, or not from its configured address' });
    expect(box.runtime.access!.records.list({ deviceKey: KEY })).toHaveLength(stored + 1);
  }, 30_000);

  it('answers a remote open with a timeout when the terminal never polls, and does not open late', async () => {
    term.stop();
    const t0 = Date.now();
    const r = await box.runtime.host.callService(PK, DN, 'remoteOpen', {}, 20_000);
    expect(r.code).toBe(ERRORS.EDGE_ERR_FACE_OPEN_TIMEOUT.alink);
    // The configured openTimeoutMs (6 s; 30 s by default), not earlier: the terminal may still poll.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(5_900);
    const before = term.state.opens;
    await term.start();
    await observeFor(3000); // quiet: the late poll opens nothing
    expect(term.state.opens).toBe(before);
  }, 40_000);
});
