/**
 * The media pieces on their own: GB SDP offers and answers, the SSRC pool, RTP parsing and RFC
 * 4571 framing, the receiver's SSRC filter and its reorder/loss counters over real UDP, PS over
 * TCP (the box listening, setup:passive) from the camera simulator into an RTMP relay, and the
 * relay's report when ffmpeg fails.
 */
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { buildOffer, parseAnswer, parseOffer } from '../../protocols/gb28181/sdp.js';
import { SsrcPool } from '../../protocols/gb28181/ssrc.js';
import { FfmpegRelay } from '../../protocols/media/relay.js';
import { RelayPool } from '../../protocols/media/relay-pool.js';
import { buildRtp, frame4571, parseRtp, Rfc4571Framer, ssrcNumber } from '../../protocols/media/rtp.js';
import { RtpReceiver } from '../../protocols/media/rtp-receiver.js';
import { answerSdp, CameraMedia } from '../../scripts/sim/gb28181/media.js';
import { waitFor } from '../helpers/wait.js';
import { alive, decodedFrames, freeTcpPort, RtmpReceiver } from './peers.js';

const dir = mkdtempSync(join(tmpdir(), 'media-'));
const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SDP and SSRC (GB/T 28181-2016 §9.2, Annex F)', () => {
  it('offers live and playback, and reads the device answer with its y=', () => {
    const live = buildOffer({ serverId: '34020000002000000001', address: '10.0.0.2', port: 30000, ssrc: '0200000001', transport: 'udp' });
    const text = live.toString();
    expect(text).toContain('s=Play\r\n');
    expect(text).toContain('m=video 30000 RTP/AVP 96 98 97');
    expect(text).toContain('a=rtpmap:96 PS/90000');
    expect(text).toContain('a=rtpmap:98 MPEG4/90000');
    expect(text).toContain('a=rtpmap:97 H264/90000');
    expect(text).toContain('y=0200000001');
    const pb = buildOffer({
      serverId: '34020000002000000001',
      address: '10.0.0.2',
      port: 30002,
      ssrc: '1200000002',
      transport: 'tcp-passive',
      playback: { channelId: '34020000001310000001', start: 1700000000, end: 1700000600 },
    }).toString();
    expect(pb).toContain('s=Playback\r\nu=34020000001310000001:0\r\n');
    expect(pb).toContain('t=1700000000 1700000600');
    expect(pb).toContain('m=video 30002 TCP/RTP/AVP 96 98 97');
    expect(pb).toContain('a=setup:passive');
    const seen = parseOffer(pb)!;
    expect(seen).toMatchObject({ port: 30002, tcp: true, setup: 'passive', ssrc: '1200000002', playback: true });
    const ans = parseAnswer(answerSdp(seen, { deviceId: '34020000001310000001' }).toString());
    expect(ans).toEqual({
      ok: true,
      value: {
        address: '127.0.0.1',
        port: 9,
        transport: 'tcp-active',
        ssrc: '1200000002',
        payloads: [{ payload: 96, codec: 'PS' }],
        name: 'Playback',
      },
    });
    expect(parseAnswer('v=0\r\ns=x\r\n')).toMatchObject({ ok: false });
    expect(parseAnswer('garbage')).toMatchObject({ ok: false });
  });

  it('hands out SSRCs with the live/history digit and the domain, never one twice while held', () => {
    const pool = new SsrcPool('3402000000');
    const a = pool.allocate('live')!;
    const b = pool.allocate('history')!;
    expect(a).toBe('0200000001');
    expect(b).toBe('1200000002');
    pool.free(b);
    const held = new Set([a]);
    for (let i = 0; i < 9998; i++) held.add(pool.allocate('live')!);
    expect(held.size).toBe(9999);
    expect([...held].every((x) => /^020000\d{4}$/.test(x))).toBe(true);
    expect(pool.allocate('live')).toBeUndefined(); // all held: never one twice
    expect(pool.allocate('history')).toMatch(/^120000\d{4}$/);
    pool.free(a);
    expect(pool.allocate('live')).toBe(a);
  });

  it('caps relays and gives slots back', () => {
    const pool = new RelayPool(2);
    expect(pool.take('a') && pool.take('b')).toBe(true);
    expect(pool.take('c')).toBe(false);
    pool.release('a');
    expect(pool.take('c')).toBe(true);
  });
});

describe('RTP', () => {
  it('parses and builds RTP, refuses broken packets, frames RFC 4571', () => {
    const p = buildRtp({ payloadType: 96, marker: true, seq: 65535, timestamp: 90000, ssrc: ssrcNumber('1200000002') }, Buffer.from('ps'));
    expect(parseRtp(p)).toMatchObject({ payloadType: 96, marker: true, seq: 65535, timestamp: 90000, ssrc: 1200000002 });
    expect(parseRtp(Buffer.from('short'))).toBeUndefined();
    const v1 = Buffer.from(p);
    v1[0] = 0x40;
    expect(parseRtp(v1)).toBeUndefined();
    const csrc = Buffer.from(p);
    csrc[0] = 0x8f; // 15 CSRCs announced, none there
    expect(parseRtp(csrc)).toBeUndefined();
    const f = new Rfc4571Framer();
    const wire = Buffer.concat([frame4571(p), frame4571(p)]);
    expect(f.push(wire.subarray(0, 5)).packets).toHaveLength(0);
    expect(f.push(wire.subarray(5)).packets).toHaveLength(2);
    expect(f.push(Buffer.from([0, 0, 1])).broken).toBe(true);
  });

  it('filters by SSRC, puts reordered packets back in order and counts losses', async () => {
    const got: number[] = [];
    const rx = new RtpReceiver({ transport: 'udp', host: '127.0.0.1', ssrc: 42, onPayload: (_b, p) => got.push(p.seq), reorderWindow: 4 });
    const port = await rx.listen();
    cleanup.push(() => rx.close());
    const tx = createSocket('udp4');
    cleanup.push(() => tx.close());
    const send = (seq: number, ssrc = 42) =>
      tx.send(buildRtp({ payloadType: 96, marker: false, seq, timestamp: 0, ssrc }, Buffer.from([seq & 0xff])), port, '127.0.0.1');
    // 65534, 65535, (0 late), 1, 0 → in order across the wrap; 2 lost; 3..6 fill the window.
    for (const seq of [65534, 65535, 1, 0, 3, 4, 5, 6]) send(seq);
    send(7, 43);
    await waitFor(() => rx.stats.packets === 8 && rx.stats.wrongSsrc === 1, 5000);
    await waitFor(() => got.length >= 7, 5000);
    expect(got.slice(0, 4)).toEqual([65534, 65535, 0, 1]);
    expect(rx.stats.lost).toBe(1);
    expect(got).toContain(3);
    expect(rx.stats.reordered).toBeGreaterThanOrEqual(1);
  });
});

