/**
 * Supervises one hosted app's process on the shared supervisor (edge/host/process-supervisor.ts:
 * states, stop with a deadline, restart with backoff): how it spawns (its own process group, so
 * SIGTERM then SIGKILL reach the workers it started), its output into its own rotated log, its
 * memory limit (the process tree's RSS from /proc), and — when it serves a port — a hang watch by
 * probing that port (edge/host/hang-watch.ts: each answered probe is a heartbeat).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { Logger } from '../log.js';
import { HangWatch } from '../host/hang-watch.js';
import { type Crash, ProcessSupervisor } from '../host/process-supervisor.js';
import type { AppProcessOptions, AppSpec, AppStatus } from './app-spec.js';
import { RotatingFile } from '../rotating-file.js';
import { treeRssBytes } from './memory.js';
import { probeHttp } from './probe.js';

export type { AppProcessOptions, AppSpec, AppState, AppStatus } from './app-spec.js';

export class AppProcess extends ProcessSupervisor<ChildProcess> {
  readonly name: string;
  spec: AppSpec;
  /** Times in a row it was stopped for memory; reset by a stable run. */
  memoryStops = 0;
  rssBytes: number | undefined;
  readonly logFile: string;

  readonly #o: AppProcessOptions;
  readonly #log: Logger;
  readonly #hang: HangWatch;
  readonly #onState: (app: AppProcess) => void;
  #out: RotatingFile | undefined;
  /** Why the supervisor killed the running process (memory, hang), reported at its end. */
  #killReason: string | undefined;
  #memoryKill = false;
  #pollTimer: NodeJS.Timeout | undefined;
  #probeTimer: NodeJS.Timeout | undefined;
  #upTimer: NodeJS.Timeout | undefined;

  constructor(spec: AppSpec, deps: { log: Logger; logDir: string; onState?: (app: AppProcess) => void }, options: AppProcessOptions) {
    super(options);
    this.name = spec.name;
    this.spec = spec;
    this.#o = options;
    this.#log = deps.log;
    this.#onState = deps.onState ?? (() => undefined);
    this.logFile = join(deps.logDir, `${spec.name}.log`);
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
    return this.run?.pid;
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
      startedAt: this.run ? this.startedAt : undefined,
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

  protected unavailable(): string | undefined {
    const argv = this.#argv();
    if ('missing' in argv) return argv.missing;
    return existsSync(this.spec.dir) ? undefined : `folder ${this.spec.dir} not found`;
  }

  protected cannotStart(reason: string): void {
    this.#log.error({ app: this.name, reason }, 'app cannot start');
  }

  protected spawn(): ChildProcess {
    const argv = this.#argv();
    if ('missing' in argv) throw new Error(argv.missing); // `unavailable` said so first
    this.#out ??= new RotatingFile(this.logFile, { maxBytes: this.#o.logMaxBytes, keep: this.#o.logKeep });
    mkdirSync(this.spec.env.PE_APP_DATA_DIR ?? this.spec.dir, { recursive: true });
    this.#killReason = undefined;
    this.#memoryKill = false;
    this.#note(`starting ${this.spec.name} ${this.spec.version}: ${this.spec.command.join(' ')}`);
    // Its own process group (detached), so a stop reaches the workers it started too.
    const child = spawn(argv.file, argv.args, {
      cwd: this.spec.dir,
      env: { ...this.spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const out = this.#out;
    child.stdout?.on('data', (b: Buffer) => out.write(b));
    child.stderr?.on('data', (b: Buffer) => out.write(b));
    child.on('error', (err) => {
      // spawn errors (ENOENT for a command not on PATH) come here, and no 'exit' follows
      if (child.pid === undefined)
        this.exited(child, `cannot run ${this.spec.command[0]}: ${(err as NodeJS.ErrnoException).code ?? err.message}`);
    });
    child.on('exit', (code, signal) => this.exited(child, signal ? `killed by ${signal}` : `exited with code ${code}`));
    return child;
  }

  protected started(child: ChildProcess): void {
    this.#pollTimer = setInterval(() => this.#pollMemory(), this.#o.memoryPollMs);
    this.#pollTimer.unref();
    if (this.spec.ports.length > 0) {
      this.#hang.arm();
      this.#probeTimer = setInterval(() => void this.#probe(child), this.#o.probeIntervalMs);
      this.#probeTimer.unref();
      void this.#probe(child);
    } else {
      this.#upTimer = setTimeout(() => {
        if (child === this.run && this.state === 'starting') this.setState('running');
      }, this.#o.upAfterMs);
      this.#upTimer.unref();
    }
  }

  async #probe(child: ChildProcess): Promise<void> {
    const port = this.spec.ports[0];
    if (port === undefined || child !== this.run) return;
    const ok = await probeHttp(port, Math.min(2000, Math.max(100, this.#o.probeIntervalMs)));
    if (!ok || child !== this.run || this.stopRequested) return;
    this.#hang.heard();
    if (this.state === 'starting') {
      this.setState('running');
      this.#log.info({ app: this.name, ms: Date.now() - this.startedAt, port }, 'app running');
    }
  }

  #pollMemory(): void {
    const pid = this.run?.pid;
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
    const child = this.run;
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

  protected askToStop(child: ChildProcess): void {
    this.#note('stopping (asked)');
    this.#signal(child, 'SIGTERM');
  }

  protected forceStop(child: ChildProcess): void {
    this.#log.warn({ app: this.name, ms: this.#o.stopTimeoutMs }, 'app did not stop on SIGTERM; killing it');
    this.#signal(child, 'SIGKILL');
  }

  /** Restart on request (console, deploy): backoff and the memory count start again. */
  override async restart(): Promise<void> {
    this.memoryStops = 0;
    await super.restart();
  }

  /** Stop and close the log (the daemon stops, or the app is removed). */
  async close(): Promise<void> {
    await this.stop();
    await this.#out?.end();
    this.#out = undefined;
  }

  protected released(how: string, end: { stopping: boolean; ranMs: number }): Crash {
    this.#hang.disarm();
    clearInterval(this.#pollTimer);
    clearInterval(this.#probeTimer);
    clearTimeout(this.#upTimer);
    const reason = this.#killReason ?? how;
    const memoryKill = this.#memoryKill;
    this.#killReason = undefined;
    this.#memoryKill = false;
    if (end.stopping) {
      this.#note(`stopped (${how})`);
      return { reason: how, atStart: false };
    }
    this.#note(`ended: ${reason}`);
    if (end.ranMs > this.#o.stableAfterMs && !memoryKill) this.memoryStops = 0;
    if (memoryKill && ++this.memoryStops >= this.#o.maxMemoryRestarts) {
      const giveUp = `${reason}; over its memory limit ${this.memoryStops} times in a row, left stopped`;
      this.#log.error({ app: this.name, reason: giveUp }, 'app left stopped');
      this.#note(giveUp);
      return { reason, atStart: false, giveUp };
    }
    if (!this.isRepeat(reason)) this.#log.error({ app: this.name, reason }, 'app down');
    // Ended before it ever ran (crash at start, port never opened): failed until a retry runs.
    return { reason, atStart: this.state === 'starting' };
  }

  protected restartScheduled(attempt: number, delay: number): void {
    this.#note(`restart in ${delay} ms (attempt ${attempt})`);
    this.#log.info({ app: this.name, delay, attempt }, 'app restart scheduled');
  }

  /** A supervisor line in the app's own log, so its log tells the whole story. */
  #note(text: string): void {
    this.#out?.write(`[edge ${new Date().toISOString()}] ${text}\n`);
  }

  protected stateChanged(): void {
    this.#onState(this);
  }
}
