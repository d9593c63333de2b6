/**
 * One door terminal's connection, as a small state machine (seed 001 L34942-34956, L35051-35064):
 *
 *   offline ──device /connect accepted──▶ halfOpen ──our /connect answered──▶ online
 *      ▲                                     │ reverse connect fails: retry with backoff
 *      └── no request from the device for offlineMisses × its keepalive, or our keep-alives
 *          failing offlineMisses times in a row: token revoked, logical devices offline.
 *
 * While online we send `/keepalive` every `keepaliveS`; a code 4 answer re-runs our /connect
 * (L35059-35060). The device's own keep-alives (or any request with its token) refresh `lastSeen`.
 */
import type { DeviceHandle, DeviceInfo } from '../../edge/host/sdk/driver.js';
import { DoorDeviceClient, DoorReplyError, computeSign, type ConnectRequest } from '../../protocols/door-standard/index.js';
import type { Logger } from 'pino';
import type { DriverSettings, Role, TerminalConfig } from './config.js';

export type LinkState = 'offline' | 'halfOpen' | 'online';

export interface TerminalHooks {
  /** Both directions are up: push SIP, reconcile faces, resync permissions. */
  online(t: Terminal): void;
  /** The device's token must stop working. */
  revoke(t: Terminal): void;
}

export class Terminal {
  readonly cfg: TerminalConfig;
  readonly client: DoorDeviceClient;
  readonly handles = new Map<Role, DeviceHandle>();
  readonly #settings: DriverSettings;
  readonly #hooks: TerminalHooks;
  readonly log: Logger;
  state: LinkState = 'offline';
  /** The period the device declared in its /connect. */
  deviceKeepaliveS = 30;
  lastSeen = 0;
  sn = '';
  #misses = 0;
  #attempt = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #tickTimer: NodeJS.Timeout | undefined;
  #connecting = false;
  #stopped = false;

  constructor(cfg: TerminalConfig, settings: DriverSettings, hooks: TerminalHooks, log: Logger) {
    this.cfg = cfg;
    this.#settings = settings;
    this.#hooks = hooks;
    this.log = log.child({ door: cfg.code, ip: cfg.ip });
    this.client = new DoorDeviceClient({
      baseUrl: `http://${cfg.ip}:${cfg.port}`,
      timeoutMs: settings.callTimeoutMs,
      ...(settings.boxIp.startsWith('127.') ? { localAddress: settings.boxIp } : {}),
    });
  }

  /** The logical device a role maps to, for `deviceKey`s and events. */
  device(role: Role): DeviceInfo | undefined {
    return this.cfg.devices.get(role);
  }

  has(role: Role): boolean {
    return this.cfg.devices.has(role);
  }

  /** The device's /connect was accepted: start our half of the connection. */
  accepted(sn: string, keepaliveS: number): void {
    this.sn = sn;
    this.deviceKeepaliveS = keepaliveS;
    this.lastSeen = Date.now();
    const wasOnline = this.state === 'online';
    this.state = 'halfOpen';
    this.#misses = 0;
    this.#attempt = 0;
    this.#clearRetry();
    this.#startTick();
    this.log.info({ sn, keepaliveS, wasOnline }, 'device connected, connecting back');
    setImmediate(() => void this.#connectBack());
  }

  /** A request carrying the device's valid token arrived. */
  seen(): void {
    this.lastSeen = Date.now();
  }

  #connectRequest(): ConnectRequest {
    const s = this.#settings;
    const f = { time: Math.floor(Date.now() / 1000), mac: s.boxMac, sn: s.boxSn, ip: s.boxIp };
    return { ...f, keepalive: s.keepaliveS, signMethod: 'md5', sign: computeSign('md5', f) };
  }

  async #connectBack(): Promise<void> {
    if (this.#connecting || this.#stopped || this.state === 'offline') return;
    this.#connecting = true;
    try {
      await this.client.connect(this.#connectRequest());
      if ((this.state as LinkState) === 'offline' || this.#stopped) return; // went offline meanwhile
      const first = this.state !== 'online';
      this.state = 'online';
      this.#attempt = 0;
      this.#misses = 0;
      for (const h of this.handles.values()) h.online();
      this.log.info({ first }, 'two-way connection complete');
      this.#hooks.online(this);
    } catch (err) {
      this.log.warn({ err: (err as Error).message, attempt: this.#attempt }, 'connect back failed');
      this.#scheduleRetry();
    } finally {
      this.#connecting = false;
    }
  }

  /** The only place that arms the reconnect timer: exponential backoff with jitter. */
  #scheduleRetry(): void {
    if (this.#stopped || this.state === 'offline' || this.#retryTimer) return;
    const base = Math.min(this.#settings.retryMaxMs, this.#settings.retryBaseMs * 2 ** this.#attempt++);
    const ms = Math.round(base / 2 + (Math.random() * base) / 2);
    this.log.debug({ ms }, 'scheduleRetry');
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      void this.#connectBack();
    }, ms);
    this.#retryTimer.unref?.();
  }

  #clearRetry(): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
  }

  /** Our token at the device was refused (code 4): connect back again. */
  reconnect(): void {
    if (this.state === 'offline') return;
    this.state = 'halfOpen';
    void this.#connectBack();
  }

  #startTick(): void {
    if (this.#tickTimer) return;
    this.#tickTimer = setInterval(() => void this.checkLiveness(), this.#settings.keepaliveS * 1000);
    this.#tickTimer.unref?.();
  }

  /** One keep-alive period: the offline rule, then our heartbeat to the device. */
  async checkLiveness(): Promise<void> {
    const silentMs = Date.now() - this.lastSeen;
    if (silentMs > this.#settings.offlineMisses * this.deviceKeepaliveS * 1000) {
      this.goOffline(`no keep-alive for ${Math.round(silentMs / 1000)} s`);
      return;
    }
    if (this.state !== 'online') return;
    try {
      await this.client.keepalive();
      this.#misses = 0;
    } catch (err) {
      if (err instanceof DoorReplyError && err.code === 4) {
        this.log.info({}, 'device refused our token, connecting back');
        this.reconnect();
        return;
      }
      this.#misses++;
      this.log.warn({ err: (err as Error).message, misses: this.#misses }, 'keep-alive to device failed');
      if (this.#misses >= this.#settings.offlineMisses) this.goOffline(`${this.#misses} keep-alives to the device failed`);
    }
  }

  goOffline(reason: string): void {
    if (this.state === 'offline') return;
    this.state = 'offline';
    this.#clearRetry();
    clearInterval(this.#tickTimer);
    this.#tickTimer = undefined;
    this.client.token = undefined;
    this.#hooks.revoke(this);
    for (const h of this.handles.values()) h.offline(reason);
    this.log.warn({ reason }, 'door offline');
  }

  stop(): void {
    this.#stopped = true;
    this.#clearRetry();
    clearInterval(this.#tickTimer);
    this.#tickTimer = undefined;
    this.client.close();
  }
}
