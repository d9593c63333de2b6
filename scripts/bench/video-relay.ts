/**
 * Video-relay benchmark (`npm run bench -- video-relay [--streams 10] [--seconds 20] [--size 320x240]`;
 * `measureVideoRelay` is what `npm run bench -- video` adds to its registration figures): the GB28181
 * camera driver run in this process, `streams` simulated cameras (scripts/sim/gb28181/media-uas.ts,
 * ffmpeg test pattern → PS over RTP/UDP) each INVITEd through the driver's `startLivePush`, every
 * relay pushing RTMP to its own receiver (ffmpeg `-listen 1`, copy into an FLV file).
 *
 * Figures: `relay_cpu_cores_per_stream` — the relays' ffmpeg CPU plus this process's (the box:
 * SIP, RTP receive, reordering; it also carries the simulators' RTP sending, so it is an upper
 * bound) over the streaming window, per stream; `relay_frames_lost` — RTP sequence gaps plus the
 * frames the cameras sent that the receivers do not decode. Baseline, same run: the cameras' own
 * encoders' CPU per stream (`relay_vs_encoder`: what a relay costs next to producing the stream).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { pino } from 'pino';
import type { DeviceHandle } from '../../edge/host/sdk/driver.js';
import { createGbCameraDriver } from '../../drivers/gb28181-camera/index.js';
import { MediaCamera } from '../sim/gb28181/media-uas.js';
import { cpuSecondsOf, freePort, poll, printJsonLine, ratio, round, sleep } from './lib.js';

const run = promisify(execFile);

export interface VideoRelayOptions {
  streams: number;
  seconds: number;
  width: number;
  height: number;
  fps: number;
}

export interface VideoRelayFigures {
  streams: number;
  relay_cpu_cores_per_stream: number;
  relay_frames_lost: number;
  relay_ffmpeg_cores_per_stream: number;
  box_process_cores: number;
  encoder_cores_per_stream: number;
  relay_vs_encoder: number;
  frames_sent: number;
  frames_decoded: number;
  rtp_lost: number;
  rtp_packets: number;
}

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function silentHandle(productKey: string, deviceName: string, custom: Record<string, unknown>): DeviceHandle {
  return {
    productKey,
    deviceName,
    custom,
    log: pino({ level: 'silent' }),
    online: () => undefined,
    offline: () => undefined,
    reportProperties: () => undefined,
    reportEvent: () => undefined,
  };
}

/** CPU seconds per process, sampled every 250 ms: a process that exits keeps its last reading. */
class CpuWatch {
  readonly #last = new Map<number, number>();
  readonly #first = new Map<number, number>();
  readonly #timer: NodeJS.Timeout;

  constructor(readonly pids: number[]) {
    this.#sample();
    for (const [p, t] of this.#last) this.#first.set(p, t);
    this.#timer = setInterval(() => this.#sample(), 250);
  }

  #sample(): void {
    for (const p of this.pids) {
      const t = cpuSecondsOf([p]);
      if (t > 0) this.#last.set(p, t);
    }
  }

