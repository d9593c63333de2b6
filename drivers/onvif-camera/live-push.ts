/**
 * Live push of ONVIF cameras (`startLivePush` / `stopLivePush`, the cloud camera API of digest
 * 001d §3.D and R33): ffmpeg pulls the profile's RTSP stream with the camera's account and
 * relays it without decoding to the RTMP target or HLS folder, through the same supervised relay
 * (protocols/media/relay.ts) and the same cap (relay-pool.ts) as GB28181 streams. One live push
 * per camera; a new one replaces it. The answer waits for the first frame relayed, so a wrong
 * account or a dead stream is the call's error, not a later event. A push that ends for any
 * reason but `stopLivePush` raises `streamFailed` {reason, detail}; `liveStatus` is 1 while live.
 *
 * `forceIFrame`: ONVIF has no call to ask a camera for a key frame (Media2 has none either);
 * ffmpeg's stream copy drops the frames before the first key frame (no `-copyinkf`), so the push
 * starts on one anyway.
 */
import { DRIVER_ERRORS, fail, ok, type Answer, type DeviceHandle } from '../../edge/host/sdk/driver.js';
import { keyOf } from '../../edge/host/sdk/device-key.js';
import { type HlsPlace, pushTarget } from '../../protocols/media/push-target.js';
import { FfmpegRelay, type RelayEnd } from '../../protocols/media/relay.js';
import { RelayPool } from '../../protocols/media/relay-pool.js';
import { redactUri, withCredentials, type CameraSession, type Connected } from './camera.js';

export interface LivePushOptions extends HlsPlace {
  maxRelays: number;
  idleTimeoutS: number;
  maxLifetimeS: number;
  /** Longest wait for the first frame before the call fails, s. */
  startTimeoutS: number;
  ffmpeg?: string;
}

/** Credentials ffmpeg may print in its errors (`rtsp://user:pass@…`), taken out before logging or reporting. */
const redactAll = (text: string): string => text.replace(/([a-z]+:\/\/)[^/@\s]*@/gi, '$1');

export class OnvifLivePush {
  readonly pool: RelayPool;
  readonly #o: LivePushOptions;
  readonly #relays = new Map<string, FfmpegRelay>();

  constructor(o: LivePushOptions) {
    this.#o = o;
    this.pool = new RelayPool(o.maxRelays);
  }

  get size(): number {
    return this.#relays.size;
  }

  /** Frames the camera's push has relayed, if one runs. */
  framesOf(h: DeviceHandle): number | undefined {
    return this.#relays.get(keyOf(h))?.framesOut;
  }

  /** The ffmpeg of the camera's push, if one runs. */
  pidOf(h: DeviceHandle): number | undefined {
    return this.#relays.get(keyOf(h))?.pid;
  }

  /** Stop the camera's push (asked for: no `streamFailed`); whether one was running. */
  async stop(key: string): Promise<boolean> {
    const relay = this.#relays.get(key);
    if (!relay) return false;
    await relay.stop('stopped');
    return true;
  }

  /** The driver stops: no grace. */
  async closeAll(): Promise<void> {
    const all = [...this.#relays.values()];
    for (const r of all) r.kill();
    await Promise.all(all.map((r) => r.ended));
  }

  /** `startLivePush` {streamType, scheme, url, forceIFrame, encrypted} → {path}. */
  async start(s: CameraSession, c: Connected, args: Record<string, unknown>): Promise<Answer> {
    const h = s.handle;
    const key = keyOf(h);
    if (args.encrypted === true || args.encrypted === 1)
      return fail(DRIVER_ERRORS.EDGE_ERR_REQUEST_INVALID, 'encrypted streams are not supported by the box relay; ask without encrypted');
    const uri = await this.#streamUri(c, args.streamType);
    if (typeof uri !== 'string') return uri;
    const target = pushTarget(this.#o, `${h.deviceName}_live`, args.scheme, args.url);
    if (typeof target === 'string') return fail(DRIVER_ERRORS.EDGE_ERR_REQUEST_INVALID, target);
    await this.stop(key); // a new target replaces the old push
    if (!this.pool.take(key))
      return fail(DRIVER_ERRORS.EDGE_ERR_DRIVER_FAILED, `all ${this.pool.max} relays are in use (media.maxRelays); stop one first`);
    const relay = new FfmpegRelay({
      input: { kind: 'rtsp', url: withCredentials(uri, s.cfg.username, s.cfg.password) },
      output: target.out,
      lifetimeS: this.#o.maxLifetimeS,
      idleS: this.#o.idleTimeoutS,
      ...(this.#o.ffmpeg ? { ffmpeg: this.#o.ffmpeg } : {}),
    });
    this.#relays.set(key, relay);
    void relay.ended.then((e) => this.#ended(h, key, relay, e));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), this.#o.startTimeoutS * 1000)));
    const first = await Promise.race([relay.flowing, late]);
    clearTimeout(timer);
    if (first !== true) {
      const e = await relay.stop('stopped');
      const why = first === 'late' ? `no frame within ${this.#o.startTimeoutS} s` : `ffmpeg ${e.code ?? e.signal}`;
      return fail(
        DRIVER_ERRORS.EDGE_ERR_DRIVER_FAILED,
        `the camera's stream did not start: ${why}; ${redactAll(e.stderrTail)}`.slice(0, 300),
      );
    }
    h.reportProperties({ liveStatus: 1 });
    h.log.info({ stream: redactUri(uri), target: redactUri(target.url), scheme: target.out.kind }, 'live push started');
    return ok({ path: target.url });
  }

  /** `streamType` 0 (or none): the profile in use; 1: the sub stream, the first other profile the camera lists. */
  async #streamUri(c: Connected, streamType: unknown): Promise<string | Answer> {
    if (streamType === undefined || streamType === 0) return c.streamUri;
    if (streamType !== 1) return fail(DRIVER_ERRORS.EDGE_ERR_REQUEST_INVALID, 'streamType is 0 (main) or 1 (sub)');
    const sub = c.profiles.find((p) => p.token !== c.profile.token);
    if (!sub) return fail(DRIVER_ERRORS.EDGE_ERR_REQUEST_INVALID, 'the camera lists one profile only: no sub stream');
    try {
      return await c.client.streamUri(sub.token);
    } catch (err) {
      return fail(DRIVER_ERRORS.EDGE_ERR_DRIVER_FAILED, `GetStreamUri of ${sub.token}: ${(err as Error).message}`);
    }
  }

  #ended(h: DeviceHandle, key: string, relay: FfmpegRelay, e: RelayEnd): void {
    this.pool.release(key);
    if (this.#relays.get(key) !== relay) return;
    this.#relays.delete(key);
    h.reportProperties({ liveStatus: 0 });
    if (e.reason === 'stopped') return;
    const stderr = redactAll(e.stderrTail);
    const detail = `${e.reason}; ffmpeg ${e.code ?? e.signal}; ${relay.framesOut} frames; ${stderr}`;
    h.reportEvent('streamFailed', { reason: e.reason, detail: detail.slice(0, 1024) });
    h.log.warn({ reason: e.reason, code: e.code, signal: e.signal, frames: relay.framesOut, stderr }, 'stream ended');
  }
}
