/**
 * Supervises one driver's child process: start, heartbeat watch, calls with time limits,
 * and restart with exponential backoff and jitter when it throws, exits, hangs or is killed.
 * The restart logic is a small state machine: `scheduleRestart` is the only place that arms
 * the timer and `clearRestart` the only place that clears it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { answerOf, edgeError, type Answer } from '../errors.js';
import type { Logger } from '../log.js';
import type { CallOp, DriverToHost, HostToDriver, PropsItem } from './protocol.js';
import type { DeviceInfo } from './sdk/driver.js';

export type DriverState = 'stopped' | 'starting' | 'running' | 'restarting' | 'stopping' | 'failed';

export interface DriverProcessOptions {
  heartbeatMs: number;
  /** No message for this long means the driver hangs: it is killed and restarted. */
  hangTimeoutMs: number;
  restartBaseMs: number;
  restartMaxMs: number;
  /** A driver that ran this long without failing has its backoff reset. */
  stableAfterMs: number;
  callTimeoutMs: number;
  stopTimeoutMs: number;
  logLevel: string;
}

export const driverProcessDefaults: DriverProcessOptions = {
  heartbeatMs: 1000,
  hangTimeoutMs: 5000,
  restartBaseMs: 500,
  restartMaxMs: 30_000,
  stableAfterMs: 60_000,
  callTimeoutMs: 10_000,
  stopTimeoutMs: 5000,
  logLevel: 'info',
};

export interface DriverSpec {
  name: string;
  /** Absolute path of the driver's entry module. */
  module: string;
  config: Record<string, unknown>;
  devices: DeviceInfo[];
}

export interface DriverCallbacks {
  onProps(items: PropsItem[]): void;
  onEvent(pk: string, dn: string, id: string, params: Record<string, unknown>, time: number): void;
  onDeviceStatus(pk: string, dn: string, online: boolean, reason?: string): void;
  /** The process is gone (crash, kill, hang, stop): every device of it is offline now. */
  onDown(reason: string): void;
  onState(state: DriverState): void;
  /** The driver asks a host service; the answer goes back as `hostReply`. */
  onHostCall?(method: string, args: Record<string, unknown>): Promise<Answer>;
}

const here = dirname(fileURLToPath(import.meta.url));
const sourceMode = extname(fileURLToPath(import.meta.url)) === '.ts';
const CHILD_ENTRY = join(here, 'sdk', sourceMode ? 'child.ts' : 'child.js');

/** tsx resolved from here, not from the working directory: a box may run anywhere. */
function tsxLoader(): string {
  return import.meta.resolve('tsx');
}

interface PendingCall {
  resolve: (a: Answer) => void;
  timer: NodeJS.Timeout;
}

export class DriverProcess {
  readonly name: string;
  spec: DriverSpec;
  state: DriverState = 'stopped';
  restarts = 0;
  lastError: string | undefined;
  startedAt = 0;
  readyAt = 0;

  readonly #opts: DriverProcessOptions;
  readonly #cb: DriverCallbacks;
  readonly #log: Logger;
  readonly #logFile: string;
  readonly #dataDir: string;
  #child: ChildProcess | undefined;
  #restartTimer: NodeJS.Timeout | undefined;
  #hangTimer: NodeJS.Timeout | undefined;
  #lastMessageAt = 0;
  #attempt = 0;
  #nextCallId = 1;
  readonly #calls = new Map<number, PendingCall>();
  #readyWaiters: Array<() => void> = [];

