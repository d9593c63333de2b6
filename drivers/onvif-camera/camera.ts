/**
 * One configured ONVIF camera: connect (clock, services, device information, profiles, stream
 * and snapshot URIs), report online with its properties, check it is still there every
 * `checkIntervalMs`, and on any failure go offline with the reason — reported and logged once
 * per reason, not per retry — and reconnect on the shared backoff (protocols/common/backoff.ts).
 * While online, events are pulled from a PullPoint subscription and reported as thing-model
 * events `motion` and `alarm`.
 */
import type { Logger } from 'pino';
import type { DeviceHandle } from '../../edge/host/sdk/driver.js';
import { RetryTimer } from '../../protocols/common/backoff.js';
import { eventOf, type Notification } from '../../protocols/onvif/notifications.js';
import { NotAuthorizedError, OnvifClient, type CameraAddress, type MediaProfile } from './client.js';

/** Errors that mean the camera is not reachable (rather than answering something unusable). */
const NETWORK = /ECONN|EHOST|ENETUNREACH|ETIMEDOUT|EPIPE|EAI_AGAIN|ENOTFOUND|socket hang up|timeout|no answer within/i;

/** Least time between two pulls that brought nothing (a camera should hold an empty pull up to its Timeout). */
export const MIN_PULL_MS = 1000;

export interface CameraOptions {
  timeoutMs: number;
  checkIntervalMs: number;
  retry: { minMs: number; maxMs: number };
  events: boolean;
  /** How often the PullPoint subscription is renewed (it is created for 2 minutes); default 60 s. */
  renewMs?: number;
}

export interface CameraConfig extends Omit<CameraAddress, 'timeoutMs'> {
  profile?: string | undefined;
  categoryCode?: string | undefined;
}

/** What a connection found; the services work on it. */
export interface Connected {
  client: OnvifClient;
  profile: MediaProfile;
  /** Every profile the camera lists (the second is the sub stream of `streamType` 1). */
  profiles: MediaProfile[];
  streamUri: string;
  snapshotUri?: string;
}

/** A URI as it may be logged: without user information. */
export function redactUri(uri: string): string {
  return uri.replace(/^([a-z]+:\/\/)[^/@]*@/i, '$1');
}

/**
 * The stream URI with the camera's account in it, for the media relay (ffmpeg reads RTSP
 * credentials from the URI). Never logged: log `redactUri` of it.
 */
export function withCredentials(uri: string, username: string, password: string): string {
  const u = new URL(uri);
  u.username = encodeURIComponent(username);
  u.password = encodeURIComponent(password);
  return u.href;
}

export class CameraSession {
  #conn: Connected | undefined;
  #client: OnvifClient | undefined;
  #stopped = false;
  #reason: string | undefined;
  #kind: 'auth' | 'network' | 'protocol' | undefined;
  #check: NodeJS.Timeout | undefined;
  readonly #retry: RetryTimer;
  readonly #eventRetry: RetryTimer;
  #eventsFailed: string | undefined;
  #pauseTimer: NodeJS.Timeout | undefined;
  readonly #log: Logger;

  constructor(
    readonly handle: DeviceHandle,
    readonly cfg: CameraConfig,
    readonly o: CameraOptions,
    log: Logger,
  ) {
    this.#log = log.child({ device: handle.deviceName, address: `${cfg.ip}:${cfg.port}` });
    this.#retry = new RetryTimer(o.retry);
    this.#eventRetry = new RetryTimer({ minMs: o.retry.minMs, maxMs: Math.max(o.retry.maxMs, o.retry.minMs) });
  }

  get connected(): Connected | undefined {
    return this.#conn;
  }

  /** Why the camera is offline (undefined while online or before the first attempt ends). */
  get reason(): string | undefined {
    return this.#reason;
  }

