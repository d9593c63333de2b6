/** The real daemon for a benchmark: `edge start -c <config>` spawned with the production Node flags, awaited until ready. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (bench files run from dist/scripts/bench/lib). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
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
  /** SIGTERM, then its exit code. */
  stop(): Promise<number | null>;
}

export interface LaunchOptions {
  /** The daemon's environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Its stderr passed through instead of collected (a crash shows at once). */
  stderr?: 'inherit' | 'pipe';
  timeoutMs?: number;
  /** Called once the process exists, before it is ready (to sample its start-up). */
  onSpawn?: (pid: number) => void;
}

/** The ready banner (edge/cli/start.ts) is one write ending in the `watch values` line. */
const READY = /ready in (\d+) ms[\s\S]*watch values/;

/** Spawn the daemon on a config file in `dir` (its working directory) and wait for its ready banner. */
export async function launchDaemon(dir: string, configFile: string, options: LaunchOptions = {}): Promise<Daemon> {
  const t0 = performance.now();
  const proc = spawn(process.execPath, [...DAEMON_NODE_FLAGS, MAIN, 'start', '-c', configFile], {
    cwd: dir,
    stdio: ['ignore', 'pipe', options.stderr ?? 'pipe'],
    env: options.env ?? process.env,
  });
  options.onSpawn?.(proc.pid!);
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
  const until = Date.now() + (options.timeoutMs ?? 30_000);
  while (!READY.test(out)) {
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
    readyMs: Number(READY.exec(out)?.[1]),
    async stop() {
      proc.kill('SIGTERM');
      return exited;
    },
  };
}

/** A fresh temporary directory for one daemon run. */
export const benchDir = (name: string): string => mkdtempSync(join(tmpdir(), `bench-${name}-`));

/** Write a box config (JSON is YAML) into `dir` and launch the daemon on it. */
export function launchWithConfig(dir: string, box: object, options?: LaunchOptions): Promise<Daemon> {
  const file = join(dir, 'box.yaml');
  writeFileSync(file, JSON.stringify(box));
  return launchDaemon(dir, file, options);
}

/** Start `edge start -c <yaml>` in a temp dir with logging off and wait for it to be ready. */
export async function startDaemon(yaml: string): Promise<Daemon> {
  const dir = mkdtempSync(join(tmpdir(), 'pe-bench-'));
  const cfg = join(dir, 'box.yaml');
  // Logging to a file at error level: the figure is about the runtime, not about log formatting.
  writeFileSync(cfg, `box: { name: bench, dataDir: ./data }\nlog: { level: error, file: logs/edge.log }\nhttp: { port: 0 }\n${yaml}`);
  return launchDaemon(dir, cfg, { timeoutMs: 20_000 });
}
