/**
 * The GB28181 camera driver in-process against the simulator (scripts/sim/gb28181) over real UDP
 * on loopback: an NVR numbering channels from 33 and a camera register with digest and go online,
 * the catalog names the channels, PTZ / preset / record / guard / reboot reach the simulated
 * device as the standard's commands (the PTZCmd bytes decoded by the sim), record and guard wait
 * for the device's Response, an alarm notification becomes the `alarm` (and `motion`) event and is
 * answered with the alarm Response, DeviceStatus fills WorkStatus/Recording, queryRecordings
 * collects the paged RecordInfo answer, a snapshot of the camera and of an NVR channel comes from
 * the simulator's test-pattern stream (INVITE answered by scripts/sim/gb28181/answer-media.ts),
 * and a sim that unregisters goes offline.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGbCameraDriver, type GbCameraDriver } from '../../drivers/gb28181-camera/index.js';
import { ALINK, type DeviceHandle, type DeviceInfo } from '../../edge/host/sdk/driver.js';
import { answerMedia } from '../../scripts/sim/gb28181/answer-media.js';
import { SimGbDevice, type SimDeviceOptions } from '../../scripts/sim/gb28181/device.js';
import { freePort } from '../helpers/runtime.js';
import { waitFor } from '../helpers/wait.js';

const log = pino({ level: 'silent' });
const NVR_ID = '34020000001180000001';
const CAM_ID = '34020000001320000001';
const PASSWORD = 'box-pass-1';

interface Recorded extends DeviceHandle {
  props: Record<string, unknown>;
  events: Array<{ id: string; params: Record<string, unknown> }>;
  isOnline: boolean;
}
function handle(info: DeviceInfo): Recorded {
  const h: Recorded = {
    ...info,
    log,
    props: {},
    events: [],
    isOnline: false,
    online: () => void (h.isOnline = true),
    offline: () => void (h.isOnline = false),
    reportProperties: (v) => void Object.assign(h.props, v),
    reportEvent: (id, params) => void h.events.push({ id, params }),
  };
  return h;
}

const nvr = handle({ productKey: 'PEGbNvr', deviceName: 'YPLXJ-000118', custom: { gbId: NVR_ID } });
const ch1 = handle({
  productKey: 'PEGbCamera',
  deviceName: 'YPLXJ-000118_1_Gate1',
  custom: { gbId: '34020000001310000033', parent: NVR_ID },
});
const cam = handle({ productKey: 'PEGbCamera', deviceName: 'SXJ-001274', custom: { gbId: CAM_ID } });

let dir: string;
let driver: GbCameraDriver;
let simNvr: SimGbDevice;
let simCam: SimGbDevice;
const pictures: Buffer[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gb-sim-'));
  const port = await freePort();
  driver = createGbCameraDriver({
    config: {
      sipIp: '127.0.0.1',
      sipPort: port,
      sipUdpPort: port,
      password: PASSWORD,
      catalogWaitS: 3,
      media: { mediaIp: '127.0.0.1' },
    },
    log,
    dataDir: dir,
    host: {
      async call<T>(method: string, args?: Record<string, unknown>) {
        if (method !== 'files.storePicture') return { code: 6304, message: 'unknown' };
        pictures.push(Buffer.from(String(args?.base64), 'base64'));
        return {
          code: 200,
          message: 'success',
          data: { id: `p${pictures.length}`, url: `http://127.0.0.1:9102/oss/capture/p${pictures.length}.jpg` } as T,
        };
      },
    },
  });
  await driver.start?.();
  for (const h of [nvr, ch1, cam]) await driver.addDevice(h);
  const base: SimDeviceOptions = {
    id: NVR_ID,
    password: PASSWORD,
    boxHost: '127.0.0.1',
    boxPort: port,
    boxId: '34020000002000000001',
    domain: '3402000000',
    localAddress: '127.0.0.1',
    kind: 'nvr',
    channels: 2,
    from33: true,
    keepaliveS: 60,
    expiresS: 3600,
    pageSize: 1,
  };
  simNvr = new SimGbDevice(base);
  simCam = new SimGbDevice({ ...base, id: CAM_ID, kind: 'camera', channels: 1, localAddress: '127.0.0.2' });
  answerMedia(simNvr, { width: 320, height: 240 });
  answerMedia(simCam, { width: 320, height: 240 });
  await simNvr.start();
  await simCam.start();
});

afterAll(async () => {
  await simNvr?.stop();
  await simCam?.stop();
  await driver?.stop?.(false);
  rmSync(dir, { recursive: true, force: true });
});

const call = (h: DeviceHandle, id: string, params: Record<string, unknown> = {}) => driver.callService(h, id, params);

describe('driver + simulator', () => {
  it('register with digest → online; the catalog from 33 names channel 1; channel 34 is discovered', async () => {
    expect(await simNvr.register()).toBe(200);
    expect(await simCam.register()).toBe(200);
    await waitFor(() => nvr.isOnline && cam.isOnline && ch1.isOnline);
    await waitFor(() => nvr.props.ChannelCount === 2);
    expect(ch1.props).toMatchObject({ Channel: 1, ChannelStatus: 1 });
    await waitFor(() => driver.discovered.list().find((d) => d.gbId === '34020000001310000034'));
    expect(simNvr.queries).toEqual(expect.arrayContaining(['Catalog', 'DeviceInfo', 'DeviceStatus']));
    await waitFor(() => cam.props.WorkStatus === 1 && cam.props.Recording === 0 && cam.props.Encoding === 1);
  });

  it('ptz and presets reach the device as PTZCmd frames with the right bits, speeds and preset numbers', async () => {
    expect(await call(cam, 'ptz', { direction: '5', zoom: '1', speed: 200 })).toMatchObject({ code: ALINK.SUCCESS });
    expect(await call(cam, 'ptz', { direction: '0' })).toMatchObject({ code: ALINK.SUCCESS });
    expect(await call(ch1, 'preset', { action: '1', index: 7 })).toMatchObject({ code: ALINK.SUCCESS });
    await waitFor(() => simCam.controls.length === 2 && simNvr.controls.length === 1);
    expect(simCam.controls.map((c) => c.ptz)).toEqual([
      { kind: 'move', direction: 'upLeft', zoom: 'in', panSpeed: 200, tiltSpeed: 200, zoomSpeed: 12, address: 1 },
      { kind: 'move', direction: 'stop', zoom: 'none', panSpeed: 0, tiltSpeed: 0, zoomSpeed: 0, address: 1 },
    ]);
    // A channel's command goes to its NVR with the channel's id in the body.
    expect(simNvr.controls[0]).toMatchObject({ deviceId: '34020000001310000033', ptz: { kind: 'preset', action: 'call', index: 7 } });
    expect(await call(cam, 'preset', { action: '1', index: 0 })).toMatchObject({ code: ALINK.REQUEST_INVALID });
    expect(await call(cam, 'ptz', { direction: '9' })).toMatchObject({ code: ALINK.REQUEST_INVALID });
  });

  it('record and guard wait for the Response Result; reboot of a channel is refused, of the NVR sent', async () => {
    expect(await call(cam, 'record', { recording: '1' })).toEqual({ code: ALINK.SUCCESS, message: 'success', data: { result: 'OK' } });
    expect(simCam.recording).toBe(true);
    expect(await call(nvr, 'guard', { guard: '1' })).toMatchObject({ code: ALINK.SUCCESS });
    expect(simNvr.guarded).toBe(true);
    expect(await call(ch1, 'reboot')).toMatchObject({ code: ALINK.REQUEST_INVALID });
    expect(await call(nvr, 'reboot')).toMatchObject({ code: ALINK.SUCCESS });
    await waitFor(() => simNvr.controls.some((c) => 'TeleBoot' in c.command));
  });

  it('an alarm becomes the alarm event (and motion for a motion-detection video alarm) and is answered', async () => {
    expect((await simNvr.alarm(5, 2, 1)).status).toBe(200);
    await waitFor(() => ch1.events.length === 2);
    expect(ch1.events[0]).toMatchObject({ id: 'alarm', params: { priority: 1, method: 5, type: 2, gbId: '34020000001310000033' } });
    expect(ch1.events[1]).toMatchObject({ id: 'motion', params: { priority: 1 } });
    await waitFor(() => simNvr.alarmAcks === 1);
    expect((await simCam.alarm(2, 1, 2)).status).toBe(200);
    await waitFor(() => cam.events.length === 1);
    expect(cam.events[0]).toMatchObject({ id: 'alarm', params: { method: 2, type: 1, priority: 2 } });
  });

  it('queryRecordings collects the paged RecordInfo answer, times in UTC ms', async () => {
    const start = Date.UTC(2024, 0, 1, 0, 0, 0);
    const r = await call(ch1, 'queryRecordings', { startTime: String(start), endTime: String(start + 3 * 3600_000), type: 'all' });
    expect(r).toMatchObject({ code: ALINK.SUCCESS, data: { count: 3, complete: 1 } });
    const records = (r.data as { records: Array<{ startTime: string; endTime: string; filePath: string }> }).records;
    expect(records.map((x) => Number(x.startTime) - start)).toEqual([0, 3600_000, 7200_000]);
    expect(Number(records[0]!.endTime) - start).toBe(1_200_000);
    expect(records[0]!.filePath).toMatch(/^\/record\/34020000001310000033\//);
    expect(await call(cam, 'queryRecordings', { startTime: '5', endTime: '4' })).toMatchObject({ code: ALINK.REQUEST_INVALID });
    expect(await call(cam, 'queryRecordings', { startTime: '1', endTime: '4', type: 'x' })).toMatchObject({ code: ALINK.REQUEST_INVALID });
  });

  it('takes a snapshot of the camera and of an NVR channel from the simulated stream', async () => {
    for (const [h, n] of [
      [cam, 1],
      [ch1, 2],
    ] as const) {
      const r = await call(h, 'snapshot');
      expect(r, h.deviceName).toMatchObject({ code: 200, data: { picUrl: `http://127.0.0.1:9102/oss/capture/p${n}.jpg` } });
      expect(pictures[n - 1]!.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    }
  }, 30_000);

  it('an unregistered device is offline and its services answer offline', async () => {
    expect(await simCam.unregister()).toBe(200);
    await waitFor(() => !cam.isOnline);
    expect(await call(cam, 'ptz', { direction: '1' })).toMatchObject({ code: ALINK.DEVICE_OFFLINE });
  });
});
