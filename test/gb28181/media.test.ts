/**
 * GB28181 media end to end, the driver run in-process against the test camera over loopback
 * (./media-camera.ts, which sends ffmpeg's test pattern as RTP PS): live push to an RTMP
 * receiver run by ffmpeg with frames decoded from what it got, HLS into a folder, snapshot
 * through files.storePicture, the idle timeout of a silent source, the relay cap, the camera's
 * BYE, hostile RTP, a refused INVITE and a playback ended by MediaStatus 121. After each test no
 * relay's ffmpeg is left.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Answer } from '../../edge/host/sdk/driver.js';
import { createGbCameraDriver, type GbCameraDriver } from '../../drivers/gb28181-camera/index.js';
import { buildRtp } from '../../protocols/media/rtp.js';
import { handle, quietLog, type RecordedHandle } from '../door-standard/harness.js';
import { waitFor } from '../helpers/wait.js';
import { TestCamera } from './media-camera.js';
import { alive, decodedFrames, freeTcpPort, freeUdpPort, RtmpReceiver } from '../media/peers.js';

const CAM = '34020000001320000001';
const PASSWORD = 'media-pw';
const dir = mkdtempSync(join(tmpdir(), 'gbmedia-'));
const pictures: Array<{ base64: string }> = [];
let driver: GbCameraDriver;
let h: RecordedHandle;
let camera: TestCamera;
let rtmp: RtmpReceiver | undefined;
let port = 0;
const pids: number[] = [];

async function call(service: string, args: Record<string, unknown> = {}): Promise<Answer> {
  const r = await driver.callService(h, service, args);
  const s = driver.media.get(`CAM1:${service === 'startPlayback' ? 'playback' : 'live'}`);
  if (s?.relay.pid) pids.push(s.relay.pid);
  return r;
}

const sessionOf = (kind = 'live') => driver.media.get(`CAM1:${kind}`);

beforeAll(async () => {
  port = await freeUdpPort();
  driver = createGbCameraDriver({
    config: {
      password: PASSWORD,
      sipIp: '127.0.0.1',
      sipPort: 0,
      sipUdpPort: port,
      media: { maxRelays: 2, idleTimeoutS: 2, mediaIp: '127.0.0.1', hlsBaseUrl: 'http://127.0.0.1:9102/hls' },
    },
    log: quietLog,
    dataDir: dir,
    host: {
      async call<T>(method: string, args?: Record<string, unknown>) {
        if (method !== 'files.storePicture') return { code: 6304, message: 'unknown' };
        pictures.push({ base64: String(args?.base64) });
        return { code: 200, message: 'success', data: { id: 'p1', url: 'http://127.0.0.1:9102/oss/capture/p1.jpg' } as T };
      },
    },
  });
  await driver.start!();
  h = handle({ productKey: 'PEGbCamera', deviceName: 'CAM1', custom: { gbId: CAM } });
  await driver.addDevice(h);
  camera = new TestCamera(CAM, port, { durationS: 20 });
  await camera.start(PASSWORD);
  await waitFor(() => h.isOnline, 5000);
}, 30_000);

afterEach(async () => {
  rtmp?.kill();
  await rtmp?.exited;
  rtmp = undefined;
  for (const kind of ['live', 'playback', 'snapshot']) await driver.media.stop(`CAM1:${kind}`);
  camera.opts = { durationS: 20 };
  h.events.length = 0;
  // No relay outlives its session (killed, reaped: no zombie).
  await waitFor(() => pids.every((p) => !alive(p)), 8000);
});

afterAll(async () => {
  await camera?.close();
  if (driver) await driver.stop!(false);
  rmSync(dir, { recursive: true, force: true });
});

describe('GB28181 live relay', () => {
  it('INVITEs the camera, receives RTP PS and pushes it to an RTMP receiver that decodes frames', async () => {
    rtmp = new RtmpReceiver(await freeTcpPort(), join(dir, 'live.flv'));
    await rtmp.ready();
    const r = await call('startLivePush', { streamType: 0, scheme: 'rtmp', url: rtmp.url, forceIFrame: true });
    expect(r).toMatchObject({ code: 200, data: { path: rtmp.url } });
    expect(h.props.liveStatus).toBe(1);
    const s = sessionOf()!;
    expect(s.ssrc).toMatch(/^020000\d{4}$/); // live, domain digits 4-8 of 3402000000, sequence
    await waitFor(() => s.receiver.stats.packets > 150, 15_000);
    expect((await call('stopLivePush', { streamType: 0 })).data).toEqual({ stopped: true });
    expect(await rtmp.exited).toBe(0);
    expect(await decodedFrames(rtmp.file)).toBeGreaterThan(10);
    expect(s.receiver.stats.wrongSsrc).toBe(0);
    await waitFor(() => camera.byes.length > 0, 5000); // the box hung up
    expect(h.props.liveStatus).toBe(0);
    expect(h.events).toEqual([]); // stopped on request: no failure
  }, 40_000);

  it('writes HLS playlist and segments that decode', async () => {
    const r = await call('startLivePush', { scheme: 'hls' });
    expect(r).toMatchObject({ code: 200, data: { path: 'http://127.0.0.1:9102/hls/CAM1_live/index.m3u8' } });
    const folder = join(dir, 'hls', 'CAM1_live');
    await waitFor(() => readdirSync(folder).filter((f) => f.endsWith('.ts')).length >= 2, 20_000);
    await call('stopLivePush', {});
    const playlist = readFileSync(join(folder, 'index.m3u8'), 'utf8');
    expect(playlist).toContain('#EXTINF');
    const seg = /^(seg\d+\.ts)$/m.exec(playlist)![1]!;
    expect(await decodedFrames(join(folder, seg))).toBeGreaterThan(0);
  }, 40_000);

  it('stops a relay whose source is silent after the idle timeout, reports it and hangs up', async () => {
    camera.opts = { silent: true };
    const byes = camera.byes.length;
    expect((await call('startLivePush', { scheme: 'hls' })).code).toBe(200);
    const pid = sessionOf()!.relay.pid;
    const failed = await waitFor(() => h.events.find((e) => e.id === 'streamFailed'), 10_000);
    expect(failed.params.reason).toBe('idle');
    expect(h.props.liveStatus).toBe(0);
    expect(sessionOf()).toBeUndefined();
    expect(driver.media.pool.size).toBe(0);
    await waitFor(() => camera.byes.length > byes, 5000);
    await waitFor(() => !alive(pid), 5000);
  }, 30_000);

  it('refuses the relay past the cap with a clear answer', async () => {
    camera.opts = { silent: true };
    expect((await call('startLivePush', { scheme: 'hls' })).code).toBe(200);
    expect((await call('startPlayback', { beginTime: 1_700_000_000, endTime: 1_700_000_600, scheme: 'hls' })).code).toBe(200);
    const invites = camera.invites;
    const third = await driver.callService(h, 'snapshot', {});
    expect(third.code).not.toBe(200);
    expect(third.message).toMatch(/all 2 relays are in use/);
    expect(camera.invites).toBe(invites); // refused before any SIP
  }, 30_000);

  it("ends the session on the camera's BYE and reports it", async () => {
    expect((await call('startLivePush', { scheme: 'hls' })).code).toBe(200);
    const s = sessionOf()!;
    await waitFor(() => s.receiver.stats.packets > 20, 10_000);
    expect(await camera.bye(s.dialog!.callId)).toBe(200);
    const failed = await waitFor(() => h.events.find((e) => e.id === 'streamFailed'), 10_000);
    expect(failed.params.reason).toBe('bye');
    expect(sessionOf()).toBeUndefined();
  }, 30_000);

  it('drops malformed RTP and other SSRCs, counted, and the stream goes on', async () => {
    expect((await call('startLivePush', { scheme: 'hls' })).code).toBe(200);
    const s = sessionOf()!;
    await waitFor(() => s.receiver.stats.packets > 10, 10_000);
    const media = [...camera.sessions.values()][0]!.media;
    media.raw(Buffer.from('garbage, not RTP at all'));
    media.raw(Buffer.from([0x80, 0x60]));
    media.raw(buildRtp({ payloadType: 96, marker: false, seq: 1, timestamp: 1, ssrc: 12345 }, Buffer.alloc(100, 0xab)));
    await waitFor(() => s.receiver.stats.malformed >= 2 && s.receiver.stats.wrongSsrc >= 1, 5000);
    const before = s.receiver.stats.packets;
    await waitFor(() => s.receiver.stats.packets > before + 20, 10_000);
    expect(s.relay.running).toBe(true);
  }, 30_000);

  it('answers a refused INVITE with the camera status and frees everything', async () => {
    camera.opts = { refuseWith: 486 };
    const r = await driver.callService(h, 'startLivePush', { scheme: 'hls' });
    expect(r.code).not.toBe(200);
    expect(r.message).toMatch(/486/);
    expect(driver.media.pool.size).toBe(0);
  }, 30_000);

  it('takes a snapshot and stores it through files.storePicture', async () => {
    const r = await driver.callService(h, 'snapshot', {});
    expect(r).toMatchObject({ code: 200, data: { picUrl: 'http://127.0.0.1:9102/oss/capture/p1.jpg' } });
    const jpeg = Buffer.from(pictures.at(-1)!.base64, 'base64');
    expect(jpeg.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  }, 30_000);

  it('ends a playback on MediaStatus 121 (end of file) without a failure', async () => {
    const r = await call('startPlayback', { beginTime: 1_700_000_000, endTime: 1_700_000_600, scheme: 'hls' });
    expect(r).toMatchObject({ code: 200, data: { vodUrl: 'http://127.0.0.1:9102/hls/CAM1_playback/index.m3u8' } });
    const s = sessionOf('playback')!;
    expect(s.ssrc.startsWith('1')).toBe(true);
    expect([...camera.sessions.values()][0]!.media.offer.playback).toBe(true);
    await waitFor(() => s.receiver.stats.packets > 10, 10_000);
    expect(await camera.endOfFile()).toBe(200);
    const end = await s.ended;
    expect(end.reason).toBe('media-status-121');
    expect(h.props.liveStatus).toBe(0);
    expect(h.events).toEqual([]);
  }, 30_000);

  it("kills every relay and hangs up when the driver stops (the daemon's stop)", async () => {
    expect((await call('startLivePush', { scheme: 'hls' })).code).toBe(200);
    const s = sessionOf()!;
    await waitFor(() => s.receiver.stats.packets > 10, 10_000);
    const byes = camera.byes.length;
    await driver.stop!(false);
    expect(alive(s.relay.pid)).toBe(false);
    expect(driver.media.size).toBe(0);
    await waitFor(() => camera.byes.length > byes, 5000);
  }, 30_000);
});
