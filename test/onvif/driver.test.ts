/**
 * The onvif-camera driver (drivers/onvif-camera/) in-process against the camera simulator over
 * loopback: discovered by a unicast WS-Discovery probe, configured, online with its device
 * information, PTZ moves and presets arriving at the simulator, a snapshot handed to the file
 * service, motion and tamper as thing-model events; a wrong password goes offline once with a
 * clear reason, a camera that disappears goes offline and comes back; hostile cameras (garbage
 * SOAP, a 1 MB answer, one that never answers) leave the driver answering.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIVER_ERRORS, type Answer, type DeviceHandle, type HostServices } from '../../edge/host/sdk/driver.js';
import { CameraSession } from '../../drivers/onvif-camera/camera.js';
import { createOnvifCameraDriver, type OnvifCameraDriver } from '../../drivers/onvif-camera/index.js';
import { OnvifCameraSim } from '../../scripts/sim/onvif/camera.js';
import { observeFor, waitFor } from '../helpers/wait.js';

interface Recorded extends DeviceHandle {
  status: string[];
  reasons: string[];
  props: Record<string, unknown>;
  events: Array<{ id: string; params: Record<string, unknown> }>;
}

const logs: Array<Record<string, unknown>> = [];
const log = pino({ level: 'info' }, { write: (s: string) => void logs.push(JSON.parse(s) as Record<string, unknown>) });
const stored: Array<Record<string, unknown>> = [];
const host: HostServices = {
  async call<T>(method: string, args?: Record<string, unknown>): Promise<Answer<T>> {
    if (method !== 'files.storePicture') return { code: 6304, message: 'unknown' };
    stored.push(args!);
    return {
      code: 200,
      message: 'success',
      data: { id: `f${stored.length}`, url: `http://127.0.0.1:9102/oss/snapshot/f${stored.length}.jpg` } as T,
    };
  },
};

function handle(deviceName: string, custom: Record<string, unknown>): Recorded {
  const h: Recorded = {
    productKey: 'PEOnvifCamera',
    deviceName,
    custom,
    status: [],
    reasons: [],
    props: {},
    events: [],
    online: () => void h.status.push('online'),
    offline: (reason?: string) => {
      h.status.push('offline');
      h.reasons.push(reason ?? '');
    },
    reportProperties: (v) => Object.assign(h.props, v),
    reportEvent: (id, params) => void h.events.push({ id, params }),
    log,
  };
  return h;
}
const last = (h: Recorded) => h.status.at(-1);
const FAILED = DRIVER_ERRORS.EDGE_ERR_DRIVER_FAILED.alink;

let sim: OnvifCameraSim;
let other: OnvifCameraSim;
let driver: OnvifCameraDriver;
const hostile: Server[] = [];
const held = new Set<Socket>();
const ports: Record<'garbage' | 'big' | 'hang' | 'endless', number> = { garbage: 0, big: 0, hang: 0, endless: 0 };

async function serve(name: keyof typeof ports, answer: (res: import('node:http').ServerResponse) => void) {
  const s = createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(res));
  });
  s.on('connection', (c: Socket) => {
    held.add(c);
    c.on('close', () => held.delete(c));
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  hostile.push(s);
  ports[name] = (s.address() as AddressInfo).port;
}

beforeAll(async () => {
  sim = new OnvifCameraSim({ pullHoldMs: 300, rtspPort: null });
  other = new OnvifCameraSim({ pullHoldMs: 300, rtspPort: null, discoveryPort: null, password: 'right-one' });
  await Promise.all([sim.start(), other.start()]);
  await serve('garbage', (res) => res.writeHead(200, { 'content-type': 'application/soap+xml' }).end('<s:Envelope><s:Body><<<garbage'));
  await serve('big', (res) =>
    res.writeHead(200, { 'content-type': 'application/soap+xml' }).end(`<Envelope><Body>${'<a>x</a>'.repeat(131_072)}</Body></Envelope>`),
  );
  await serve('hang', () => undefined);
  // An answer without end, written as fast as the driver reads it.
  await serve('endless', (res) => {
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    res.writeHead(200, { 'content-type': 'application/soap+xml' });
    const pump = () => {
      while (!res.destroyed && res.write(chunk));
    };
    res.on('drain', pump);
    pump();
  });
  driver = createOnvifCameraDriver({
    config: {
      timeoutS: 1,
      checkIntervalS: 1,
      retryMinS: 0.1,
      retryMaxS: 0.4,
      discovery: { targets: [`127.0.0.1:${sim.discoveryPort}`], waitMs: 300 },
    },
    log,
    host,
  });
});

afterAll(async () => {
  await driver?.stop?.(false);
  for (const c of held) c.destroy();
  await Promise.all(hostile.map((s) => new Promise((r) => s.close(r))));
  await Promise.all([sim?.close(), other?.close()]);
});

const CAM = () =>
  handle('SXJ-001274', {
    ip: '127.0.0.1',
    port: sim.httpPort,
    username: 'admin',
    password: 'admin123',
    categoryCode: 'community/security/tptzcamera',
  });
let cam: Recorded;

describe('onvif-camera driver against the simulator', () => {
  it('discovers the camera by a unicast probe', async () => {
    const a = await driver.discover!({});
    expect(a.code).toBe(200);
    expect(a.data).toMatchObject([{ urn: sim.urn, ip: '127.0.0.1', port: sim.httpPort, configured: null }]);
  });

  it('brings a configured camera online with its device information', async () => {
    cam = CAM();
    await driver.addDevice(cam);
    await waitFor(() => last(cam) === 'online', { timeoutMs: 10_000, what: 'camera online' });
    expect(cam.props).toMatchObject({
      Manufacturer: 'Uniview',
      Model: 'IPC-SIM-2K',
      Firmware: 'SIM-1.0.0',
      SerialNumber: 'SIM-0001',
      Profile: 'Profile_1',
      Profiles: 'Profile_1 320x240 H264, Profile_2 160x120 H264',
      PtzSupported: true,
      CategoryCode: 'community/security/tptzcamera',
    });
    expect((await driver.discover!({})).data).toMatchObject([{ configured: 'SXJ-001274' }]);
    // Both authentication schemes' traffic is WS-UsernameToken here: every call after the clock was authenticated.
    expect(sim.requests.filter((r) => r.action !== 'GetSystemDateAndTime').every((r) => r.authenticated)).toBe(true);
  });

  it('moves, stops and goes to positions on PTZ calls', async () => {
    sim.state.moves.length = 0;
    expect(await driver.callService(cam, 'ptz', { direction: 'right', speed: 50 })).toMatchObject({ code: 200, data: { moving: true } });
    expect(await driver.callService(cam, 'ptz', { stop: true })).toMatchObject({ code: 200, data: { moving: false } });
    expect(await driver.callService(cam, 'ptz', { pan: -0.2, tilt: 0.4, zoom: 0, durationMs: 500 })).toMatchObject({ code: 200 });
    expect(await driver.callService(cam, 'ptz', { direction: 'zoomin', speed: 100 })).toMatchObject({ code: 200 });
    expect(await driver.callService(cam, 'ptz', { direction: 'sideways' })).toMatchObject({ code: 460 });
    expect(await driver.callService(cam, 'ptz', {})).toMatchObject({ code: 460 });
    expect(await driver.callService(cam, 'ptzAbsolute', { pan: 0.5, tilt: -0.5, zoom: 0.25 })).toMatchObject({ code: 200 });
    expect(sim.state.moves).toEqual([
      { op: 'ContinuousMove', profile: 'Profile_1', pan: 0.5, tilt: 0, zoom: 0 },
      { op: 'Stop', profile: 'Profile_1' },
      { op: 'ContinuousMove', profile: 'Profile_1', pan: -0.2, tilt: 0.4, zoom: 0 },
      { op: 'ContinuousMove', profile: 'Profile_1', pan: 0, tilt: 0, zoom: 1 },
      { op: 'AbsoluteMove', profile: 'Profile_1', pan: 0.5, tilt: -0.5, zoom: 0.25 },
    ]);
  });

  it('sets, calls and deletes presets by number', async () => {
    sim.state.moves.length = 0;
    expect(await driver.callService(cam, 'preset', { action: 'set', index: 3 })).toMatchObject({ code: 200, data: { index: 3 } });
    expect(await driver.callService(cam, 'preset', { action: 'set', index: 3 })).toMatchObject({ code: 200 }); // updates, no second preset
    expect([...sim.state.presets.values()].map((p) => p.name)).toEqual(['3']);
    expect(await driver.callService(cam, 'preset', { action: 'call', index: 3 })).toMatchObject({ code: 200 });
    expect(sim.state.moves).toEqual([{ op: 'GotoPreset', profile: 'Profile_1', preset: [...sim.state.presets.keys()][0] }]);
    expect(await driver.callService(cam, 'preset', { action: 'delete', index: 3 })).toMatchObject({ code: 200 });
    expect(sim.state.presets.size).toBe(0);
    expect(await driver.callService(cam, 'preset', { action: 'call', index: 3 })).toMatchObject({
      code: 460,
      message: expect.stringContaining('no preset 3'),
    });
    expect(await driver.callService(cam, 'preset', { action: 'jump', index: 3 })).toMatchObject({ code: 460 });
  });

  it('takes a snapshot with HTTP Digest, checks it is a JPEG and stores it with the file service', async () => {
    const a = await driver.callService(cam, 'snapshot', {});
    expect(a).toMatchObject({
      code: 200,
      data: { url: expect.stringMatching(/^http:\/\/.*\.jpg$/), width: 320, height: 240, bytes: sim.jpeg.length },
    });
    expect(stored.at(-1)).toMatchObject({
      deviceKey: 'PEOnvifCamera/SXJ-001274',
      area: 'snapshot',
      ext: 'jpg',
      base64: sim.jpeg.toString('base64'),
    });
    const before = stored.length;
    const good = sim.jpeg;
    sim.jpeg = Buffer.from('<html>not a picture</html>');
    expect(await driver.callService(cam, 'snapshot', {})).toMatchObject({ code: FAILED, message: expect.stringContaining('no JPEG') });
    sim.jpeg = good.subarray(0, 200); // SOI, then cut off
    expect(await driver.callService(cam, 'snapshot', {})).toMatchObject({
      code: FAILED,
      message: expect.stringContaining('does not decode'),
    });
    sim.jpeg = good;
    expect(stored.length).toBe(before);
  });

  it('answers the RTSP URI without credentials and keeps them out of the log', async () => {
    expect(await driver.callService(cam, 'getStreamUri', {})).toEqual({
      code: 200,
      message: 'success',
      data: { uri: `${sim.state.rtspUrl}/Profile_1`, profile: 'Profile_1' },
    });
    expect(JSON.stringify(logs)).not.toContain('admin123');
  });

  it('reports motion and tamper from the PullPoint subscription as thing-model events', async () => {
    await waitFor(() => sim.subscriptions > 0, { timeoutMs: 5000, what: 'subscription' });
    sim.motion(true);
    sim.tamper(true);
    sim.motion(false);
    await waitFor(() => cam.events.length >= 3, { timeoutMs: 5000, what: 'three events' });
    expect(cam.events).toEqual([
      { id: 'motion', params: { state: true, topic: 'RuleEngine/CellMotionDetector/Motion' } },
      { id: 'alarm', params: { type: 'tamper', state: true, topic: 'RuleEngine/TamperDetector/Tamper' } },
      { id: 'motion', params: { state: false, topic: 'RuleEngine/CellMotionDetector/Motion' } },
    ]);
  });

  it('goes offline when the camera disappears and online again when it is back', async () => {
    sim.goDown();
    await waitFor(() => last(cam) === 'offline', { timeoutMs: 10_000, what: 'offline' });
    expect(cam.reasons.at(-1)).toMatch(/^the camera does not answer/);
    expect(await driver.callService(cam, 'ptz', { stop: true })).toMatchObject({ code: 6101 });
    sim.up();
    await waitFor(() => last(cam) === 'online', { timeoutMs: 10_000, what: 'back online' });
    expect(await driver.callService(cam, 'ptz', { stop: true })).toMatchObject({ code: 200 });
  });
});

describe('onvif-camera driver: HTTP Digest cameras', () => {
  it('comes online with a camera that accepts only HTTP Digest, and goes offline once on its wrong password', async () => {
    const digest = new OnvifCameraSim({ auth: 'digest', rtspPort: null, discoveryPort: null, pullHoldMs: 300 });
    await digest.start();
    const good = handle('SXJ-DIGEST', { ip: '127.0.0.1', port: digest.httpPort, username: 'admin', password: 'admin123' });
    const bad = handle('SXJ-DIGEST-BAD', { ip: '127.0.0.1', port: digest.httpPort, username: 'admin', password: 'wrong-one' });
    try {
      await driver.addDevice(good);
      await driver.addDevice(bad);
      await waitFor(() => last(good) === 'online' && last(bad) === 'offline', {
        timeoutMs: 10_000,
        what: 'digest camera online, bad offline',
      });
      expect(good.props).toMatchObject({ Manufacturer: 'Uniview', SerialNumber: 'SIM-0001' });
      expect(bad.reasons).toEqual([expect.stringMatching(/refused user admin: wrong user name or password/)]);
      expect(await driver.callService(good, 'snapshot', {})).toMatchObject({ code: 200 });
    } finally {
      await driver.removeDevice(good);
      await driver.removeDevice(bad);
      await digest.close();
    }
  }, 20_000);
});

describe('onvif-camera driver: refusals and hostile cameras', () => {
  it('goes offline once with a clear reason on a wrong password, however often it retries', async () => {
    const wrong = handle('SXJ-WRONG', { ip: '127.0.0.1', port: other.httpPort, username: 'admin', password: 'admin123' });
    await driver.addDevice(wrong);
    await waitFor(() => other.requests.filter((r) => r.action === 'GetServices').length >= 4, { timeoutMs: 10_000, what: 'four attempts' });
    expect(wrong.status).toEqual(['offline']);
    expect(wrong.reasons[0]).toMatch(/refused user admin: wrong user name or password/);
    expect(logs.filter((l) => l.device === 'SXJ-WRONG' && l.msg?.toString().startsWith('camera offline'))).toHaveLength(1);
    expect(JSON.stringify(logs)).not.toContain('admin123');
    await driver.removeDevice(wrong);
  });

  it('survives garbage SOAP, a 1 MB answer, an endless answer and a camera that never answers, and stops promptly', async () => {
    const hs = (['garbage', 'big', 'hang', 'endless'] as const).map((k) =>
      handle(`SXJ-${k}`, { ip: '127.0.0.1', port: ports[k], username: 'admin', password: 'admin123' }),
    );
    for (const h of hs) await driver.addDevice(h);
    await waitFor(() => hs.every((h) => last(h) === 'offline'), { timeoutMs: 10_000, what: 'all four offline' });
    expect(hs.map((h) => h.reasons[0])).toEqual([
      "the camera's answer is not usable ONVIF: GetSystemDateAndTime: Wrong ONVIF SOAP response",
      expect.stringMatching(/^the camera's answer is not usable ONVIF: GetSystemDateAndTime: /),
      expect.stringMatching(/^the camera does not answer: GetSystemDateAndTime: .*(no answer|timeout)/i),
      expect.stringMatching(/^the camera's answer is not usable ONVIF: GetSystemDateAndTime: .*larger than 4194304 bytes/),
    ]);
    // The good camera is still served meanwhile.
    expect(await driver.callService(cam, 'getStreamUri', {})).toMatchObject({ code: 200 });
    await observeFor(300);
    expect(hs.map((h) => h.status.filter((s) => s === 'offline').length)).toEqual([1, 1, 1, 1]);
    const t0 = performance.now();
    for (const h of hs) await driver.removeDevice(h);
    expect(performance.now() - t0).toBeLessThan(1000);
  }, 20_000);

  it('does not poll a camera in a tight loop when it answers empty pulls at once', async () => {
    const quick = new OnvifCameraSim({ pullHoldMs: 0, rtspPort: null, discoveryPort: null });
    await quick.start();
    const h = handle('SXJ-QUICK', { ip: '127.0.0.1', port: quick.httpPort, username: 'admin', password: 'admin123' });
    try {
      await driver.addDevice(h);
      await waitFor(() => quick.subscriptions > 0, { timeoutMs: 10_000, what: 'subscription' });
      const pulls = () => quick.requests.filter((r) => r.action === 'PullMessages').length;
      const before = pulls();
      await observeFor(2000);
      expect(pulls() - before).toBeLessThanOrEqual(3);
      quick.motion(true);
      await waitFor(() => h.events.length > 0, { timeoutMs: 5000, what: 'motion after paced pulls' });
    } finally {
      await driver.removeDevice(h);
      await quick.close();
    }
  }, 20_000);
});

describe('camera session: PullPoint subscription', () => {
  it('renews its subscription and keeps pulling events', async () => {
    const h = handle('SXJ-RENEW', {});
    const s = new CameraSession(
      h,
      { ip: '127.0.0.1', port: sim.httpPort, username: 'admin', password: 'admin123' },
      { timeoutMs: 2000, checkIntervalMs: 5000, retry: { minMs: 100, maxMs: 400 }, events: true, renewMs: 200 },
      log,
    );
    const renewals = () => sim.requests.filter((r) => r.action === 'Renew' && r.authenticated).length;
    const before = renewals();
    try {
      s.start();
      await waitFor(() => renewals() - before >= 2, { timeoutMs: 10_000, what: 'two renewals' });
      sim.motion(true);
      await waitFor(() => h.events.some((e) => e.id === 'motion'), { timeoutMs: 5000, what: 'motion after renewals' });
    } finally {
      s.stop();
    }
  }, 20_000);
});