  start(): void {
    void this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    this.#retry.cancel();
    this.#eventRetry.cancel();
    clearInterval(this.#check);
    clearTimeout(this.#pauseTimer);
    this.#client?.close();
    this.#conn = undefined;
  }

  async #connect(): Promise<void> {
    if (this.#stopped) return;
    const client = new OnvifClient({ ...this.cfg, timeoutMs: this.o.timeoutMs });
    this.#client = client;
    try {
      await client.connect();
      const info = await client.deviceInformation();
      const profiles = await client.profiles();
      const profile = this.cfg.profile ? profiles.find((p) => p.token === this.cfg.profile) : profiles[0];
      if (!profile)
        throw new Error(this.cfg.profile ? `the camera has no media profile ${this.cfg.profile}` : 'the camera lists no media profile');
      const streamUri = await client.streamUri(profile.token);
      // A camera without snapshots is still a camera: the snapshot service then says so.
      const snapshotUri = await client.snapshotUri(profile.token).catch(() => undefined);
      if (this.#stopped) return client.close();
      this.#conn = { client, profile, profiles, streamUri, ...(snapshotUri ? { snapshotUri } : {}) };
      this.handle.reportProperties({
        Manufacturer: info.manufacturer,
        Model: info.model,
        Firmware: info.firmwareVersion,
        SerialNumber: info.serialNumber,
        HardwareId: info.hardwareId,
        Address: `${this.cfg.ip}:${this.cfg.port}`,
        Profile: profile.token,
        Profiles: profiles
          .map((p) => `${p.token}${p.width && p.height ? ` ${p.width}x${p.height}` : ''}${p.encoding ? ` ${p.encoding}` : ''}`)
          .join(', ')
          .slice(0, 512),
        PtzSupported: client.hasPtz,
        ...(this.cfg.categoryCode ? { CategoryCode: this.cfg.categoryCode } : {}),
      });
      this.#reason = undefined;
      this.#kind = undefined;
      this.#retry.reset();
      this.handle.online();
      this.#log.info({ ...info, profile: profile.token, stream: redactUri(streamUri), ptz: client.hasPtz }, 'camera online');
      this.#check = setInterval(() => void this.#alive(client), this.o.checkIntervalMs);
      if (this.o.events && client.hasEvents) void this.#pull(client);
    } catch (err) {
      this.#fail(client, err as Error);
    }
  }

  async #alive(client: OnvifClient): Promise<void> {
    try {
      await client.clock();
    } catch (err) {
      if (this.#client === client) this.#fail(client, err as Error);
    }
  }

  #fail(client: OnvifClient, err: Error): void {
    client.close();
    if (this.#stopped || this.#client !== client) return;
    clearInterval(this.#check);
    this.#eventRetry.cancel();
    this.#conn = undefined;
    const kind = err instanceof NotAuthorizedError ? 'auth' : NETWORK.test(err.message) ? 'network' : 'protocol';
    const reason =
      kind === 'auth'
        ? `the camera refused user ${this.cfg.username}: wrong user name or password (${err.message})`
        : kind === 'network'
          ? `the camera does not answer: ${err.message}`
          : `the camera's answer is not usable ONVIF: ${err.message}`;
    this.#reason = reason;
    // Reported and logged once per kind of failure: the details of a retry's error (a timing, a size) are no news.
    if (kind !== this.#kind) {
      this.#kind = kind;
      this.handle.offline(reason);
      this.#log.warn(
        { reason, retryInMs: this.#retry.nextDelayMs() },
        'camera offline (logged again only when the kind of failure changes)',
      );
    }
    this.#retry.schedule(() => void this.#connect());
  }

  /** Subscribe and pull until the camera goes away; a failing subscription is retried on its own backoff. */
  async #pull(client: OnvifClient): Promise<void> {
    try {
      await client.createPullPoint();
      this.#eventsFailed = undefined;
      this.#eventRetry.reset();
      let renewed = performance.now();
      while (!this.#stopped && this.#client === client && this.#conn) {
        const t0 = performance.now();
        if (t0 - renewed >= (this.o.renewMs ?? 60_000)) {
          await client.renew();
          renewed = t0;
        }
        const messages = await client.pullMessages();
        this.#eventRetry.reset();
        for (const m of messages) this.#report(m);
        // A camera that answers an empty pull at once instead of holding it must not be polled in a tight loop.
        const quick = MIN_PULL_MS - (performance.now() - t0);
        if (messages.length === 0 && quick > 0) await this.#pause(quick);
      }
    } catch (err) {
      if (this.#stopped || this.#client !== client || !this.#conn) return;
      const message = (err as Error).message;
      if (message !== this.#eventsFailed) {
        this.#eventsFailed = message;
        this.#log.warn({ err: message }, 'camera events: subscription failed, retrying (logged again only when the reason changes)');
      }
      this.#eventRetry.schedule(() => void this.#pull(client));
    }
  }

  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#pauseTimer = setTimeout(resolve, ms);
      this.#pauseTimer.unref();
    });
  }

  #report(n: Notification): void {
    const e = eventOf(n);
    // The state at subscription time (Initialized) is not an event, unless something is already active.
    if (!e || (n.operation === 'Initialized' && !e.active) || n.operation === 'Deleted') return;
    if (e.kind === 'motion') this.handle.reportEvent('motion', { state: e.active, topic: n.topic }, n.time);
    else this.handle.reportEvent('alarm', { type: e.type, state: e.active, topic: n.topic }, n.time);
  }
}