describe('relay', () => {
  it('relays PS over TCP (RFC 4571, the box listening) from the camera simulator to RTMP, frames decoded', async () => {
    const rtmpPort = await freeTcpPort();
    const rtmp = new RtmpReceiver(rtmpPort, join(dir, 'tcp.flv'));
    cleanup.push(() => rtmp.kill());
    await rtmp.ready();
    const relay = new FfmpegRelay({ output: { kind: 'rtmp', url: rtmp.url }, lifetimeS: 0, idleS: 5 });
    cleanup.push(() => relay.kill());
    const rx = new RtpReceiver({
      transport: 'tcp-passive',
      host: '127.0.0.1',
      ssrc: ssrcNumber('0200000009'),
      onPayload: (b) => relay.write(b),
    });
    cleanup.push(() => rx.close());
    const port = await rx.listen();
    const offer = buildOffer({
      serverId: '34020000002000000001',
      address: '127.0.0.1',
      port,
      ssrc: '0200000009',
      transport: 'tcp-passive',
    });
    const cam = CameraMedia.fromInvite(offer, { deviceId: '34020000001320000001', durationS: 2 })!;
    cleanup.push(() => cam.stop());
    await cam.start();
    await cam.ended;
    await waitFor(() => rx.stats.packets === cam.packets, 5000);
    const end = await relay.stop();
    expect(end.reason).toBe('stopped');
    expect(end.code).toBe(0);
    await rtmp.exited;
    expect(rx.stats).toMatchObject({ wrongSsrc: 0, malformed: 0, lost: 0 });
    expect(await decodedFrames(rtmp.file)).toBeGreaterThanOrEqual(40); // 2 s at 25 fps, a few may trail
    expect(alive(relay.pid)).toBe(false);
  }, 30_000);

  it('relays PS over TCP with the box connecting to the camera (setup:active)', async () => {
    const rtmp = new RtmpReceiver(await freeTcpPort(), join(dir, 'active.flv'));
    cleanup.push(() => rtmp.kill());
    await rtmp.ready();
    const relay = new FfmpegRelay({ output: { kind: 'rtmp', url: rtmp.url }, lifetimeS: 0, idleS: 5 });
    cleanup.push(() => relay.kill());
    const offer = buildOffer({
      serverId: '34020000002000000001',
      address: '127.0.0.1',
      port: 9,
      ssrc: '0200000010',
      transport: 'tcp-active',
    });
    const cam = CameraMedia.fromInvite(offer, { deviceId: '34020000001320000001', durationS: 2 })!;
    cleanup.push(() => cam.stop());
    await cam.listenForBox();
    const answer = parseAnswer(cam.answer().toString());
    expect(answer).toMatchObject({ ok: true, value: { transport: 'tcp-passive' } });
    if (!answer.ok) return;
    const rx = new RtpReceiver({
      transport: 'tcp-active',
      host: '127.0.0.1',
      ssrc: ssrcNumber('0200000010'),
      onPayload: (b) => relay.write(b),
    });
    cleanup.push(() => rx.close());
    const streaming = cam.start();
    await rx.connect(answer.value.address, answer.value.port);
    await streaming;
    await cam.ended;
    await waitFor(() => rx.stats.packets === cam.packets, 5000);
    expect((await relay.stop()).code).toBe(0);
    await rtmp.exited;
    expect(await decodedFrames(rtmp.file)).toBeGreaterThanOrEqual(40);
  }, 30_000);

  it("reports ffmpeg's exit with its stderr tail when the target cannot be reached", async () => {
    const file = join(dir, 'three.ps');
    const encode = '-nostdin -v error -f lavfi -i testsrc=size=320x240:rate=25 -t 3 -c:v libx264 -preset ultrafast -f mpeg';
    execFileSync('ffmpeg', [...encode.split(' '), file]);
    const relay = new FfmpegRelay({ output: { kind: 'rtmp', url: 'rtmp://127.0.0.1:1/live/x' }, lifetimeS: 0, idleS: 30 });
    cleanup.push(() => relay.kill());
    relay.write(readFileSync(file)); // ffmpeg opens the output once it has probed a second of input
    const end = await relay.ended;
    expect(end.reason).toBe('ffmpeg-exit');
    expect(end.code).not.toBe(0);
    expect(end.stderrTail).toMatch(/Connection refused/);
  }, 30_000);
});
