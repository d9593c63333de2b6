/**
 * The terminal's HTTP API (seed 004 chapters 5-8): the timestamp/sign check on every request,
 * then one handler per path, answering with the seed's error codes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  OpenApiCode,
  checkObject,
  checkSign,
  errorBody,
  type ConfigGroup,
  type UserObject,
} from '../../../protocols/face-openapi/index.js';

type Body = Record<string, unknown>;
export type StoredUser = UserObject & { photoBytes: number };

/** What the API reads and changes of the terminal. */
export interface ApiTerminal {
  readonly o: { password: string; deviceId: string };
  readonly users: Map<string, StoredUser>;
  readonly records: Body[];
  readonly config: Record<ConfigGroup, Body>;
  readonly state: { opens: number; reboots: number; clockOffsetMs: number; refused: number[]; jsonCmds: Body[] };
  emit(event: string, ...args: unknown[]): boolean;
  /** The terminal's clock (set by syncTime). */
  now(): number;
}

interface Call {
  t: ApiTerminal;
  url: URL;
  post: boolean;
  method: string;
  send: (b: Body) => void;
  ok: (data?: unknown) => void;
  /** The request's JSON object body (undefined: not JSON, or not an object). */
  json: () => Body | undefined;
}

/** The signature of a request's `timestamp` and `sign` (HTTP and WebSocket): the refusal code, or undefined when it holds. */
export function refusalOf(t: ApiTerminal, url: URL): number | undefined {
  const bad = checkSign(url.searchParams.get('timestamp') ?? undefined, url.searchParams.get('sign') ?? undefined, t.o.password, t.now());
  if (bad) t.state.refused.push(bad);
  return bad;
}

const withoutPhoto = ({ photo: _p, photoBytes: _b, ...user }: StoredUser): Omit<StoredUser, 'photo' | 'photoBytes'> => user;

/** A page of `all` as the list answers carry it (`size`: at most `max`, `fallback` when absent). */
function pageOf<T>(url: URL, all: T[], fallback: number, max: number): Body {
  const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
  const size = Math.min(max, Math.max(1, Number(url.searchParams.get('size') ?? fallback) || fallback));
  const data = all.slice((page - 1) * size, page * size);
  return { total: all.length, pageNum: page, size: data.length, pageSize: size, totalPage: Math.ceil(all.length / size), data };
}

function setConfig(c: Call, g: ConfigGroup): void {
  const b = c.json();
  if (!b) return c.send(errorBody(OpenApiCode.MISSING_PARAM, 'json object required'));
  const problems = checkObject(g, b);
  if (problems.length) return c.send(errorBody(OpenApiCode.PARAM_INVALID, problems.join('; ')));
  Object.assign(c.t.config[g], b);
  return c.ok();
}

const DEVICE = { deviceName: 'SIM-FACE', appVer: '1.2.3', webVer: '1.0.0', deviceMoel: 'SIM-OPENAPI' };

/** Chapter 5-7: the device and its settings (POST only), the user list, the records. */
const ROUTES: Record<string, (c: Call) => void> = {
  '/api/device/open': (c) => {
    c.t.state.opens++;
    c.t.emit('open', c.url.searchParams.get('remark') ?? '');
    c.ok();
  },
  '/api/device/syncTime': (c) => {
    c.t.state.clockOffsetMs = Number(c.url.searchParams.get('timestamp')) - Date.now();
    c.ok();
  },
  '/api/device/reboot': (c) => {
    c.t.state.reboots++;
    c.ok();
  },
  '/api/device/jsonCmd': (c) => {
    const b = c.json();
    if (!b) return c.send(errorBody(OpenApiCode.MISSING_PARAM));
    c.t.state.jsonCmds.push(b);
    return c.send({ code: 200, message: 'OK', desc: '', json: { echo: b } });
  },
  '/api/device/information': (c) => c.ok({ deviceID: c.t.o.deviceId, ...DEVICE }),
  '/api/device/network': (c) => c.ok(c.t.config.network),
  '/api/device/networkcfg': (c) => setConfig(c, 'network'),
  '/api/device/smartface': (c) => c.ok(c.t.config.smartface),
  '/api/device/smartfacecfg': (c) => setConfig(c, 'smartface'),
  '/api/device/perpara': (c) => c.ok(c.t.config.perpara),
  '/api/device/perparacfg': (c) => setConfig(c, 'perpara'),
  '/api/device/audio': (c) => c.send(errorBody(OpenApiCode.NOT_SUPPORT, 'device-not-support')),
  '/api/user/list': (c) => {
    const id = c.url.searchParams.get('userId');
    const all = [...c.t.users.values()].filter((x) => !id || x.userId === id).map(withoutPhoto);
    c.ok(pageOf(c.url, all, 10, 10)); // max 10 (L762)
  },
  '/api/record': (c) => {
    const all = [...c.t.records].reverse(); // newest first (L816)
    if (all.length === 0) return c.send(errorBody(OpenApiCode.SEARCH_LIST_NULL));
    return c.ok(pageOf(c.url, all, 20, 1000)); // max 1000 (L835)
  },
};

