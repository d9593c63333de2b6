/**
 * Supervises one driver's child process: start, heartbeat watch, calls with time limits,
 * and restart with exponential backoff and jitter when it throws, exits, hangs or is killed.
 * `scheduleRestart` is the only place that arms the restart (one RetryTimer) and `clearRestart`
 * the only place that cancels it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { answerOf, edgeError, type Answer } from '../errors.js';
import type { Logger } from '../log.js';
import type { CallOp, DriverToHost, HostToDriver } from './sdk/protocol.js';
import type { DeviceInfo } from './sdk/driver.js';
import { childProcessChannel, type ChannelFactory, type DriverChannel } from './channel.js';
import {
  type DriverCallbacks,
  type DriverProcessOptions,
  type DriverSpec,
  type DriverState,
  driverProcessDefaults,
} from './driver-spec.js';
import { PendingCalls } from './pending-calls.js';
import { RetryTimer } from '../../protocols/common/backoff.js';
import { HangWatch } from './hang-watch.js';

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
  #channel: DriverChannel | undefined;
  readonly #channels: { process: ChannelFactory; mqtt?: ChannelFactory };
  readonly #retry: RetryTimer;
  /** Why the running process could not start, reported just before it exits. */
  #startFailure: string | undefined;
  /** The uncaught error a running driver reported before exiting. */
  #fatal: string | undefined;
  readonly #hangWatch: HangWatch;
  readonly #calls = new PendingCalls();
  #readyWaiters: Array<() => void> = [];
  #endWaiters: Array<() => void> = [];
  /**
   * A stop was asked for and no start since. Kept apart from `state`: a driver that reports
   * `ready` after the stop was sent (it had not read its init yet) must not turn back into
   * `running`, or its end would count as a crash and restart it after the host stopped — an
   * orphan process (found by the suite's leak check after many redeploys).
   */
  #stopRequested = false;

  constructor(
    spec: DriverSpec,
    deps: { callbacks: DriverCallbacks; log: Logger; logDir: string; dataDir: string; mqttChannel?: ChannelFactory },
    options: Partial<DriverProcessOptions> = {},
  ) {
    this.name = spec.name;
    this.#channels = { process: childProcessChannel, ...(deps.mqttChannel ? { mqtt: deps.mqttChannel } : {}) };
    this.spec = spec;
    this.#opts = { ...driverProcessDefaults, ...options };
    this.#cb = deps.callbacks;
    this.#log = deps.log;
    this.#logFile = join(deps.logDir, `${spec.name}.log`);
    this.#dataDir = join(deps.dataDir, spec.name);
    this.#retry = new RetryTimer({ minMs: this.#opts.restartBaseMs, maxMs: this.#opts.restartMaxMs });
    this.#hangWatch = new HangWatch(this.#opts, (silentMs) => {
      const channel = this.#channel;
      if (!channel || this.state === 'stopping') return;
      this.#log.error({ silentMs }, 'driver hangs; killing it');
      channel.kill(`no heartbeat for ${silentMs} ms`);
    });
  }

  get pid(): number | undefined {
    return this.#channel?.pid;
  }

  get logFile(): string {
    return this.#logFile;
  }

  start(): void {
    if (this.state === 'starting' || this.state === 'running') return;
    this.#stopRequested = false;
    const transport = this.spec.transport ?? 'process';
    const factory = this.#channels[transport];
    const missing = !factory
      ? 'the local bus is not enabled'
      : transport === 'process' && !existsSync(this.spec.module)
        ? `driver module ${this.spec.module} not found`
        : undefined;
    if (missing || !factory) {
      this.lastError = missing;
      this.#setState('failed');
      this.#log.error({ module: this.spec.module, transport, reason: missing }, 'driver cannot start; waiting for it to become available');
      this.#scheduleRestart(); // starts by itself once the package is installed
      return;
    }
    this.#setState('starting');
    mkdirSync(this.#dataDir, { recursive: true });
    this.startedAt = Date.now();
    const channel: DriverChannel = factory(
      {
        name: this.name,
        module: this.spec.module,
        logFile: this.#logFile,
        logRotate: { maxBytes: this.#opts.logMaxBytes, keep: this.#opts.logKeep },
        ...(this.spec.heapMb ? { heapMb: this.spec.heapMb } : {}),
      },
      { onMessage: (m) => this.#onMessage(m), onEnd: (reason) => this.#onEnd(channel, reason) },
    );
    this.#channel = channel;
    this.#hangWatch.arm();
    this.#sendInit();
  }

  #sendInit(): void {
    this.#send({
      t: 'init',
      name: this.name,
      config: this.spec.config,
      deviceList: this.spec.devices,
      logLevel: this.#opts.logLevel,
      dataDir: this.#dataDir,
      heartbeatMs: this.#opts.heartbeatMs,
    });
  }

  /** Resolves when the driver reported ready (or immediately if it is). */
  whenReady(): Promise<void> {
    if (this.state === 'running') return Promise.resolve();
    return new Promise((resolve) => this.#readyWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.#stopRequested = true;
    this.#clearRestart();
    const channel = this.#channel;
    if (!channel) {
      this.#setState('stopped');
      return;
    }
    this.#setState('stopping');
    const ended = new Promise<void>((resolve) => this.#endWaiters.push(resolve));
    this.#send({ t: 'stop', force: false });
    const timer = setTimeout(() => channel.kill('did not stop in time'), this.#opts.stopTimeoutMs);
    await ended;
    clearTimeout(timer);
  }

  /** Restart on request (console button, driver-level redeploy): backoff does not apply. */
  async restart(): Promise<void> {
    await this.stop();
    this.#retry.reset();
    this.start();
  }

  updateDevices(add: DeviceInfo[], remove: DeviceInfo[]): void {
    this.#send({ t: 'devices', add, remove: remove.map(({ productKey, deviceName }) => ({ productKey, deviceName })) });
  }

  call(
    op: CallOp,
    pk: string,
    dn: string,
    payload: { keys?: string[]; params?: Record<string, unknown>; service?: string },
    timeoutMs = this.#opts.callTimeoutMs,
  ): Promise<Answer> {
    // 'starting' too: a device reported online while its siblings are still being added can be
    // called; the child answers itself if its driver is not set up yet.
    if (this.state !== 'running' && this.state !== 'starting') {
      return Promise.reject(edgeError('EDGE_ERR_DRIVER_UNAVAILABLE', this.name, this.lastError ?? this.state));
    }
    return this.#calls.open(
      timeoutMs,
      () => edgeError('EDGE_ERR_DRIVER_TIMEOUT', this.name, op === 'service' ? payload.service : op, timeoutMs),
      (id) => this.#send({ t: 'call', id, op, pk, dn, ...payload }),
    );
  }

  #send(msg: HostToDriver): void {
    this.#channel?.send(msg);
  }

  #onMessage(m: DriverToHost): void {
    this.#hangWatch.heard();
    switch (m.t) {
      case 'props':
        this.#cb.onProps(m.items);
        break;
      case 'hb':
        break;
      case 'status':
        this.#cb.onDeviceStatus(m.pk, m.dn, m.online, m.reason, m.failed === true);
        break;
      case 'event':
        this.#cb.onEvent(m.pk, m.dn, m.id, m.params, m.time);
        break;
      case 'reply':
        this.#calls.settle(m.id, { code: m.code, message: m.message, ...(m.data !== undefined ? { data: m.data } : {}) });
        break;
      case 'ready':
        if (this.#stopRequested) break; // it reads its stop next
        this.readyAt = Date.now();
        this.#setState('running');
        this.#log.info(
          { ms: this.readyAt - this.startedAt, devices: this.spec.devices.length, childPid: this.#channel?.pid },
          'driver ready',
        );
        for (const w of this.#readyWaiters.splice(0)) w();
        break;
      case 'stopped':
        break;
      case 'startFailed':
        // Kept for #onEnd: the process exits right after, and this is why.
        this.#startFailure = m.reason.slice(0, 500);
        break;
      case 'fatal':
        this.#fatal ??= m.reason.slice(0, 500);
        break;
      case 'hello':
        // A remote driver (re)connected to the bus: give it its config again.
        if (this.state === 'starting' || this.state === 'running') this.#sendInit();
        break;
      case 'hostCall':
        void this.#answerHostCall(m.id, m.method, m.args);
        break;
    }
  }

  async #answerHostCall(id: number, method: string, args: Record<string, unknown>): Promise<void> {
    const unknown = async (): Promise<Answer> => answerOf(edgeError('EDGE_ERR_HOST_SERVICE_UNKNOWN', method));
    const answer = await (this.#cb.onHostCall ? this.#cb.onHostCall(method, args ?? {}) : unknown()).catch(answerOf);
    this.#send({
      t: 'hostReply',
      id,
      code: answer.code,
      message: answer.message,
      ...(answer.data !== undefined ? { data: answer.data } : {}),
    });
  }

  #onEnd(channel: DriverChannel, how: string): void {
    if (channel !== this.#channel) return;
    this.#hangWatch.disarm();
    this.#channel = undefined;
    this.#calls.answerAll(() => answerOf(edgeError('EDGE_ERR_DRIVER_FAILED', this.name, 'exited before answering')));
    const stopping = this.#stopRequested;
    const startFailure = this.#startFailure;
    const fatal = this.#fatal;
    this.#startFailure = undefined;
    this.#fatal = undefined;
    const reason = stopping ? 'stopped' : (startFailure ?? (fatal ? `${fatal} (${how})` : how));
    this.#cb.onDown(reason);
    for (const w of this.#endWaiters.splice(0)) w();
    if (stopping) {
      this.#setState('stopped');
      return;
    }
    // The same failure again (a port still taken) is logged once, not at every retry.
    if (reason !== this.lastError || this.state !== 'failed')
      this.#log.error({ reason }, startFailure ? 'driver cannot start' : 'driver down');
    this.lastError = reason;
    if (Date.now() - this.startedAt > this.#opts.stableAfterMs) this.#retry.reset();
    // A driver that cannot start is `failed` (health, console) until a retry succeeds; one that
    // ran and died is `restarting`.
    if (startFailure) this.#setState('failed');
    this.#scheduleRestart();
  }

  /** The delay of the next restart (protocols/common/backoff.ts). */
  nextDelayMs(): number {
    return this.#retry.nextDelayMs();
  }

  #scheduleRestart(): void {
    if (this.#stopRequested) return;
    const delay = this.#retry.schedule(() => {
      this.restarts++;
      this.start();
    });
    if (delay === undefined) return;
    if (this.state !== 'failed') this.#setState('restarting');
    this.#log.debug({ delay }, 'scheduleRestart :: in %d ms', delay);
    this.#cb.onRestartScheduled?.(this.#retry.attempt, delay, this.lastError ?? 'unknown');
  }

  #clearRestart(): void {
    this.#retry.cancel();
  }

  #setState(state: DriverState): void {
    if (this.state === state) return;
    this.state = state;
    this.#cb.onState(state);
  }
}
