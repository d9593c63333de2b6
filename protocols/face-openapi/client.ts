/**
 * Client of the device's OpenAPI (`http://HOST:8899/api/...`, seed 004 §8). Every call carries
 * `timestamp` and `sign` in the URL (L83-91). A response with `code` other than 200 is thrown
 * as an OpenApiError carrying the seed's code.
 */
import { OpenApiError } from './errors.js';
import { signParams } from './sign.js';

export interface UserObject {
  userId: string;
  userType: number;
  name: string;
  photo?: string;
  icNumber: string;
  jobNumber: string;
  mobile: string;
  remark: string;
  [k: string]: unknown;
}

export interface Page<T> {
  total: number;
  pageNum: number;
  size: number;
  pageSize: number;
  totalPage: number;
  data: T[];
}

export interface OpenApiClientOptions {
  baseUrl: string;
  password: string;
  timeoutMs?: number;
  /** The box's clock (UTC ms); tests skew it. */
  now?: () => number;
}

type Query = Record<string, string | number | undefined>;

export class OpenApiClient {
  readonly #o: Required<OpenApiClientOptions>;

  constructor(o: OpenApiClientOptions) {
    this.#o = { timeoutMs: 10_000, now: Date.now, ...o, baseUrl: o.baseUrl.replace(/\/+$/, '') };
  }

  async #call<T>(method: 'GET' | 'POST', path: string, opts: { query?: Query; json?: unknown; form?: boolean } = {}): Promise<T> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined && v !== '') qs.set(k, String(v));
    const { timestamp, sign } = signParams(this.#o.password, this.#o.now());
    qs.set('timestamp', timestamp);
    qs.set('sign', sign);
    const init: RequestInit = { method, signal: AbortSignal.timeout(this.#o.timeoutMs) };
    if (opts.json !== undefined) init.body = JSON.stringify(opts.json);
    else if (method === 'POST') init.body = new FormData(); // "POST : form-data" with the parameters in the URL (L219-226)
    if (opts.json !== undefined) init.headers = { 'Content-Type': 'application/json' };
    const res = await fetch(`${this.#o.baseUrl}${path}?${qs}`, init);
    const text = await res.text();
    let body: { code?: unknown; message?: unknown; desc?: unknown; data?: unknown; json?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new OpenApiError(99999, `HTTP ${res.status}, body is not JSON`);
    }
    const code = Number(body.code);
    if (code !== 200) throw new OpenApiError(Number.isFinite(code) ? code : 99999, String(body.message ?? ''), String(body.desc ?? ''));
    return (path === '/api/device/jsonCmd' ? body.json : body.data) as T;
  }

  open(remark?: string): Promise<void> {
    return this.#call('POST', '/api/device/open', { query: { remark: remark?.slice(0, 255) } });
  }
  /** The device sets its clock to the request's timestamp (L260). */
  syncTime(): Promise<void> {
    return this.#call('POST', '/api/device/syncTime');
  }
  reboot(): Promise<void> {
    return this.#call('POST', '/api/device/reboot');
  }
  jsonCmd(cmd: Record<string, unknown>): Promise<unknown> {
    return this.#call('POST', '/api/device/jsonCmd', { json: cmd });
  }
  information(): Promise<Record<string, unknown>> {
    return this.#call('POST', '/api/device/information');
  }
  network(): Promise<Record<string, unknown>> {
    return this.#call('POST', '/api/device/network');
  }
  setNetwork(o: Record<string, unknown>): Promise<void> {
    return this.#call('POST', '/api/device/networkcfg', { json: o });
  }
  smartface(): Promise<Record<string, unknown>> {
    return this.#call('POST', '/api/device/smartface');
  }
  setSmartface(o: Record<string, unknown>): Promise<void> {
    return this.#call('POST', '/api/device/smartfacecfg', { json: o });
  }
  perpara(): Promise<Record<string, unknown>> {
    return this.#call('POST', '/api/device/perpara');
  }
  setPerpara(o: Record<string, unknown>): Promise<void> {
    return this.#call('POST', '/api/device/perparacfg', { json: o });
  }
  addUser(u: UserObject): Promise<UserObject> {
    return this.#call('POST', '/api/user', { json: u });
  }
  updateUser(userId: string, u: UserObject): Promise<UserObject> {
    return this.#call('POST', `/api/user/update/${encodeURIComponent(userId)}`, { json: u });
  }
  /** `all` clears every user (L716). */
  deleteUser(userId: string): Promise<unknown> {
    return this.#call('GET', `/api/user/delete/${encodeURIComponent(userId)}`, { query: { id: userId } });
  }
  listUsers(q: { userId?: string; type?: number; name?: string; page?: number; size?: number } = {}): Promise<Page<UserObject>> {
    return this.#call('GET', '/api/user/list', { query: q });
  }
  records(
    q: { type?: number; userId?: string; startTime?: number; endTime?: number; username?: string; page?: number; size?: number } = {},
  ): Promise<Page<Record<string, unknown>>> {
    return this.#call('GET', '/api/record', { query: q });
  }
}
