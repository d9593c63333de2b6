/**
 * The onvif-camera driver (drivers/onvif-camera/) in-process against the camera simulator over
 * loopback: discovered by a unicast WS-Discovery probe, configured, online with its device
 * information, PTZ moves and presets arriving at the simulator, a snapshot handed to the file
 * service, motion and tamper as thing-model events; a camera that disappears goes offline and
 * comes back. Wrong passwords and hostile cameras: driver-hostile.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIVER_ERRORS } from '../../edge/host/sdk/driver.js';
import { CameraSession } from '../../drivers/onvif-camera/camera.js';
import type { OnvifCameraDriver } from '../../drivers/onvif-camera/index.js';
import { OnvifCameraSim } from '../../scripts/sim/onvif/camera.js';
import { waitFor } from '../helpers/wait.js';
import { CAM as camOn, handle, last, log, logs, type Recorded, stored, testDriver } from './driver-harness.js';

const FAILED = DRIVER_ERRORS.EDGE_ERR_DRIVER_FAILED.alink;

let sim: OnvifCameraSim;
let driver: OnvifCameraDriver;

beforeAll(async () => {
  sim = new OnvifCameraSim({ pullHoldMs: 300, rtspPort: null });
  await sim.start();
  driver = testDriver(sim.discoveryPort);
});

afterAll(async () => {
  await driver?.stop?.(false);
  await sim?.close();
});

const CAM = () => camOn(sim.httpPort);
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
