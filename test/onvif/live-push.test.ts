/**
 * ONVIF live push (drivers/onvif-camera/live-push.ts) in-process against the camera simulator,
 * whose RTSP test stream asks for the camera's account: the relay's ffmpeg pulls it with the
 * credentials and pushes to HLS files and to an RTMP receiver, and ffprobe decodes frames from
 * what arrived. The relay cap refuses the second push, `stopLivePush` ends one without an event,
 * and a stream that dies under a push is reported as `streamFailed` with no ffmpeg left.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIVER_ERRORS, type Answer, type DeviceHandle, type HostServices } from '../../edge/host/sdk/driver.js';
import { createOnvifCameraDriver, type OnvifCameraDriver } from '../../drivers/onvif-camera/index.js';
import { OnvifCameraSim } from '../../scripts/sim/onvif/camera.js';
import { alive, decodedFrames, freeTcpPort, RtmpReceiver } from '../media/peers.js';
import { waitFor } from '../helpers/wait.js';

interface Recorded extends DeviceHandle {
  status: string[];
  props: Record<string, unknown>[];
  events: Array<{ id: string; params: Record<string, unknown> }>;
}

const logs: Array<Record<string, unknown>> = [];
const log = pino({ level: 'info' }, { write: (s: string) => void logs.push(JSON.parse(s) as Record<string, unknown>) });
const host: HostServices = {
  async call<T>(): Promise<Answer<T>> {
    return { code: 6304, message: 'unknown' };
  },
};

function handle(deviceName: string, port: number): Recorded {
  const h: Recorded = {
    productKey: 'PEOnvifCamera',
    deviceName,
    custom: { ip: '127.0.0.1', port, username: 'admin', password: 'admin123' },
    status: [],
    props: [],
    events: [],
    online: () => void h.status.push('online'),
    offline: () => void h.status.push('offline'),
    reportProperties: (v) => void h.props.push(v),
    reportEvent: (id, params) => void h.events.push({ id, params }),
    log,
  };
  return h;
}

const dir = mkdtempSync(join(tmpdir(), 'pe-onvif-live-'));
let sim: OnvifCameraSim;
let driver: OnvifCameraDriver;
let cam: Recorded;
let second: Recorded;
const receivers: RtmpReceiver[] = [];

beforeAll(async () => {
  sim = new OnvifCameraSim({ pullHoldMs: 300, discoveryPort: null, rtspAuth: true });
  await sim.start();
  driver = createOnvifCameraDriver({
    config: { timeoutS: 10, checkIntervalS: 5, events: false, media: { maxRelays: 1, idleTimeoutS: 3, hlsDir: join(dir, 'hls') } },
    log,
    host,
  });
  cam = handle('SXJ-001274', sim.httpPort);
  second = handle('SXJ-001275', sim.httpPort);
  await driver.addDevice(cam);
  await driver.addDevice(second);
  await waitFor(() => cam.status.at(-1) === 'online' && second.status.at(-1) === 'online', { timeoutMs: 10_000, what: 'cameras online' });
});

afterAll(async () => {
  await driver?.stop?.(false);
  for (const r of receivers) r.kill();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ONVIF live push through the shared relay', () => {
  it('pulls the RTSP stream with the camera account and writes HLS that decodes', async () => {
    const a = await driver.callService(cam, 'startLivePush', { streamType: 0, scheme: 'hls', forceIFrame: true });
    expect(a).toMatchObject({ code: 200, data: { path: join(dir, 'hls', 'SXJ-001274_live', 'index.m3u8') } });
    // ffmpeg asked without credentials first, was refused, then played with the account from the URI.
    expect(sim.rtsp!.refused).toBeGreaterThan(0);
    expect(sim.rtsp!.playing).toBe(1);
    expect(cam.props.at(-1)).toEqual({ liveStatus: 1 });
    const folder = join(dir, 'hls', 'SXJ-001274_live');
    await waitFor(() => readdirSync(folder).filter((f) => f.endsWith('.ts')).length >= 2, { timeoutMs: 15_000, what: 'two HLS segments' });
    expect(await decodedFrames(join(folder, 'seg00000.ts'))).toBeGreaterThan(5);
    // The log names the stream without the account.
    expect(JSON.stringify(logs)).not.toContain('admin123');
  });

  it('refuses a second push over the cap, and a push the relay cannot serve', async () => {
    expect(await driver.callService(second, 'startLivePush', { scheme: 'hls' })).toMatchObject({
      code: DRIVER_ERRORS.EDGE_ERR_DRIVER_FAILED.alink,
      message: expect.stringContaining('all 1 relays are in use'),
    });
    expect(await driver.callService(second, 'startLivePush', { scheme: 'rtsp' })).toMatchObject({ code: 460 });
    expect(await driver.callService(second, 'startLivePush', { scheme: 'rtmp', url: 'http://x' })).toMatchObject({ code: 460 });
    expect(await driver.callService(second, 'startLivePush', { scheme: 'hls', encrypted: true })).toMatchObject({ code: 460 });
    expect(await driver.callService(second, 'startLivePush', { scheme: 'hls', streamType: 2 })).toMatchObject({ code: 460 });
  });

  it('stops on stopLivePush without streamFailed and frees the slot', async () => {
    expect(driver.live.pool.size).toBe(1);
    expect(await driver.callService(cam, 'stopLivePush', { streamType: 0 })).toMatchObject({ code: 200, data: { stopped: true } });
    expect(cam.props.at(-1)).toEqual({ liveStatus: 0 });
    expect(cam.events).toEqual([]);
    expect(driver.live.pool.size).toBe(0);
    expect(await driver.callService(cam, 'stopLivePush', {})).toMatchObject({ code: 200, data: { stopped: false } });
    await waitFor(() => sim.rtsp!.playing === 0, { timeoutMs: 5000, what: 'RTSP client gone' });
  });

  it('pushes the sub stream to an RTMP receiver, whose file decodes', async () => {
    const rtmp = new RtmpReceiver(await freeTcpPort(), join(dir, 'sub.flv'));
    receivers.push(rtmp);
    expect(await rtmp.ready()).toBe(true);
    const a = await driver.callService(second, 'startLivePush', { streamType: 1, scheme: 'rtmp', url: rtmp.url });
    expect(a).toMatchObject({ code: 200, data: { path: rtmp.url } });
    await waitFor(() => (driver.live.framesOf(second) ?? 0) >= 20, { timeoutMs: 15_000, what: '20 frames relayed' });
    expect(await driver.callService(second, 'stopLivePush', {})).toMatchObject({ data: { stopped: true } });
    await rtmp.exited;
    expect(await decodedFrames(rtmp.file)).toBeGreaterThanOrEqual(20);
  });

  it('reports streamFailed when the stream dies under a push, and leaves no ffmpeg', async () => {
    expect(await driver.callService(cam, 'startLivePush', { scheme: 'hls' })).toMatchObject({ code: 200 });
    const pid = driver.live.pidOf(cam);
    expect(alive(pid)).toBe(true);
    await sim.rtsp!.close();
    await waitFor(() => cam.events.length > 0, { timeoutMs: 15_000, what: 'streamFailed' });
    expect(cam.events[0]).toMatchObject({ id: 'streamFailed', params: { reason: expect.stringMatching(/^(ffmpeg-exit|idle)$/) } });
    expect(String(cam.events[0]?.params.detail)).not.toContain('admin123');
    expect(cam.props.at(-1)).toEqual({ liveStatus: 0 });
    await waitFor(() => !alive(pid), { timeoutMs: 5000, what: 'ffmpeg gone' });
    expect(driver.live.pool.size).toBe(0);
  });
});
