/**
 * Supervises one hosted app's process: start, stop (SIGTERM to its process group, then SIGKILL),
 * restart with backoff on the drivers' state machine and RetryTimer (protocols/common/backoff.ts,
 * edge/host/driver-process.ts), its output into its own rotated log, its memory limit (the process
 * tree's RSS from /proc), and — when it serves a port — a hang watch by probing that port
 * (edge/host/hang-watch.ts: each answered probe is a heartbeat). `#scheduleRestart` is the only
 * place that arms the restart timer and `#clearRestart` the only place that cancels it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { Logger } from '../log.js';
import type { DriverState } from '../host/driver-spec.js';
import { HangWatch } from '../host/hang-watch.js';
import { RetryTimer } from '../../protocols/common/backoff.js';
import { RotatingFile } from '../rotating-file.js';
import { treeRssBytes } from './memory.js';
import { probeHttp } from './probe.js';

/** The drivers' states: the console and /healthz read apps and drivers alike. */
export type AppState = DriverState;

export interface AppSpec {
  name: string;
  version: string;
  /** The app's folder: cwd, and what relative command paths resolve against. */
  dir: string;
  command: readonly string[];
  env: Readonly<Record<string, string>>;
  memoryMb: number;
  /** Ports it serves (its service models); the first is probed. */
  ports: readonly number[];
}

export interface AppProcessOptions {
  restartBaseMs: number;
  restartMaxMs: number;
  stableAfterMs: number;
  stopTimeoutMs: number;
  startTimeoutMs: number;
  /** Without a service port, alive this long counts as running (a crash at start is not). */
  upAfterMs: number;
  probeIntervalMs: number;
  hangTimeoutMs: number;
  memoryPollMs: number;
  maxMemoryRestarts: number;
  logMaxBytes: number;
  logKeep: number;
}

export interface AppStatus {
  name: string;
  version: string;
  state: AppState;
  pid: number | undefined;
  restarts: number;
  memoryStops: number;
  lastError: string | undefined;
  rssMb: number | undefined;
  memoryMb: number;
  provides: readonly number[];
  startedAt: number | undefined;
}

export class AppProcess {
  readonly name: string;
  spec: AppSpec;
  state: AppState = 'stopped';
  restarts = 0;
  /** Times in a row it was stopped for memory; reset by a stable run. */
  memoryStops = 0;
  lastError: string | undefined;
  startedAt = 0;
  rssBytes: number | undefined;
  readonly logFile: string;

  readonly #o: AppProcessOptions;
  readonly #log: Logger;
  readonly #retry: RetryTimer;
  readonly #hang: HangWatch;
  readonly #onState: (app: AppProcess) => void;
  #child: ChildProcess | undefined;
  #out: RotatingFile | undefined;
  #stopRequested = false;
  /** Why the supervisor killed the running process (memory, hang), reported at its end. */
  #killReason: string | undefined;
  #memoryKill = false;
  #pollTimer: NodeJS.Timeout | undefined;
  #probeTimer: NodeJS.Timeout | undefined;
  #upTimer: NodeJS.Timeout | undefined;
  #endWaiters: Array<() => void> = [];

  constructor(spec: AppSpec, deps: { log: Logger; logDir: string; onState?: (app: AppProcess) => void }, options: AppProcessOptions) {
    this.name = spec.name;
    this.spec = spec;
    this.#o = options;
    this.#log = deps.log;
    this.#onState = deps.onState ?? (() => undefined);
    this.logFile = join(deps.logDir, `${spec.name}.log`);
    this.#retry = new RetryTimer({ minMs: options.restartBaseMs, maxMs: options.restartMaxMs });
    this.#hang = new HangWatch(
      { heartbeatMs: options.probeIntervalMs, hangTimeoutMs: options.hangTimeoutMs, startGraceMs: options.startTimeoutMs },
      (silentMs) => {
        const why =
          this.state === 'starting'
            ? `port ${this.spec.ports[0]} not open after ${silentMs} ms`
            : `hung: port ${this.spec.ports[0]} unanswered for ${silentMs} ms`;
        this.#kill(why);
      },
    );
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  status(): AppStatus {
    return {
      name: this.name,
      version: this.spec.version,
      state: this.state,
      pid: this.pid,
      restarts: this.restarts,
      memoryStops: this.memoryStops,
      lastError: this.lastError,
      rssMb: this.rssBytes === undefined ? undefined : Math.round((this.rssBytes / 1048576) * 10) / 10,
      memoryMb: this.spec.memoryMb,
      provides: this.spec.ports,
      startedAt: this.#child ? this.startedAt : undefined,
    };
  }

