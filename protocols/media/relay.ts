/**
 * One supervised ffmpeg child that takes an MPEG-PS byte stream on stdin (GB28181) or reads an
 * RTSP URL itself (ONVIF), and, without decoding
 * (`-c copy`, the box does not transcode), pushes it as FLV to an RTMP target, writes HLS
 * segments and playlist into a folder, or grabs one JPEG frame (the only case that decodes).
 * A relay ends for one reason: stopped by its owner, idle (no input for `idleS`), its lifetime
 * over, or ffmpeg exiting by itself; `ended` resolves with the reason, ffmpeg's exit and the tail
 * of its stderr. Ending closes stdin first so ffmpeg finishes the HLS playlist and the FLV
 * stream, then kills it after `killAfterMs` — no child outlives its relay.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export type RelayOutput =
  | { kind: 'rtmp'; url: string }
  | { kind: 'hls'; dir: string; segmentS?: number; listSize?: number }
  | { kind: 'jpeg' };

/**
 * Where ffmpeg reads: MPEG-PS written to its stdin by the owner (`write`), or an RTSP URL it
 * pulls itself (RTP interleaved over TCP: cameras' UDP ports do not cross NATs and firewalls).
 */
export type RelayInput = { kind: 'ps-pipe' } | { kind: 'rtsp'; url: string };

export type EndReason = 'stopped' | 'idle' | 'lifetime' | 'ffmpeg-exit' | 'spawn-failed' | 'source-ended';

export interface RelayEnd {
  reason: EndReason;
  code: number | null;
  signal: string | null;
  stderrTail: string;
  /** The frame, for a `jpeg` relay that got one. */
  jpeg?: Buffer;
}

export interface RelayOptions {
  output: RelayOutput;
  /** Default: MPEG-PS on stdin. */
  input?: RelayInput;
  /** Longest run, s (0: none). */
  lifetimeS: number;
  /** Stop when no input came for this long, s. */
  idleS: number;
  ffmpeg?: string;
  killAfterMs?: number;
  /** Input held when ffmpeg does not keep up; beyond it input is dropped (counted). */
  maxBufferedBytes?: number;
}

const TAIL = 2048;

/** ffmpeg's progress lines (`-progress pipe:1`): the frame count shows a pulled stream is alive. */
const PROGRESS_FRAME = /(?:^|\n)frame=(\d+)/g;

/** Whether ffmpeg reports its progress on stdout (an RTSP pull not grabbing a JPEG there). */
function reportsProgress(input: RelayInput, out: RelayOutput): boolean {
  return input.kind === 'rtsp' && out.kind !== 'jpeg';
}

export function ffmpegArgs(out: RelayOutput, from: RelayInput = { kind: 'ps-pipe' }, idleS = 10): string[] {
  // Probing bounded to 1 s of stream: the push starts a second after the first packets, not five.
  const input = ['-hide_banner', '-nostdin', '-loglevel', 'warning', '-fflags', '+genpts'];
  input.push('-probesize', '1000000', '-analyzeduration', '1000000');
  if (from.kind === 'ps-pipe') input.push('-f', 'mpeg', '-i', 'pipe:0');
  else {
    // Progress once a second is the relay's sign of input (its idle check); the socket timeout
    // (µs) ends a pull whose camera stops answering even before that check does.
    if (reportsProgress(from, out)) input.push('-stats_period', '1', '-progress', 'pipe:1');
    input.push('-rtsp_transport', 'tcp', '-timeout', String(idleS * 1_000_000), '-i', from.url);
  }
  switch (out.kind) {
    case 'rtmp':
      return [...input, '-map', '0:v', '-c', 'copy', '-f', 'flv', out.url];
    case 'hls':
      return [
        ...input,
        '-map',
        '0:v',
        '-c',
        'copy',
        '-f',
        'hls',
        '-hls_time',
        String(out.segmentS ?? 2),
        '-hls_list_size',
        String(out.listSize ?? 6),
        '-hls_flags',
        'delete_segments',
        '-hls_segment_filename',
        join(out.dir, 'seg%05d.ts'),
        join(out.dir, 'index.m3u8'),
      ];
    case 'jpeg':
      return [...input, '-frames:v', '1', '-f', 'image2', '-c:v', 'mjpeg', 'pipe:1'];
  }
}

export class FfmpegRelay {
  readonly ended: Promise<RelayEnd>;
  readonly startedAt = Date.now();
  bytesIn = 0;
  droppedBytes = 0;
  /** A paused playback sends nothing on purpose: the idle limit waits until it resumes. */
  paused = false;
  /** Frames written, for an RTSP pull (ffmpeg's progress). */
  framesOut = 0;
  /**
   * For an RTSP pull: true at the first frame written out, false if the relay ended before
   * (wrong account, no stream). A ps-pipe relay resolves it true at once: its owner knows when
   * input comes.
   */
  readonly flowing: Promise<boolean>;
  #flow!: (v: boolean) => void;
  lastInputAt = Date.now();
  readonly #o: RelayOptions;
  readonly #child: ChildProcess | undefined;
  readonly #timers: NodeJS.Timeout[] = [];
  #tail = '';
  #reason: EndReason | undefined;
  #jpeg: Buffer[] = [];
  #finish!: (e: RelayEnd) => void;