/** Add (`updateId` undefined) or update a user (L640-700): fields checked, the photo a JPEG. */
function saveUser(c: Call, updateId: string | undefined): void {
  const { t, send } = c;
  const b = c.json();
  if (!b) return send(errorBody(OpenApiCode.MISSING_PARAM, 'UserObject required'));
  for (const k of ['userId', 'name']) if (typeof b[k] !== 'string' || b[k] === '') return send(errorBody(OpenApiCode.MISSING_PARAM, k));
  if (typeof b.userType !== 'number' || ![1, 2, 3, -1].includes(b.userType)) return send(errorBody(OpenApiCode.PARAM_INVALID, 'userType'));
  if (String(b.userId).length > 40 || String(b.name).length > 80) return send(errorBody(OpenApiCode.PARAM_INVALID, 'length'));
  const id = String(b.userId);
  if (updateId !== undefined && updateId !== id) return send(errorBody(OpenApiCode.USER_NOT_MATCH));
  if (updateId !== undefined && !t.users.has(id)) return send(errorBody(OpenApiCode.USER_NOT_EXISTS));
  const photo = typeof b.photo === 'string' ? b.photo : '';
  const bytes = photo ? Buffer.from(photo, 'base64') : Buffer.alloc(0);
  if (photo && !(bytes[0] === 0xff && bytes[1] === 0xd8)) return send(errorBody(OpenApiCode.AVATAR_ILLEGAL, 'photo must be a JPEG'));
  if (updateId === undefined && t.users.has(id)) return send(errorBody(OpenApiCode.PARAM_INVALID, 'userId exists'));
  const defaults: Body = { icNumber: '', jobNumber: '', mobile: '', remark: '' };
  const user = { ...defaults, ...b, photoBytes: bytes.length } as StoredUser;
  t.users.set(id, user);
  t.emit('user', updateId ? 'update' : 'add', id);
  c.ok(withoutPhoto(user));
}

function deleteUser(c: Call, id: string): void {
  if (c.method !== 'GET') return c.send(errorBody(OpenApiCode.METHOD_NOT_ALLOWED));
  if (id === 'all') {
    c.t.users.clear();
    return c.ok();
  }
  const had = c.t.users.get(id);
  if (!had) return c.send(errorBody(OpenApiCode.USER_NOT_EXISTS));
  c.t.users.delete(id);
  c.t.emit('user', 'delete', id);
  return c.ok(withoutPhoto(had));
}

function route(c: Call): void {
  const p = c.url.pathname;
  if (p.startsWith('/api/device/') && !c.post) return c.send(errorBody(OpenApiCode.METHOD_NOT_ALLOWED));
  const handler = ROUTES[p];
  if (handler) return handler(c);
  if (p === '/api/user' && c.post) return saveUser(c, undefined);
  let m = /^\/api\/user\/update\/([^/]+)$/.exec(p);
  if (m && c.post) return saveUser(c, decodeURIComponent(m[1]!));
  m = /^\/api\/user\/delete\/([^/]+)$/.exec(p);
  if (m) return deleteUser(c, decodeURIComponent(m[1]!));
  return c.send(errorBody(OpenApiCode.NOT_SUPPORT, 'device-not-support'));
}

/** One HTTP request to the terminal. */
export async function serveApi(t: ApiTerminal, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const send = (b: Body): void => {
    const text = JSON.stringify(b);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };
  const raw = await new Promise<string>((resolve) => {
    const c: Buffer[] = [];
    req.on('data', (d: Buffer) => c.push(d));
    req.on('end', () => resolve(Buffer.concat(c).toString('utf8')));
  });
  const url = new URL(req.url ?? '/', 'http://device');
  const bad = refusalOf(t, url);
  if (bad) return send(errorBody(bad));
  const json = (): Body | undefined => {
    if (!(req.headers['content-type'] ?? '').includes('application/json')) return undefined;
    try {
      const b = JSON.parse(raw) as unknown;
      return b && typeof b === 'object' && !Array.isArray(b) ? (b as Body) : undefined;
    } catch {
      return undefined;
    }
  };
  const ok = (data?: unknown): void => send({ code: 200, message: 'OK', desc: '', ...(data !== undefined ? { data } : {}) });
  route({ t, url, post: req.method === 'POST', method: req.method ?? '', send, ok, json });
}
