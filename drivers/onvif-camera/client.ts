/**
 * The one typed door to the `onvif` package (untyped JavaScript at heart: its callbacks carry
 * `any`). Each call becomes a promise that settles once — the package can call back twice when a
 * camera's answer breaks its parser — within a deadline, and each answer is checked here before
 * the driver sees it. Requests are sent by the package with WS-UsernameToken (PasswordDigest)
 * and, when the camera answers 401, HTTP Digest (ONVIF Core's security chapter).
 */
import { Agent, type ClientRequestArgs } from 'node:http';
import type { Duplex } from 'node:stream';
import onvif, { type Cam } from 'onvif';
import { parseNotifications, type Notification } from '../../protocols/onvif/notifications.js';

export interface CameraAddress {
  ip: string;
  port: number;
  username: string;
  password: string;
  /** Path of the device service (default `/onvif/device_service`). */
  path?: string;
  timeoutMs: number;
}

export interface DeviceInformation {
  manufacturer: string;
  model: string;
  firmwareVersion: string;
  serialNumber: string;
  hardwareId: string;
}

export interface MediaProfile {
  token: string;
  name: string;
  encoding?: string;
  width?: number;
  height?: number;
  /** The profile carries a PTZ configuration. */
  ptz: boolean;
}

export interface Preset {
  token: string;
  name: string;
}

export interface Vector {
  x: number;
  y: number;
  zoom: number;
}

/** The most one answer may carry: the package reads answers whole, so the cap is on its socket. */
export const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/**
 * The package's HTTP agent, with a byte cap per connection (one request each: no keep-alive): a
 * camera streaming an endless answer is cut off instead of filling the driver's memory.
 */
class CappedAgent extends Agent {
  override createConnection(options: ClientRequestArgs, cb?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    const socket = super.createConnection(options, cb);
    let size = 0;
    socket?.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_ANSWER_BYTES) socket.destroy(new Error(`the camera's answer is larger than ${MAX_ANSWER_BYTES} bytes`));
    });
    return socket;
  }
}

/** A failure the camera itself reported as refusing our credentials. */
export class NotAuthorizedError extends Error {}

const AUTH_FAILURE = /NotAuthorized|not authorized|Digest authentication failed|Unauthorized|Sender not Authorized/i;

type Callback = (err: Error | null | undefined, data?: unknown, xml?: string) => void;

const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const str = (v: unknown, max = 256): string => (typeof v === 'string' ? v.slice(0, max) : typeof v === 'number' ? String(v) : '');
const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v)
    ? v
    : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))
      ? Number(v)
      : undefined;
const tokenOf = (v: unknown): string => str(obj(obj(v).$).token, 64);

export class OnvifClient {
  readonly #cam: Cam;
  readonly #agent = new CappedAgent({ keepAlive: false, maxSockets: 4 });
  readonly #timeoutMs: number;
  #closed = false;