  constructor(o: RelayOptions) {
    this.#o = o;
    this.ended = new Promise((r) => (this.#finish = r));
    this.flowing = new Promise((r) => (this.#flow = r));
    void this.ended.then(() => this.#flow(false));
    if (!reportsProgress(o.input ?? { kind: 'ps-pipe' }, o.output)) this.#flow(true);
    if (o.output.kind === 'hls') mkdirSync(o.output.dir, { recursive: true });
    let child: ChildProcess;
    try {
      child = spawn(o.ffmpeg ?? 'ffmpeg', ffmpegArgs(o.output, o.input, o.idleS), { stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (err) {
      this.#child = undefined;
      this.#reason = 'spawn-failed';
      this.#finish({ reason: 'spawn-failed', code: null, signal: null, stderrTail: (err as Error).message });
      return;
    }
    this.#child = child;
    child.stdin?.on('error', () => undefined); // EPIPE once ffmpeg has gone
    const progress = reportsProgress(o.input ?? { kind: 'ps-pipe' }, o.output);
    let frames = 0;
    child.stdout?.on('data', (d: Buffer) => {
      if (o.output.kind === 'jpeg') this.#jpeg.push(d);
      else if (progress)
        for (const m of d.toString('latin1').matchAll(PROGRESS_FRAME)) {
          const n = Number(m[1]);
          if (n > frames) {
            frames = n;
            this.framesOut = n;
            this.lastInputAt = Date.now();
            this.#flow(true);
          }
        }
    });
    child.stderr?.on('data', (d: Buffer) => {
      this.#tail = (this.#tail + d.toString('utf8')).slice(-TAIL);
    });
    child.on('error', (err) => {
      this.#tail = (this.#tail + err.message).slice(-TAIL);
      this.#reason ??= 'spawn-failed';
    });
    // Our end of stdin keeps 'close' from coming once ffmpeg has exited on its own.
    child.on('exit', () => child.stdin?.destroy());
    child.on('close', (code, signal) => {
      for (const t of this.#timers) clearTimeout(t);
      const jpeg = this.#jpeg.length ? Buffer.concat(this.#jpeg) : undefined;
      this.#finish({ reason: this.#reason ?? 'ffmpeg-exit', code, signal, stderrTail: this.#tail.trim(), ...(jpeg ? { jpeg } : {}) });
    });
    if (o.lifetimeS > 0) this.#timers.push(setTimeout(() => void this.stop('lifetime'), o.lifetimeS * 1000));
    // An RTSP pull is idle only once it has flowed: connecting and probing are bounded by its
    // owner's start timeout, which a loaded box may need more of than the idle limit.
    let counting = !progress;
    void this.flowing.then((f) => {
      counting = f;
      this.lastInputAt = Date.now();
    });
    const idle = setInterval(
      () => {
        if (this.paused) this.lastInputAt = Date.now();
        else if (counting && Date.now() - this.lastInputAt > o.idleS * 1000) void this.stop('idle');
      },
      Math.min(1000, o.idleS * 250),
    );
    this.#timers.push(idle);
    for (const t of this.#timers) t.unref();
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    return this.#reason === undefined;
  }

  write(payload: Buffer): void {
    this.lastInputAt = Date.now();
    const stdin = this.#child?.stdin;
    if (!stdin || this.#reason) return;
    if (stdin.writableLength > (this.#o.maxBufferedBytes ?? 8 << 20)) {
      this.droppedBytes += payload.length;
      return;
    }
    this.bytesIn += payload.length;
    stdin.write(payload);
  }

  /** End the relay: stdin closed so ffmpeg finishes its output, killed if it lingers. */
  stop(reason: EndReason = 'stopped'): Promise<RelayEnd> {
    if (this.#reason === undefined) {
      this.#reason = reason;
      const child = this.#child;
      child?.stdin?.end();
      // A pull does not read stdin (-nostdin): SIGINT makes ffmpeg finish its output the same way.
      if (this.#o.input?.kind === 'rtsp') child?.kill('SIGINT');
      const kill = setTimeout(() => child?.kill('SIGKILL'), this.#o.killAfterMs ?? 3000);
      kill.unref();
      this.#timers.push(kill);
    }
    return this.ended;
  }

  /** The daemon is going down: no grace. */
  kill(): void {
    this.#reason ??= 'stopped';
    this.#child?.kill('SIGKILL');
  }
}
