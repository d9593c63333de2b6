/**
 * Real peers for the media tests: a free UDP port, an RTMP receiver run by ffmpeg itself
 * (`-listen 1`, the stream copied into an FLV file) and frame counting with ffprobe.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { waitFor } from '../helpers/wait.js';

const run = promisify(execFile);

export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export async function freeTcpPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Whether something listens on TCP `port` (read from /proc, so the one-shot listener is not consumed). */
export function tcpListening(port: number): boolean {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .some((l) => {
      const f = l.trim().split(/\s+/);
      return f[1]?.endsWith(hex) === true && f[3] === '0A';
    });
}

export class RtmpReceiver {
  readonly url: string;
  readonly file: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(port: number, file: string) {
    this.url = `rtmp://127.0.0.1:${port}/live/x`;
    this.file = file;
    this.child = spawn(
      'ffmpeg',
      ['-hide_banner', '-loglevel', 'error', '-y', '-listen', '1', '-i', this.url, '-c', 'copy', '-f', 'flv', file],
      {
        stdio: 'ignore',
      },
    );
    this.exited = new Promise((r) => this.child.once('exit', (code) => r(code)));
    this.port = port;
  }

  readonly port: number;

  ready(): Promise<boolean> {
    return waitFor(() => tcpListening(this.port), 10_000);
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** Frames ffprobe decodes from a file (0 when it reads none). */
export async function decodedFrames(file: string): Promise<number> {
  try {
    const { stdout } = await run('ffprobe', [
      '-v',
      'error',
      '-count_frames',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=nb_read_frames',
      '-of',
      'csv=p=0',
      file,
    ]);
    return Number.parseInt(stdout.trim(), 10) || 0;
  } catch {
    return 0;
  }
}

/** Whether a process id is alive (and no zombie). */
export function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) Z /.test(stat);
  } catch {
    return false;
  }
}
