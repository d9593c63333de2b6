/** Shared pieces of the benchmarks: spawning the real daemon, reading its CPU and memory, percentiles. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (bench files run from dist/scripts/bench). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const MAIN = join(ROOT, 'dist', 'edge', 'main.js');
/** The daemon's Node flags as `npm start` and the systemd unit pass them. */
export const DAEMON_NODE_FLAGS = ['--enable-source-maps', '--max-old-space-size=384', '--max-semi-space-size=4'];

export interface Daemon {
  proc: ChildProcess;
  pid: number;
  dir: string;
  httpPort: number;
  busPort: number;
  /** Time from spawn to the "ready" line, including Node's own start. */
  spawnToReadyMs: number;
  /** The runtime's own start-to-ready time as it reports it. */
  readyMs: number;
  stop(): Promise<number | null>;
}

/** Start `edge start -c <yaml>` in a temp dir with logging off and wait for it to be ready. */
export async function startDaemon(yaml: string): Promise<Daemon> {
  const dir = mkdtempSync(join(tmpdir(), 'pe-bench-'));
  const cfg = join(dir, 'box.yaml');
  // Logging to a file at error level: the figure is about the runtime, not about log formatting.
  writeFileSync(cfg, `box: { name: bench, dataDir: ./data }\nlog: { level: error, file: logs/edge.log }\nhttp: { port: 0 }\n${yaml}`);
  const t0 = performance.now();
  const proc = spawn(process.execPath, [...DAEMON_NODE_FLAGS, MAIN, 'start', '-c', cfg], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => proc.on('exit', (c) => r(c)));
  const until = Date.now() + 20_000;
  while (!/ready in (\d+) ms[\s\S]*local bus: +mqtt:\/\/[\d.]+:(\d+)/.test(out) && !/ready in \d+ ms[\s\S]*watch values/.test(out)) {
    if (Date.now() > until || proc.exitCode !== null) throw new Error(`daemon did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  const spawnToReadyMs = performance.now() - t0;
  return {
    proc,
    pid: proc.pid!,
    dir,
    httpPort: Number(/health: http:\/\/[\d.]+:(\d+)/.exec(out)?.[1]),
    busPort: Number(/local bus: +mqtt:\/\/[\d.]+:(\d+)/.exec(out)?.[1] ?? 0),
    spawnToReadyMs,
    readyMs: Number(/ready in (\d+) ms/.exec(out)?.[1]),
    async stop() {
      proc.kill('SIGTERM');
      return exited;
    },
  };
}

/** Resident memory of a process in MB (Linux /proc). */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The direct children of a process (its driver processes). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const round = (x: number, places = 1): number => Number(x.toFixed(places));

/** A TCP port free on 127.0.0.1 right now (for listeners a config names before they start). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