  constructor(spec: DriverSpec, deps: { callbacks: DriverCallbacks; log: Logger; logDir: string; dataDir: string }, options: Partial<DriverProcessOptions> = {}) {
    this.name = spec.name;
    this.spec = spec;
    this.#opts = { ...driverProcessDefaults, ...options };
    this.#cb = deps.callbacks;
    this.#log = deps.log;
    this.#logFile = join(deps.logDir, `${spec.name}.log`);
    this.#dataDir = join(deps.dataDir, spec.name);
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get logFile(): string {
    return this.#logFile;
  }

  start(): void {
    if (this.state === 'starting' || this.state === 'running') return;
    if (!existsSync(this.spec.module)) {
      this.lastError = `driver module ${this.spec.module} not found`;
      this.#setState('failed');
      this.#log.error({ module: this.spec.module }, 'driver module not found; waiting for it to be installed');
      this.#scheduleRestart(); // starts by itself once the package is installed
      return;
    }
    this.#setState('starting');
    mkdirSync(dirname(this.#logFile), { recursive: true });
    mkdirSync(this.#dataDir, { recursive: true });
    // The child's stdout/stderr go to its own log file, so a crash's stack trace is kept there.
    const out = openSync(this.#logFile, 'a');
    const execArgv = extname(this.spec.module) === '.ts' || sourceMode ? ['--import', tsxLoader()] : [];
    const child = fork(CHILD_ENTRY, [this.spec.module], {
      stdio: ['ignore', out, out, 'ipc'],
      execArgv: [...execArgv, '--enable-source-maps'],
      env: { ...process.env, EDGE_DRIVER: this.name },
      serialization: 'json',
    });
    closeSync(out);
    this.#child = child;
    this.startedAt = Date.now();
    this.#lastMessageAt = Date.now();
    child.on('message', (m: DriverToHost) => this.#onMessage(m));
    child.on('exit', (code, signal) => this.#onExit(child, code, signal));
    child.on('error', (err) => this.#log.error({ err }, 'driver process error'));
    this.#send({
      t: 'init',
      name: this.name,
      config: this.spec.config,
      deviceList: this.spec.devices,
      logFile: this.#logFile,
      logLevel: this.#opts.logLevel,
      dataDir: this.#dataDir,
      heartbeatMs: this.#opts.heartbeatMs,
    });
    this.#armHangWatch();
  }

  /** Resolves when the driver reported ready (or immediately if it is). */
  whenReady(): Promise<void> {
    if (this.state === 'running') return Promise.resolve();
    return new Promise((resolve) => this.#readyWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.#clearRestart();
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      this.#setState('stopped');
      return;
    }
    this.#setState('stopping');
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.#send({ t: 'stop', force: false });
    const timer = setTimeout(() => child.kill('SIGKILL'), this.#opts.stopTimeoutMs);
    await exited;
    clearTimeout(timer);
  }

  /** Restart on request (console button, driver-level redeploy): backoff does not apply. */
  async restart(): Promise<void> {
    await this.stop();
    this.#attempt = 0;
    this.start();
  }

  updateDevices(add: DeviceInfo[], remove: DeviceInfo[]): void {
    this.#send({ t: 'devices', add, remove: remove.map(({ productKey, deviceName }) => ({ productKey, deviceName })) });
  }

  call(op: CallOp, pk: string, dn: string, payload: { keys?: string[]; params?: Record<string, unknown>; service?: string }, timeoutMs = this.#opts.callTimeoutMs): Promise<Answer> {
    if (this.state !== 'running') {
      return Promise.reject(edgeError('EDGE_ERR_DRIVER_UNAVAILABLE', this.name, this.lastError ?? this.state));
    }
    const id = this.#nextCallId++;
    return new Promise<Answer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#calls.delete(id);
        reject(edgeError('EDGE_ERR_DRIVER_TIMEOUT', this.name, op === 'service' ? payload.service : op, timeoutMs));
      }, timeoutMs);
      this.#calls.set(id, { resolve, timer });
      this.#send({ t: 'call', id, op, pk, dn, ...payload });
    });
  }

  #send(msg: HostToDriver): void {
    const child = this.#child;
    if (child?.connected) child.send(msg);
  }

  #onMessage(m: DriverToHost): void {
    this.#lastMessageAt = Date.now();
    switch (m.t) {
      case 'props':
        this.#cb.onProps(m.items);
        break;
      case 'hb':
        break;
      case 'status':
        this.#cb.onDeviceStatus(m.pk, m.dn, m.online, m.reason);
        break;
      case 'event':
        this.#cb.onEvent(m.pk, m.dn, m.id, m.params, m.time);
        break;
      case 'reply': {
        const call = this.#calls.get(m.id);
        if (!call) return; // answered after its time limit: the caller already has its timeout
        this.#calls.delete(m.id);
        clearTimeout(call.timer);
        call.resolve({ code: m.code, message: m.message, ...(m.data !== undefined ? { data: m.data } : {}) });
        break;
      }
      case 'ready':
        this.readyAt = Date.now();
        this.#setState('running');
        this.#log.info({ ms: this.readyAt - this.startedAt, devices: this.spec.devices.length, childPid: this.#child?.pid }, 'driver ready');
        for (const w of this.#readyWaiters.splice(0)) w();
        break;
      case 'stopped':
        break;
      case 'hostCall':
        void this.#answerHostCall(m.id, m.method, m.args);
        break;
    }
  }

  async #answerHostCall(id: number, method: string, args: Record<string, unknown>): Promise<void> {
    let answer: Answer;
    try {
      answer = this.#cb.onHostCall ? await this.#cb.onHostCall(method, args ?? {}) : { code: 6304, message: `host service ${method} not registered` };
    } catch (err) {
      answer = answerOf(err);
    }
    this.#send({ t: 'hostReply', id, code: answer.code, message: answer.message, ...(answer.data !== undefined ? { data: answer.data } : {}) });
  }

  #armHangWatch(): void {
    clearInterval(this.#hangTimer);
    this.#hangTimer = setInterval(() => {
      const child = this.#child;
      if (!child || this.state === 'stopping') return;
      const silentMs = Date.now() - this.#lastMessageAt;
      if (silentMs > this.#opts.hangTimeoutMs) {
        this.lastError = `no heartbeat for ${silentMs} ms`;
        this.#log.error({ silentMs }, 'driver hangs; killing it');
        child.kill('SIGKILL');
      }
    }, Math.max(100, Math.floor(this.#opts.heartbeatMs / 2)));
    this.#hangTimer.unref();
  }

  #onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.#child) return;
    clearInterval(this.#hangTimer);
    this.#child = undefined;
    for (const [id, call] of this.#calls) {
      clearTimeout(call.timer);
      call.resolve({ code: 6302, message: `driver ${this.name} exited before answering` });
      this.#calls.delete(id);
    }
    const stopping = this.state === 'stopping';
    const reason = stopping ? 'stopped' : (this.lastError?.startsWith('no heartbeat') ? this.lastError : signal ? `killed by ${signal}` : `exited with code ${code}`);
    this.#cb.onDown(reason);
    if (stopping) {
      this.#setState('stopped');
      return;
    }
    this.lastError = reason;
    this.#log.error({ code, signal, reason }, 'driver down');
    if (Date.now() - this.startedAt > this.#opts.stableAfterMs) this.#attempt = 0;
    this.#scheduleRestart();
  }

  /** The delay of the next restart: base × 2^attempt, capped, ±20 % jitter. */
  nextDelayMs(): number {
    const raw = Math.min(this.#opts.restartMaxMs, this.#opts.restartBaseMs * 2 ** this.#attempt);
    return Math.round(raw * (0.8 + Math.random() * 0.4));
  }

  #scheduleRestart(): void {
    if (this.#restartTimer) return;
    const delay = this.nextDelayMs();
    this.#attempt++;
    if (this.state !== 'failed') this.#setState('restarting');
    this.#log.debug({ delay }, 'scheduleRestart :: in %d ms', delay);
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      this.restarts++;
      this.start();
    }, delay);
  }

  #clearRestart(): void {
    clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
  }

  #setState(state: DriverState): void {
    if (this.state === state) return;
    this.state = state;
    this.#cb.onState(state);
  }
}
