/**
 * Chapter 9 of seed 004: requests the device sends to the platform (L919-1050), served by the
 * box. Paths: GET `/syrecord/{deviceid}?lastQueryTime=` (face library update), POST
 * `/syface/{deviceid}` (compare result), `/syattribute/{deviceid}` (temperature),
 * `/syresult/{deviceid}` (feedback of a library change), `/syheartbeat/{deviceid}`.
 * Answers carry `ret` ("0" success) and `desc` (L988, L1012, L1030, L1047); GET `/syimage/<name>`
 * serves the face pictures the library entries point at (http only, jpg, L927). Time limits,
 * connection caps, per-source rate limits and the body cap are the shared device-facing
 * listener's (protocols/common/http-listener.ts); its refusals answer `ret` "1" too.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, RequestAbortedError, readBody } from '../common/body.js';
import type { Endpoint, ListenerLimits } from '../common/http-listener.js';
import { DeviceHttpServer } from '../common/device-http-server.js';
import { peerAddress } from '../common/source-address.js';

export interface LibraryOp {
  operation: 'save' | 'delete';
  userType?: string;
  userId: string;
  userName: string;
  sex?: number;
  userRemark?: string;
  imageUrl: string;
  /** seconds */
  operateTime: number;
}

export interface DevicePushHandlers {
  /**
   * A configured device, asking from its configured address? The device id in the path is the
   * protocol's only credential, so the source address is checked too; others get ret "1".
   * `source` is undefined when a request does not come over the network (tests of `handle`).
   */
  knows(deviceId: string, source: string | undefined): boolean;
  /** May `source` fetch face pictures (one of the configured terminals)? */
  mayFetchImages(source: string | undefined): boolean;
  library(deviceId: string, lastQueryTime: number): Promise<{ list: LibraryOp[]; lastQueryTime: number }>;
  compare(deviceId: string, body: Record<string, unknown>): Promise<{ openDoor: 0 | 1; unlockDelay?: number }>;
  temperature(deviceId: string, body: Record<string, unknown>): Promise<void>;
  feedback(deviceId: string, body: Record<string, unknown>): Promise<void>;
  heartbeat(deviceId: string, body: Record<string, unknown>): Promise<void>;
  image(name: string): Promise<Buffer | undefined>;
}

export interface PlatformLog {
  warn(o: object, msg: string): void;
}

/** Every request a terminal makes of the box (the listener registry lists them). */
export const CHAPTER9_ENDPOINTS: readonly Endpoint[] = [
  { method: 'GET', path: '/syrecord/{deviceid}' },
  { method: 'POST', path: '/syface/{deviceid}' },
  { method: 'POST', path: '/syattribute/{deviceid}' },
  { method: 'POST', path: '/syresult/{deviceid}' },
  { method: 'POST', path: '/syheartbeat/{deviceid}' },
  { method: 'GET', path: '/syimage/{name}' },
];

const ok = (extra: Record<string, unknown> = {}) => ({ ret: '0', desc: 'Success', ...extra });
const fail = (desc: string) => ({ ret: '1', desc });
const JSON_TYPE = 'application/json;charset=UTF-8';

export interface DevicePushServerOptions extends Partial<ListenerLimits> {
  host: string;
  port: number;
  log?: PlatformLog;
}

export class DevicePushServer extends DeviceHttpServer {
  readonly #h: DevicePushHandlers;
  readonly #o: DevicePushServerOptions & { maxBodyBytes: number; log: PlatformLog };

  constructor(h: DevicePushHandlers, o: DevicePushServerOptions) {
    const options = { maxBodyBytes: 2 * 1024 * 1024, log: { warn: () => {} }, ...o };
    super({
      ...options,
      log: { warn: (obj, msg) => options.log.warn(obj, msg), debug: () => {} },
      refusal: (r) => ({ contentType: JSON_TYPE, body: JSON.stringify(fail(r.reason)) }),
    });
    this.#h = h;
    this.#o = options;
  }

