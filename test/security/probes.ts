/**
 * One probe per protocol in the listener registry (edge/host/listeners.ts): how to forge a
 * request to each of its endpoints as if from a configured device, what the protocol's refusal
 * of that forgery looks like, and the shape of its refusals for rate and size. The hostile suite
 * (device-listeners.test.ts) fails on any listener whose protocol has no entry here, and on any
 * endpoint a probe cannot forge: a new driver's listener is covered, or the suite says so.
 *
 * The forged requests name the devices the suite configures (`DEVICES`) and carry plausible
 * content (a correct /connect sign, a well-formed record): the refusal asserted is the address
 * or token check's, not a parse error's.
 */
import { computeSign, buildMultipart } from '../../protocols/door-standard/index.js';
import { formatPassTime } from '../../protocols/face-push/index.js';
import type { ListenerEndpoint } from '../../edge/host/sdk/settings.js';
import type { Exchange } from './sockets.js';

/** The devices of the suite's box: all configured at 127.0.0.1; forgeries come from other addresses. */
export const DEVICES = {
  door: { sn: 'SEC-DOOR-1', ip: '127.0.0.1', mac: '02-00-7F-00-00-01' },
  push: { deviceNo: 'SEC-PUSH-1', ip: '127.0.0.1' },
  openapi: { deviceId: 'SEC-OA-1', ip: '127.0.0.1' },
} as const;

export interface Forged {
  method: 'GET' | 'POST';
  path: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
}

export interface HttpProbe {
  kind: 'http';
  /** A forged request to `e` claiming to be the configured device; throws for an endpoint it does not know. */
  forge(e: ListenerEndpoint): Forged;
  /** The protocol's refusal of that forgery (the address or token check, not a parse error). */
  refusedForgery(e: ListenerEndpoint, r: Exchange): boolean;
  /** A refusal by the listener itself (429 rate, 413 size) in the protocol's error shape. */
  listenerRefusal(r: Exchange, status: 413 | 429): boolean;
}

export type Probe = HttpProbe | { kind: 'elsewhere'; by: string } | { kind: 'exempt'; why: string };

const json = (o: unknown): string => JSON.stringify(o);
const unknownEndpoint = (protocol: string, e: ListenerEndpoint): never => {
  throw new Error(`the ${protocol} probe cannot forge ${e.method} ${e.path}: teach test/security/probes.ts this endpoint`);
};

/** A token the box never issued: the door standard's credential after /connect. */
const FORGED_TOKEN = 'f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0';
const DOOR_BODIES: Record<string, Record<string, unknown>> = {
  '/keepalive': {},
  '/alarmEvent': { alarmType: 1, time: 1_700_000_000 },
  '/qrcode': { qrCode: 'Q'.repeat(32) },
  '/cardAC/passEvent': { cardId: '12345678' },
  '/bleAC/passEvent': { cardId: '12345678' },
  '/visualIntercom/getGroupId': { buildingNo: '1', unitNo: '1', roomNo: '101' },
  '/visualIntercom/checkPhoneNumber': { phoneNumber: '13800000000' },
  '/visualIntercom/reportOpenDoor': { openType: 1 },
  '/elevator/reportRunState': { data: [] },
  '/elevator/rule/report': { data: [] },
};

const door: HttpProbe = {
  kind: 'http',
  forge(e) {
    if (e.path === '/connect') {
      const f = { time: Math.floor(Date.now() / 1000), mac: DEVICES.door.mac, sn: DEVICES.door.sn, ip: DEVICES.door.ip };
      return { method: 'POST', path: e.path, body: json({ ...f, keepalive: 30, signMethod: 'md5', sign: computeSign('md5', f) }) };
    }
    if (e.path === '/recognize' || e.path === '/faceAC/passEvent') {
      const { body, contentType } = buildMultipart({ token: FORGED_TOKEN, faceId: 'forged', similarity: '0.99' }, { photo: { filename: 'p.jpg', contentType: 'image/jpeg', data: Buffer.alloc(2048, 1) } });
      return { method: 'POST', path: e.path, body, headers: { 'Content-Type': contentType } };
    }
    const extra = DOOR_BODIES[e.path] ?? unknownEndpoint('door-standard', e);
    return { method: 'POST', path: e.path, body: json({ token: FORGED_TOKEN, ...extra }) };
  },
  // /connect from an address that is not the claimed one: 7 "device is illegal"; anything else: 4 "token invalid".
  refusedForgery: (e, r) => r.status === 200 && r.json?.code === (e.path === '/connect' ? 7 : 4),
  listenerRefusal: (r, status) => r.status === status && typeof r.json?.code === 'number' && r.json.code !== 0,
};

const push: HttpProbe = {
  kind: 'http',
  forge(e) {
    const at = Date.now();
    const base = { deviceNo: DEVICES.push.deviceNo, msgID: String(at), version: 'V1.0' };
    // The address check comes before the message type is looked at: each path gets a message of its kind.
    const body = e.path.endsWith('/face/record')
      ? { ...base, msgType: 'uploadRecord', snapType: '0', compareResult: '0', passTime: formatPassTime(at, 480), idNumber: 'forged-user', name: 'Forged' }
      : e.path.endsWith('/device/register')
        ? { ...base, msgType: 'register', registerTime: String(Math.floor(at / 1000)), rand: 'r', sign: 'forged' }
        : { ...base, msgType: 'keepAlive' };
    return { method: 'POST', path: e.path, body: json(body) };
  },
  refusedForgery: (_e, r) => r.status === 200 && r.json?.errorCode === '200' && /configured address/.test(String(r.json.msg)),
  listenerRefusal: (r, status) => r.status === status && typeof r.json?.errorCode === 'string' && r.json.errorCode !== '100',
};

const openapi: HttpProbe = {
  kind: 'http',
  forge(e) {
    const path = e.path.replace('{deviceid}', DEVICES.openapi.deviceId).replace('{name}', 'forged.jpg');
    if (e.method === 'GET') return { method: 'GET', path: e.path.startsWith('/syrecord/') ? `${path}?lastQueryTime=0` : path };
    const bodies: Record<string, Record<string, unknown>> = {
      syface: { userId: 'forged-user', userName: 'Forged', screenTime: Math.floor(Date.now() / 1000), similarity: 99 },
      syattribute: { Info: { temperature: '36.5' } },
      syresult: { resultList: { userID: 'forged-user', status: '100' } },
      syheartbeat: { Heartinfo: {} },
    };
    const body = bodies[e.path.split('/')[1] ?? ''] ?? unknownEndpoint('face-openapi', e);
    return { method: 'POST', path, body: json(body) };
  },
  // Face pictures: 403; everything naming a terminal: ret "1" as for an unknown one.
  refusedForgery: (e, r) => r.json?.ret === '1' && (e.path.startsWith('/syimage/') ? r.status === 403 : r.status === 200),
  listenerRefusal: (r, status) => r.status === status && r.json?.ret === '1',
};

export const PROBES: Readonly<Record<string, Probe>> = {
  'door-standard': door,
  'face-push': push,
  'face-openapi': openapi,
  'http-console': { kind: 'elsewhere', by: 'test/security/console-auth.test.ts (login throttling, lockout, sessions)' },
  mqtt: { kind: 'elsewhere', by: 'test/security/bus-*.test.ts (pre-authentication limits, client ids, ACLs)' },
  'bacnet-ip': { kind: 'exempt', why: 'UDP, no endpoints: the driver matches what arrives to its own requests to devices of its point tables' },
};