  /** CPU seconds used since the watch began. */
  stop(): number {
    this.#sample();
    clearInterval(this.#timer);
    let used = 0;
    for (const [p, t] of this.#last) used += t - (this.#first.get(p) ?? 0);
    return used;
  }
}

async function framesIn(file: string): Promise<number> {
  try {
    const args = ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0'];
    const { stdout } = await run('ffprobe', [...args, file]);
    return Number.parseInt(stdout.trim(), 10) || 0;
  } catch {
    return 0;
  }
}

// One function on purpose: set-up, window and tear-down read top to bottom, and every child
// started here is killed in the one finally.
export async function measureVideoRelay(o: VideoRelayOptions): Promise<VideoRelayFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-video-'));
  const password = 'bench-video';
  const sipPort = await freeUdpPort();
  const driver = createGbCameraDriver({
    config: {
      password,
      sipIp: '127.0.0.1',
      sipPort: 0,
      sipUdpPort: sipPort,
      media: { maxRelays: o.streams, mediaIp: '127.0.0.1', idleTimeoutS: 30 },
    },
    log: pino({ level: 'silent' }),
    dataDir: dir,
  });
  const cameras: MediaCamera[] = [];
  const receivers: Array<{ child: ChildProcess; exited: Promise<unknown>; file: string; url: string }> = [];
  try {
    await driver.start!();
    const handles: DeviceHandle[] = [];
    for (let i = 1; i <= o.streams; i++) {
      const id = `3402000000132${String(i).padStart(7, '0')}`;
      const h = silentHandle('PEGbCamera', `CAM${i}`, { gbId: id });
      await driver.addDevice(h);
      handles.push(h);
      const cam = new MediaCamera({
        id,
        serverId: '34020000002000000001',
        domain: '3402000000',
        password,
        boxHost: '127.0.0.1',
        boxPort: sipPort,
        width: o.width,
        height: o.height,
        fps: o.fps,
        durationS: o.seconds,
      });
      await cam.start();
      cameras.push(cam);
      const port = await freePort();
      const url = `rtmp://127.0.0.1:${port}/live/cam${i}`;
      const file = join(dir, `cam${i}.flv`);
      const child = spawn(
        'ffmpeg',
        ['-hide_banner', '-loglevel', 'error', '-y', '-listen', '1', '-i', url, '-c', 'copy', '-f', 'flv', file],
        {
          stdio: 'ignore',
        },
      );
      receivers.push({ child, exited: new Promise((r) => child.once('exit', r)), file, url });
    }
    await sleep(1500); // the RTMP receivers listen
    const starts = await Promise.all(
      handles.map((h, i) => driver.callService(h, 'startLivePush', { streamType: 0, scheme: 'rtmp', url: receivers[i]!.url })),
    );
    const refused = starts.find((a) => a.code !== 200);
    if (refused) throw new Error(`startLivePush refused: ${refused.message}`);
    const sessions = handles.map((h) => driver.media.get(`${h.deviceName}:live`)!);
    await poll(() => (cameras.every((c) => c.history[0]?.pid) ? true : undefined), 10_000, 50, 'the cameras streaming');
    const relayPids = sessions.map((s) => s.relay.pid!).filter(Boolean);
    const encoderPids = cameras.map((c) => c.history[0]!.pid!);
    const watches = { relay: new CpuWatch(relayPids), box: new CpuWatch([process.pid]), enc: new CpuWatch(encoderPids) };
    const at = Date.now();
    await Promise.all(cameras.map((c) => c.history[0]!.ended)); // the window: the cameras' whole stream
    const window = (Date.now() - at) / 1000;
    const relayCpu = watches.relay.stop();
    const boxCpu = watches.box.stop();
    const encCpu = watches.enc.stop();
    await sleep(1500); // the last packets through
    const ends = await Promise.all(handles.map((h) => driver.media.stop(`${h.deviceName}:live`)));
    await Promise.all(receivers.map((r) => Promise.race([r.exited, sleep(10_000)])));
    const decoded = await Promise.all(receivers.map((r) => framesIn(r.file)));
    const sent = cameras.reduce((n, c) => n + c.history[0]!.framesPlanned, 0);
    const framesDecoded = decoded.reduce((a, b) => a + b, 0);
    const rtpLost = ends.reduce((n, e) => n + (e?.stats.lost ?? 0), 0);
    const rtpPackets = ends.reduce((n, e) => n + (e?.stats.packets ?? 0), 0);
    const perStream = (cpu: number) => cpu / window / o.streams;
    return {
      streams: o.streams,
      relay_cpu_cores_per_stream: round(perStream(relayCpu + boxCpu), 4),
      relay_frames_lost: rtpLost + Math.max(0, sent - framesDecoded),
      relay_ffmpeg_cores_per_stream: round(perStream(relayCpu), 4),
      box_process_cores: round(boxCpu / window, 3),
      encoder_cores_per_stream: round(perStream(encCpu), 4),
      relay_vs_encoder: ratio(relayCpu + boxCpu, encCpu),
      frames_sent: sent,
      frames_decoded: framesDecoded,
      rtp_lost: rtpLost,
      rtp_packets: rtpPackets,
    };
  } finally {
    for (const c of cameras) c.close();
    await driver.stop!(false);
    for (const r of receivers) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      streams: { type: 'string', default: '10' },
      seconds: { type: 'string', default: '20' },
      size: { type: 'string', default: '320x240' },
      fps: { type: 'string', default: '25' },
    },
  });
  const [width, height] = values.size.split('x').map(Number) as [number, number];
  const f = await measureVideoRelay({
    streams: Number(values.streams),
    seconds: Number(values.seconds),
    width,
    height,
    fps: Number(values.fps),
  });
  process.stderr.write(
    `${f.streams} relays: ${f.relay_cpu_cores_per_stream} cores/stream (ffmpeg ${f.relay_ffmpeg_cores_per_stream}, box process ${f.box_process_cores} cores in all); ` +
      `encoder ${f.encoder_cores_per_stream} cores/stream (relay/encoder ${f.relay_vs_encoder}); frames ${f.frames_decoded}/${f.frames_sent} decoded, RTP lost ${f.rtp_lost} of ${f.rtp_packets}\n`,
  );
  printJsonLine(f as unknown as Record<string, unknown>);
}
