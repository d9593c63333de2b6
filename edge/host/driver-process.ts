/**
 * Supervises one driver's child process (or remote driver on the local bus): its init, heartbeat
 * watch, calls with time limits and its IPC. Start, stop, restart with backoff and crash
 * accounting are the shared supervisor's (process-supervisor.ts); a driver adds what its end
 * means — a start failure or fatal error it reported just before exiting.
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
import { HangWatch } from './hang-watch.js';
import { type Crash, ProcessSupervisor } from './process-supervisor.js';

export class DriverProcess extends ProcessSupervisor<DriverChannel> {
  readonly name: string;
  spec: DriverSpec;
  readyAt = 0;

  readonly #opts: DriverProcessOptions;
  #clockOffsetMs = 0;
  readonly #cb: DriverCallbacks;
  readonly #log: Logger;
  readonly #logFile: string;
  readonly #dataDir: string;
  readonly #channels: { process: ChannelFactory; mqtt?: ChannelFactory };
  /** Why the running process could not start, reported just before it exits. */
  #startFailure: string | undefined;
  /** The uncaught error a running driver reported before exiting. */
  #fatal: string | undefined;
  readonly #hangWatch: HangWatch;
  readonly #calls = new PendingCalls();
  #readyWaiters: Array<() => void> = [];

  constructor(
    spec: DriverSpec,
    deps: { callbacks: DriverCallbacks; log: Logger; logDir: string; dataDir: string; mqttChannel?: ChannelFactory },
    options: Partial<DriverProcessOptions> = {},
  ) {
    const opts = { ...driverProcessDefaults, ...options };
    super(opts);
    this.name = spec.name;
    this.#channels = { process: childProcessChannel, ...(deps.mqttChannel ? { mqtt: deps.mqttChannel } : {}) };
    this.spec = spec;
    this.#opts = opts;
    this.#cb = deps.callbacks;
    this.#log = deps.log;
    this.#logFile = join(deps.logDir, `${spec.name}.log`);
    this.#dataDir = join(deps.dataDir, spec.name);
    this.#hangWatch = new HangWatch(this.#opts, (silentMs) => {
      const channel = this.run;
      if (!channel || this.state === 'stopping') return;
      this.#log.error({ silentMs }, 'driver hangs; killing it');
      channel.kill(`no heartbeat for ${silentMs} ms`);
    });
  }

  get pid(): number | undefined {
    return this.run?.pid;
  }

  get logFile(): string {
    return this.#logFile;
  }

  protected unavailable(): string | undefined {
    const transport = this.spec.transport ?? 'process';
    if (!this.#channels[transport]) return 'the local bus is not enabled';
    if (transport === 'process' && !existsSync(this.spec.module)) return `driver module ${this.spec.module} not found`;
    return undefined;
  }

  protected cannotStart(reason: string): void {
    const transport = this.spec.transport ?? 'process';
    this.#log.error({ module: this.spec.module, transport, reason }, 'driver cannot start; waiting for it to become available');
  }

  protected spawn(): DriverChannel {
    const factory = this.#channels[this.spec.transport ?? 'process'];
    if (!factory) throw new Error('the local bus is not enabled'); // `unavailable` said so first
    mkdirSync(this.#dataDir, { recursive: true });
    const channel: DriverChannel = factory(
      {
        name: this.name,
        module: this.spec.module,
        logFile: this.#logFile,
        logRotate: { maxBytes: this.#opts.logMaxBytes, keep: this.#opts.logKeep },
        ...(this.spec.heapMb ? { heapMb: this.spec.heapMb } : {}),
      },
      { onMessage: (m) => this.#onMessage(m), onEnd: (reason) => this.exited(channel, reason) },
    );
    return channel;
  }

  protected started(): void {
    this.#hangWatch.arm();
    this.#sendInit();
  }

  protected askToStop(): void {
    this.#send({ t: 'stop', force: false });
  }

  protected forceStop(channel: DriverChannel): void {
    channel.kill('did not stop in time');
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
      clockOffsetMs: this.#clockOffsetMs,
    });
  }

  /** Resolves when the driver reported ready (or immediately if it is). */
  whenReady(): Promise<void> {
    if (this.state === 'running') return Promise.resolve();
    return new Promise((resolve) => this.#readyWaiters.push(resolve));
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

  /** The platform clock against the box's (Alink NTP): the driver's timestamps follow it, from now and after a restart. */
  setClockOffset(offsetMs: number): void {
    this.#clockOffsetMs = offsetMs;
    this.#send({ t: 'clock', offsetMs });
  }

  #send(msg: HostToDriver): void {
    this.run?.send(msg);
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
        if (this.stopRequested) break; // it reads its stop next
        this.readyAt = Date.now();
        this.setState('running');
        this.#log.info({ ms: this.readyAt - this.startedAt, devices: this.spec.devices.length, childPid: this.run?.pid }, 'driver ready');
        for (const w of this.#readyWaiters.splice(0)) w();
        break;
      case 'stopped':
        break;
      case 'startFailed':
        // Kept for `released`: the process exits right after, and this is why.
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

  protected released(how: string, end: { stopping: boolean }): Crash {
    this.#hangWatch.disarm();
    this.#calls.answerAll(() => answerOf(edgeError('EDGE_ERR_DRIVER_FAILED', this.name, 'exited before answering')));
    const startFailure = this.#startFailure;
    const fatal = this.#fatal;
    this.#startFailure = undefined;
    this.#fatal = undefined;
    const reason = end.stopping ? 'stopped' : (startFailure ?? (fatal ? `${fatal} (${how})` : how));
    this.#cb.onDown(reason);
    if (!end.stopping && !this.isRepeat(reason)) this.#log.error({ reason }, startFailure ? 'driver cannot start' : 'driver down');
    // A driver that cannot start is `failed` (health, console) until a retry succeeds; one that
    // ran and died is `restarting`.
    return { reason, atStart: startFailure !== undefined };
  }

  protected restartScheduled(attempt: number, delay: number): void {
    this.#log.debug({ delay }, 'scheduleRestart :: in %d ms', delay);
    this.#cb.onRestartScheduled?.(attempt, delay, this.lastError ?? 'unknown');
  }

  protected stateChanged(state: DriverState): void {
    this.#cb.onState(state);
  }
}
