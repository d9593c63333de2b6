/**
 * The camera driver's media calls against the GB28181 simulator (scripts/sim/gb28181 with
 * answer-media.ts) over UDP on loopback, the way the cloud camera API asks (digest 001d §3.D,
 * R33): `forceIFrame` reaches the camera as DeviceControl IFameCmd once the push runs; an INVITE
 * that got 100/180 but no 200 in time, or whose push is stopped before the 200, is CANCELled and
 * the 487 ACKed; a 200 that crosses the CANCEL is ACKed and hung up; playback by a listed
 * recording's file name INVITEs its range from seekTime on; pause, seek and speed go as INFO with
 * the MANSRTSP bodies of GB/T 28181-2016 Annex B.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGbCameraDriver, type GbCameraDriver } from '../../drivers/gb28181-camera/index.js';
import { ALINK, type DeviceHandle } from '../../edge/host/sdk/driver.js';
import { parseMansrtsp } from '../../protocols/gb28181/mansrtsp.js';
import { answerMedia, type AnswerOptions, type MediaRecord } from '../../scripts/sim/gb28181/answer-media.js';
import type { SimGbDevice } from '../../scripts/sim/gb28181/device.js';
import { simCamera } from './sim-camera.js';
import { freePort } from '../helpers/runtime.js';
import { waitFor } from '../helpers/wait.js';

const log = pino({ level: 'silent' });
const CAM_ID = '34020000001320000001';
const PASSWORD = 'box-pass-1';

let online = false;
const cam: DeviceHandle = {
  productKey: 'PEGbCamera',
  deviceName: 'SXJ-001274',
  custom: { gbId: CAM_ID },
  log,
  online: () => void (online = true),
  offline: () => void (online = false),
  reportProperties: () => undefined,
  reportEvent: () => undefined,
};

let dir: string;
let driver: GbCameraDriver;
let sim: SimGbDevice;
let rec: MediaRecord;
const records: MediaRecord[] = [];
const answering = (o: AnswerOptions = {}) => {
  rec = answerMedia(sim, { width: 160, height: 120, ...o });
  records.push(rec);
};
const call = (id: string, params: Record<string, unknown> = {}) => driver.callService(cam, id, params);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gb-sim-media-'));
  const port = await freePort();
  driver = createGbCameraDriver({
    config: {
      sipIp: '127.0.0.1',
      sipPort: port,
      sipUdpPort: port,
      password: PASSWORD,
      catalogWaitS: 3,
      media: { mediaIp: '127.0.0.1', inviteTimeoutS: 1 },
    },
    log,
    dataDir: dir,
  });
  await driver.start?.();
  await driver.addDevice(cam);
  sim = simCamera(CAM_ID, PASSWORD, port);
  answering();
  await sim.start();
  expect(await sim.register()).toBe(200);
  await waitFor(() => online, { timeoutMs: 10_000, what: 'camera online' });
});

afterEach(async () => {
  for (const kind of ['live', 'playback']) await driver.media.stop(`SXJ-001274:${kind}`);
});

afterAll(async () => {
  await driver?.stop?.(false);
  // The camera side's streams whose BYE was not awaited by the box.
  const medias = records.flatMap((r) => [...r.sessions.values()]);
  for (const m of medias) m.stop();
  await Promise.all(medias.map((m) => m.ended));
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('GB28181 media calls against the simulator', () => {
  it('forceIFrame sends DeviceControl IFameCmd to the camera once the push runs', async () => {
    answering();
    sim.controls.length = 0;
    const a = await call('startLivePush', { streamType: 0, scheme: 'hls', forceIFrame: true });
    expect(a).toMatchObject({ code: 200, data: { path: expect.stringMatching(/index\.m3u8$/) } });
    await waitFor(() => rec.acks.length > 0, { timeoutMs: 3000, what: 'ACK of the 200' });
    expect(rec.acks).toEqual([rec.invites[0]?.callId]);
    await waitFor(() => sim.controls.length > 0, { timeoutMs: 5000, what: 'IFameCmd at the sim' });
    expect(sim.controls.map((c) => ({ deviceId: c.deviceId, command: c.command }))).toEqual([
      { deviceId: CAM_ID, command: { IFameCmd: 'Send' } },
    ]);
    // Without forceIFrame nothing more is sent.
    expect(await call('startLivePush', { scheme: 'hls' })).toMatchObject({ code: 200 });
    expect(sim.controls).toHaveLength(1);
  }, 30_000);

  it('CANCELs an INVITE that got 100/180 but no 200 in inviteTimeoutS, and ACKs the 487', async () => {
    answering({ answerDelayMs: 4000 });
    const a = await call('startLivePush', { scheme: 'hls' });
    expect(a).toMatchObject({ code: ALINK.DRIVER_FAILED, message: expect.stringContaining('cancelled (487') });
    const callId = rec.invites[0]?.callId;
    expect(rec.cancels).toEqual([callId]);
    await waitFor(() => rec.acks.includes(callId ?? '-'), { timeoutMs: 3000, what: 'ACK of the 487' });
    expect(driver.media.size).toBe(0);
    expect(driver.media.pool.size).toBe(0);
  }, 30_000);

  it('CANCELs when the push is stopped before the 200', async () => {
    answering({ answerDelayMs: 5000 });
    const pending = call('startLivePush', { scheme: 'hls' });
    await waitFor(() => rec.invites.length === 1, { timeoutMs: 3000, what: 'INVITE at the sim' });
    expect(await call('stopLivePush', { streamType: 0 })).toMatchObject({ code: 200, data: { stopped: true } });
    expect(await pending).toMatchObject({ code: ALINK.DRIVER_FAILED, message: expect.stringContaining('cancelled') });
    expect(rec.cancels).toEqual([rec.invites[0]?.callId]);
    expect(driver.media.pool.size).toBe(0);
  }, 30_000);

  it('ACKs and hangs up a 200 that crossed the CANCEL', async () => {
    answering({ answerDelayMs: 2500, ignoreCancel: true });
    const a = await call('startLivePush', { scheme: 'hls' });
    expect(a).toMatchObject({ code: ALINK.DRIVER_FAILED, message: expect.stringContaining('crossed the CANCEL') });
    const callId = rec.invites[0]?.callId ?? '-';
    expect(rec.cancels).toEqual([callId]);
    await waitFor(() => rec.byes.includes(callId), { timeoutMs: 5000, what: 'BYE of the crossing 200' });
    expect(rec.acks).toContain(callId);
    expect(rec.sessions.size).toBe(0);
  }, 30_000);

  it('plays back a listed recording by file name from seekTime, and pauses, seeks and speeds it with MANSRTSP', async () => {
    answering();
    const now = Date.now();
    const listed = await call('queryRecordings', { startTime: now - 3 * 3600_000, endTime: now });
    expect(listed.code).toBe(200);
    const first = (listed.data as { records: Array<{ name: string; startTime: string; endTime: string }> }).records[0]!;
    expect(await call('startPlayback', { fileName: 'no-such-file', scheme: 'hls' })).toMatchObject({ code: ALINK.REQUEST_INVALID });
    const a = await call('startPlayback', { fileName: first.name, seekTime: 60, scheme: 'hls' });
    expect(a).toMatchObject({ code: 200, data: { vodUrl: expect.stringMatching(/index\.m3u8$/) } });
    const sdp = rec.invites.at(-1)!.sdp;
    expect(sdp).toContain('s=Playback');
    expect(sdp).toContain(`t=${Number(first.startTime) / 1000 + 60} ${Number(first.endTime) / 1000}`);

    expect(await call('playbackControl', { action: 'pause' })).toMatchObject({ code: 200 });
    expect(await call('playbackControl', { action: 'seek', seekTime: 300 })).toMatchObject({ code: 200 });
    expect(await call('playbackControl', { action: 'speed', scale: 2 })).toMatchObject({ code: 200 });
    expect(await call('playbackControl', { action: 'speed', scale: 3 })).toMatchObject({ code: ALINK.REQUEST_INVALID });
    expect(rec.infos.map((i) => i.contentType)).toEqual(Array(3).fill('Application/MANSRTSP'));
    expect(rec.infos.map((i) => parseMansrtsp(i.body))).toEqual([
      { method: 'PAUSE', cseq: 1, headers: { cseq: '1', pausetime: 'now' } },
      { method: 'PLAY', cseq: 2, headers: { cseq: '2', range: 'npt=300-' } },
      { method: 'PLAY', cseq: 3, headers: { cseq: '3', scale: '2.0', range: 'npt=now-' } },
    ]);
    expect(new Set(rec.infos.map((i) => i.callId))).toEqual(new Set([rec.invites.at(-1)!.callId]));
    await driver.media.stop('SXJ-001274:playback');
    expect(await call('playbackControl', { action: 'pause' })).toMatchObject({ code: ALINK.REQUEST_INVALID });
  }, 40_000);
});