  /** The argv to run: `node` is this daemon's own Node (systemd gives no PATH to rely on). */
  #argv(): { file: string; args: string[] } | { missing: string } {
    const [first, ...args] = this.spec.command;
    if (first === undefined) return { missing: 'empty command' };
    if (first === 'node') return { file: process.execPath, args };
    if (first.includes('/')) {
      const file = isAbsolute(first) ? first : resolve(this.spec.dir, first);
      return existsSync(file) ? { file, args } : { missing: `command ${first} not found in ${this.spec.dir}` };
    }
    return { file: first, args };
  }

  start(): void {
    if (this.state === 'starting' || this.state === 'running' || this.state === 'stopping') return;
    this.#stopRequested = false;
    const argv = this.#argv();
    if ('missing' in argv || !existsSync(this.spec.dir)) {
      this.lastError = 'missing' in argv ? argv.missing : `folder ${this.spec.dir} not found`;
      this.#setState('failed');
      this.#log.error({ app: this.name, reason: this.lastError }, 'app cannot start');
      this.#scheduleRestart();
      return;
    }
    this.#out ??= new RotatingFile(this.logFile, { maxBytes: this.#o.logMaxBytes, keep: this.#o.logKeep });
    mkdirSync(this.spec.env.PE_APP_DATA_DIR ?? this.spec.dir, { recursive: true });
    this.#setState('starting');
    this.startedAt = Date.now();
    this.#killReason = undefined;
    this.#memoryKill = false;
    this.#note(`starting ${this.spec.name} ${this.spec.version}: ${this.spec.command.join(' ')}`);
    let child: ChildProcess;
    try {
      // Its own process group (detached), so a stop reaches the workers it started too.
      child = spawn(argv.file, argv.args, {
        cwd: this.spec.dir,
        env: { ...this.spec.env },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
    } catch (err) {
      this.#onEnd(undefined, `spawn failed: ${(err as Error).message}`);
      return;
    }
    this.#child = child;
    const out = this.#out;
    child.stdout?.on('data', (b: Buffer) => out.write(b));
    child.stderr?.on('data', (b: Buffer) => out.write(b));
    child.on('error', (err) => {
      // spawn errors (ENOENT for a command not on PATH) come here, and no 'exit' follows
      if (child.pid === undefined)
        this.#onEnd(child, `cannot run ${this.spec.command[0]}: ${(err as NodeJS.ErrnoException).code ?? err.message}`);
    });
    child.on('exit', (code, signal) => this.#onEnd(child, signal ? `killed by ${signal}` : `exited with code ${code}`));
    this.#pollTimer = setInterval(() => this.#pollMemory(), this.#o.memoryPollMs);
    this.#pollTimer.unref();
    if (this.spec.ports.length > 0) {
      this.#hang.arm();
      this.#probeTimer = setInterval(() => void this.#probe(child), this.#o.probeIntervalMs);
      this.#probeTimer.unref();
      void this.#probe(child);
    } else {
      this.#upTimer = setTimeout(() => {
        if (child === this.#child && this.state === 'starting') this.#setState('running');
      }, this.#o.upAfterMs);
      this.#upTimer.unref();
    }
  }

  async #probe(child: ChildProcess): Promise<void> {
    const port = this.spec.ports[0];
    if (port === undefined || child !== this.#child) return;
    const ok = await probeHttp(port, Math.min(2000, Math.max(100, this.#o.probeIntervalMs)));
    if (!ok || child !== this.#child || this.#stopRequested) return;
    this.#hang.heard();
    if (this.state === 'starting') {
      this.#setState('running');
      this.#log.info({ app: this.name, ms: Date.now() - this.startedAt, port }, 'app running');
    }
  }

  #pollMemory(): void {
    const pid = this.#child?.pid;
    if (pid === undefined) return;
    const rss = treeRssBytes(pid);
    this.rssBytes = rss;
    if (rss === undefined || this.#killReason) return;
    const limit = this.spec.memoryMb * 1048576;
    if (rss > limit) {
      this.#memoryKill = true;
      this.#kill(`memory ${Math.round(rss / 1048576)} MB over its limit of ${this.spec.memoryMb} MB`);
    }
  }

  /** Stop the running process for a reason of the supervisor's; its end restarts it (or not). */
  #kill(reason: string): void {
    const child = this.#child;
    if (!child || this.#killReason) return;
    this.#killReason = reason;
    this.#log.warn({ app: this.name, reason }, 'stopping app');
    this.#note(`stopping: ${reason}`);
    this.#signal(child, 'SIGTERM');
    const t = setTimeout(() => this.#signal(child, 'SIGKILL'), this.#o.stopTimeoutMs);
    t.unref();
    child.once('exit', () => clearTimeout(t));
  }

  #signal(child: ChildProcess, sig: NodeJS.Signals): void {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, sig);
    } catch {
      child.kill(sig); // group already gone
    }
  }

  async stop(): Promise<void> {
    this.#stopRequested = true;
    this.#clearRestart();
    const child = this.#child;
    if (!child) {
      this.#setState('stopped');
      return;
    }
    this.#setState('stopping');
    const ended = new Promise<void>((r) => this.#endWaiters.push(r));
    this.#note('stopping (asked)');
    this.#signal(child, 'SIGTERM');
    const t = setTimeout(() => {
      this.#log.warn({ app: this.name, ms: this.#o.stopTimeoutMs }, 'app did not stop on SIGTERM; killing it');
      this.#signal(child, 'SIGKILL');
    }, this.#o.stopTimeoutMs);
    await ended;
    clearTimeout(t);
  }

  /** Restart on request (console, deploy): backoff and the memory count start again. */
  async restart(): Promise<void> {
    await this.stop();
    this.#retry.reset();
    this.memoryStops = 0;
    this.start();
  }

  /** Stop and close the log (the daemon stops, or the app is removed). */
  async close(): Promise<void> {
    await this.stop();
    await this.#out?.end();
    this.#out = undefined;
  }

  #onEnd(child: ChildProcess | undefined, how: string): void {
    if (child && child !== this.#child) return;
    this.#child = undefined;
    this.#hang.disarm();
    clearInterval(this.#pollTimer);
    clearInterval(this.#probeTimer);
    clearTimeout(this.#upTimer);
    const killReason = this.#killReason;
    const memoryKill = this.#memoryKill;
    this.#killReason = undefined;
    this.#memoryKill = false;
    const ranMs = Date.now() - this.startedAt;
    for (const w of this.#endWaiters.splice(0)) w();
    if (this.#stopRequested) {
      this.#note(`stopped (${how})`);
      this.#setState('stopped');
      return;
    }
    const reason = killReason ?? how;
    this.#note(`ended: ${reason}`);
    if (ranMs > this.#o.stableAfterMs) {
      this.#retry.reset();
      if (!memoryKill) this.memoryStops = 0;
    }
    if (memoryKill) {
      this.memoryStops++;
      if (this.memoryStops >= this.#o.maxMemoryRestarts) {
        this.lastError = `${reason}; over its memory limit ${this.memoryStops} times in a row, left stopped`;
        this.#log.error({ app: this.name, reason: this.lastError }, 'app left stopped');
        this.#note(this.lastError);
        this.#setState('failed');
        return;
      }
    }
    if (reason !== this.lastError || this.state !== 'failed') this.#log.error({ app: this.name, reason }, 'app down');
    this.lastError = reason;
    // Ended before it ever ran (crash at start, port never opened): failed until a retry runs.
    this.#setState(this.state === 'starting' ? 'failed' : 'restarting');
    this.#scheduleRestart();
  }

  #scheduleRestart(): void {
    if (this.#stopRequested) return;
    const delay = this.#retry.schedule(() => {
      this.restarts++;
      this.start();
    });
    if (delay === undefined) return;
    this.#note(`restart in ${delay} ms (attempt ${this.#retry.attempt})`);
    this.#log.info({ app: this.name, delay, attempt: this.#retry.attempt }, 'app restart scheduled');
  }

  #clearRestart(): void {
    this.#retry.cancel();
  }

  /** A supervisor line in the app's own log, so its log tells the whole story. */
  #note(text: string): void {
    this.#out?.write(`[edge ${new Date().toISOString()}] ${text}\n`);
  }

  #setState(state: AppState): void {
    if (this.state === state) return;
    this.state = state;
    this.#onState(this);
  }
}