  /** One request without HTTP: returns status and JSON body (or a Buffer for images). */
  async handle(
    method: string,
    url: string,
    raw: string,
    source?: string,
  ): Promise<{ status: number; body: Record<string, unknown> | Buffer }> {
    const u = new URL(url, 'http://box');
    const m = /^\/(syrecord|syface|syattribute|syresult|syheartbeat|syimage)\/([^/]{1,64})$/.exec(u.pathname);
    if (!m) return { status: 404, body: fail(`unknown path ${u.pathname}`) };
    const [, kind, id0] = m;
    const id = decodeURIComponent(id0!);
    if (kind === 'syimage') return this.#image(method, id, source);
    if (!this.#h.knows(id, source)) {
      this.#o.log.warn({ source, device: id, path: kind }, 'request refused: unknown device or not from its configured address');
      return { status: 200, body: fail(`unknown device ${id}`) };
    }
    if (kind === 'syrecord') return this.#library(method, id, u);
    if (method !== 'POST') return { status: 405, body: fail('POST only') };
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return { status: 200, body: fail('body is not JSON') };
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) return { status: 200, body: fail('body must be a JSON object') };
    return this.#post(kind!, id, body as Record<string, unknown>);
  }

  /** `/syimage/<faceId>`: a face picture, for a configured terminal only. */
  async #image(
    method: string,
    id: string,
    source: string | undefined,
  ): Promise<{ status: number; body: Record<string, unknown> | Buffer }> {
    // Face pictures are personal data: only the terminals get them.
    if (!this.#h.mayFetchImages(source)) {
      this.#o.log.warn({ source }, 'face picture refused: not a configured terminal address');
      return { status: 403, body: fail('not a configured terminal') };
    }
    const img = method === 'GET' ? await this.#h.image(id) : undefined;
    return img ? { status: 200, body: img } : { status: 404, body: fail('no such image') };
  }

  /** `/syrecord/<deviceId>?lastQueryTime=` (9.1, L930-947). */
  async #library(method: string, id: string, u: URL): Promise<{ status: number; body: Record<string, unknown> }> {
    if (method !== 'GET') return { status: 405, body: fail('GET only (L930)') };
    const q = u.searchParams.get('lastQueryTime');
    const last = q === null || q === '' ? NaN : Number(q);
    if (!Number.isFinite(last) || last < 0)
      return { status: 200, body: fail('lastQueryTime must be a timestamp, 0 for everything (L934)') };
    const r = await this.#h.library(id, last);
    // The table names the picture `imageUrl`, the example `userImageUrl` (L942, L947): both are sent.
    return {
      status: 200,
      body: { serviceResponse: { list: r.list.map((e) => ({ ...e, userImageUrl: e.imageUrl })), lastQueryTime: r.lastQueryTime }, ...ok() },
    };
  }

  /** The POST requests: `/syface` (9.2), `/syattribute` (9.3), `/syresult` (9.4), `/syheartbeat`. */
  async #post(kind: string, id: string, b: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
    switch (kind) {
      case 'syface': {
        if (typeof b.userId !== 'string' || b.screenTime === undefined)
          return { status: 200, body: fail('userId and screenTime are required (L962-972)') };
        return { status: 200, body: ok(await this.#h.compare(id, b)) };
      }
      case 'syattribute': {
        const info = (b.Info ?? b) as Record<string, unknown>; // the example wraps the fields in "Info" (L1011)
        if (info.temperature === undefined) return { status: 200, body: fail('temperature is required (L1004)') };
        await this.#h.temperature(id, info);
        return { status: 200, body: ok() };
      }
      case 'syresult': {
        const r = b.resultList; // one object in the example (L1029); a list is taken too
        const list = Array.isArray(r) ? r : r && typeof r === 'object' ? [r] : [];
        if (list.length === 0) return { status: 200, body: fail('resultList is required (L1026-1029)') };
        for (const e of list) await this.#h.feedback(id, e as Record<string, unknown>);
        return { status: 200, body: ok() };
      }
      default: {
        await this.#h.heartbeat(id, (b.Heartinfo ?? b) as Record<string, unknown>);
        return { status: 200, body: ok() };
      }
    }
  }

  protected async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let out: { status: number; body: Record<string, unknown> | Buffer };
    try {
      const raw = await readBody(req, this.#o.maxBodyBytes);
      out = await this.handle(req.method ?? 'GET', req.url ?? '/', raw.toString('utf8'), peerAddress(req.socket));
    } catch (err) {
      if (err instanceof BodyTooLargeError) out = { status: 413, body: fail('body too large') };
      else if (err instanceof RequestAbortedError)
        return; // the terminal went away mid-body
      else {
        this.#o.log.warn({ url: req.url?.split('?')[0], err: (err as Error).message }, 'device push failed');
        out = { status: 500, body: fail('internal error') };
      }
    }
    if (Buffer.isBuffer(out.body)) {
      res.writeHead(out.status, { 'Content-Type': 'image/jpeg', 'Content-Length': out.body.length });
      res.end(out.body);
      return;
    }
    if (out.body.ret !== '0') this.#o.log.warn({ url: req.url?.split('?')[0], desc: out.body.desc }, 'device push refused');
    const text = JSON.stringify(out.body);
    // A body refused for its size is not drained: the connection closes instead.
    res.writeHead(out.status, {
      'Content-Type': JSON_TYPE,
      'Content-Length': Buffer.byteLength(text),
      ...(out.status === 413 ? { Connection: 'close' } : {}),
    });
    res.end(text);
  }
}