  constructor(a: CameraAddress) {
    this.#timeoutMs = a.timeoutMs;
    this.#cam = new onvif.Cam({
      hostname: a.ip,
      port: a.port,
      username: a.username,
      password: a.password,
      path: a.path ?? '/onvif/device_service',
      timeout: a.timeoutMs,
      autoconnect: false,
      // Service addresses as the camera names them may be unreachable (NAT, a second NIC): keep ours.
      preserveAddress: true,
      agent: this.#agent,
    });
    // The package emits 'error'-less; a stray 'error' listener keeps an EventEmitter error from throwing.
    this.#cam.on('error', () => undefined);
  }

  /** One package call as a promise: settles once, within the deadline (`extraMs` for long polls). */
  #call<T>(what: string, invoke: (cb: Callback) => void, extraMs = 0): Promise<{ data: unknown; xml: string } & { _?: T }> {
    if (this.#closed) return Promise.reject(new Error('closed'));
    return new Promise((resolve, reject) => {
      let done = false;
      const timer = setTimeout(
        () => finish(new Error(`${what}: no answer within ${this.#timeoutMs + extraMs} ms`)),
        this.#timeoutMs + extraMs + 500,
      );
      const finish = (err: Error | null | undefined, data?: unknown, xml?: string) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (err) {
          const message = `${what}: ${String(err.message ?? err).slice(0, 300)}`;
          reject(AUTH_FAILURE.test(`${err.message} ${(xml ?? '').slice(0, 4000)}`) ? new NotAuthorizedError(message) : new Error(message));
        } else resolve({ data, xml: typeof xml === 'string' ? xml : '' });
      };
      try {
        invoke(finish);
      } catch (err) {
        finish(err as Error);
      }
    });
  }

  /** Clock, services (or capabilities on older cameras): what every later call needs. */
  async connect(): Promise<void> {
    await this.#call('GetSystemDateAndTime', (cb) => this.#cam.getSystemDateAndTime(cb));
    try {
      await this.#call('GetServices', (cb) => this.#cam.getServices(true, cb));
    } catch (err) {
      if (err instanceof NotAuthorizedError) throw err;
      await this.#call('GetCapabilities', (cb) => this.#cam.getCapabilities(cb));
    }
    if (!this.#cam.uri?.media) throw new Error('the camera offers no media service');
  }

  /** GetSystemDateAndTime: the cheapest call every camera answers, the liveness check. */
  async clock(): Promise<void> {
    await this.#call('GetSystemDateAndTime', (cb) => this.#cam.getSystemDateAndTime(cb));
  }

  get hasPtz(): boolean {
    return Boolean(this.#cam.uri?.ptz ?? this.#cam.uri?.PTZ);
  }

  get hasEvents(): boolean {
    return Boolean(this.#cam.uri?.events);
  }

  async deviceInformation(): Promise<DeviceInformation> {
    const { data } = await this.#call('GetDeviceInformation', (cb) => this.#cam.getDeviceInformation(cb));
    const d = obj(data);
    return {
      manufacturer: str(d.manufacturer, 64),
      model: str(d.model, 64),
      firmwareVersion: str(d.firmwareVersion, 64),
      serialNumber: str(d.serialNumber, 64),
      hardwareId: str(d.hardwareId, 64),
    };
  }

  async profiles(): Promise<MediaProfile[]> {
    const { data } = await this.#call('GetProfiles', (cb) => this.#cam.getProfiles(cb));
    const list = Array.isArray(data) ? data : [];
    return list.slice(0, 32).flatMap((p): MediaProfile[] => {
      const token = tokenOf(p);
      if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(token)) return [];
      const enc = obj(obj(p).videoEncoderConfiguration);
      const res = obj(enc.resolution);
      const width = num(res.width);
      const height = num(res.height);
      return [
        {
          token,
          name: str(obj(p).name, 64) || token,
          ...(enc.encoding ? { encoding: str(enc.encoding, 16) } : {}),
          ...(width !== undefined ? { width } : {}),
          ...(height !== undefined ? { height } : {}),
          ptz: obj(p).PTZConfiguration !== undefined,
        },
      ];
    });
  }

  async streamUri(profileToken: string): Promise<string> {
    const { data } = await this.#call('GetStreamUri', (cb) => this.#cam.getStreamUri({ profileToken, protocol: 'RTSP' }, cb));
    const uri = str(obj(data).uri, 2048);
    if (!/^rtsps?:\/\//i.test(uri)) throw new Error('GetStreamUri: the camera gave no rtsp:// URI');
    return uri;
  }

  async snapshotUri(profileToken: string): Promise<string> {
    const { data } = await this.#call('GetSnapshotUri', (cb) => this.#cam.getSnapshotUri({ profileToken }, cb));
    const uri = str(obj(data).uri, 2048);
    if (!/^https?:\/\//i.test(uri)) throw new Error('GetSnapshotUri: the camera gave no http:// URI');
    return uri;
  }

  async continuousMove(profileToken: string, v: Vector, timeoutMs?: number): Promise<void> {
    await this.#call('ContinuousMove', (cb) =>
      this.#cam.continuousMove({ profileToken, x: v.x, y: v.y, zoom: v.zoom, ...(timeoutMs ? { timeout: timeoutMs } : {}) }, cb),
    );
  }

  async stop(profileToken: string): Promise<void> {
    await this.#call('Stop', (cb) => this.#cam.stop({ profileToken, panTilt: true, zoom: true }, cb));
  }

  async absoluteMove(profileToken: string, v: Vector): Promise<void> {
    await this.#call('AbsoluteMove', (cb) => this.#cam.absoluteMove({ profileToken, x: v.x, y: v.y, zoom: v.zoom }, cb));
  }

  async presets(profileToken: string): Promise<Preset[]> {
    const { data } = await this.#call('GetPresets', (cb) => this.#cam.getPresets({ profileToken }, cb));
    return Object.values(obj(data))
      .slice(0, 1024)
      .map((p) => ({ token: tokenOf(p), name: str(obj(p).name, 64) }))
      .filter((p) => /^[A-Za-z0-9_.:-]{1,64}$/.test(p.token));
  }

  async gotoPreset(profileToken: string, token: string): Promise<void> {
    await this.#call('GotoPreset', (cb) => this.#cam.gotoPreset({ profileToken, preset: token }, cb));
  }

  /** Stores the current position; `token` updates that preset, else the camera makes a new one. */
  async setPreset(profileToken: string, name: string, token?: string): Promise<void> {
    await this.#call('SetPreset', (cb) =>
      this.#cam.setPreset({ profileToken, presetName: name, ...(token ? { presetToken: token } : {}) }, cb),
    );
  }

  async removePreset(profileToken: string, token: string): Promise<void> {
    await this.#call('RemovePreset', (cb) =>
      (this.#cam as unknown as { removePreset(o: { profileToken: string; presetToken: string }, cb: Callback): void }).removePreset(
        { profileToken, presetToken: token },
        cb,
      ),
    );
  }

  async createPullPoint(): Promise<void> {
    await this.#call('CreatePullPointSubscription', (cb) => this.#cam.createPullPointSubscription(cb));
  }

  /** Renew: the subscription was created for 2 minutes (the package's PT2M); renewing keeps it. */
  async renew(): Promise<void> {
    await this.#call('Renew', (cb) => this.#cam.renew({}, cb));
  }

  /** One PullMessages (the camera may hold it up to a minute, ONVIF Core, PullMessages). */
  async pullMessages(): Promise<Notification[]> {
    const { xml } = await this.#call('PullMessages', (cb) => this.#cam.pullMessages({ messageLimit: 10 }, cb), 80_000);
    return parseNotifications(xml);
  }

  /** Ends every request in flight (their promises reject) and refuses new ones. */
  close(): void {
    this.#closed = true;
    this.#agent.destroy();
  }
}
