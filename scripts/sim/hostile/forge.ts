/**
 * Forged device requests, as an attacker on the LAN who knows a configured device's identity
 * (a door's sn and address, a terminal's deviceNo or id) would send them from another address:
 * one per endpoint of each device protocol in the box's listener registry. The hostile test
 * suite (test/security/probes.ts) and the `hostile` benchmark send them; content is plausible
 * (a correct /connect sign, a well-formed record), so only the box's address or token check can
 * refuse them.
 */
import type { Endpoint } from '../../../protocols/common/http-listener.js';
import { buildMultipart, computeSign } from '../../../protocols/door-standard/index.js';
import { formatPassTime } from '../../../protocols/face-push/index.js';
import { computeAuthSign } from '../../../protocols/edge-security-event/index.js';

export type { Endpoint };

export interface Forged {
  method: 'GET' | 'POST';
  path: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
}

/** The configured devices the forgeries speak for. */
export interface Identities {
  door: { sn: string; ip: string; mac: string };
  push: { deviceNo: string };
  openapi: { deviceId: string };
  alarmUnit: { sn: string; ip: string };
  /** A camera vendor's event adapter (edge security event API); optional for callers that run none. */
  securityAdapter?: { ip: string; mac: string; manufacture: string };
}

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
const PHOTO = Buffer.alloc(2048, 1);
const json = (o: unknown): string => JSON.stringify(o);

function door(e: Endpoint, id: Identities): Forged | undefined {
  if (e.path === '/connect') {
    const f = { time: Math.floor(Date.now() / 1000), mac: id.door.mac, sn: id.door.sn, ip: id.door.ip };
    return { method: 'POST', path: e.path, body: json({ ...f, keepalive: 30, signMethod: 'md5', sign: computeSign('md5', f) }) };
  }
  if (e.path === '/recognize' || e.path === '/faceAC/passEvent') {
    const { body, contentType } = buildMultipart(
      { token: FORGED_TOKEN, faceId: 'forged', similarity: '0.99' },
      { photo: { filename: 'p.jpg', contentType: 'image/jpeg', data: PHOTO } },
    );
    return { method: 'POST', path: e.path, body, headers: { 'Content-Type': contentType } };
  }
  const extra = DOOR_BODIES[e.path];
  return extra && { method: 'POST', path: e.path, body: json({ token: FORGED_TOKEN, ...extra }) };
}

function push(e: Endpoint, id: Identities): Forged {
  const at = Date.now();
  const base = { deviceNo: id.push.deviceNo, msgID: String(at), version: 'V1.0' };
  // The address check comes before the message type is looked at: each path gets a message of its kind.
  const body = e.path.endsWith('/face/record')
    ? {
        ...base,
        msgType: 'uploadRecord',
        snapType: '0',
        compareResult: '0',
        passTime: formatPassTime(at, 480),
        idNumber: 'forged-user',
        name: 'Forged',
      }
    : e.path.endsWith('/device/register')
      ? { ...base, msgType: 'register', registerTime: String(Math.floor(at / 1000)), rand: 'r', sign: 'forged' }
      : { ...base, msgType: 'keepAlive' };
  return { method: 'POST', path: e.path, body: json(body) };
}

const OPENAPI_BODIES: Record<string, () => Record<string, unknown>> = {
  syface: () => ({ userId: 'forged-user', userName: 'Forged', screenTime: Math.floor(Date.now() / 1000), similarity: 99 }),
  syattribute: () => ({ Info: { temperature: '36.5' } }),
  syresult: () => ({ resultList: { userID: 'forged-user', status: '100' } }),
  syheartbeat: () => ({ Heartinfo: {} }),
};

function openapi(e: Endpoint, id: Identities): Forged | undefined {
  const path = e.path.replace('{deviceid}', id.openapi.deviceId).replace('{name}', 'forged.jpg');
  if (e.method === 'GET') return { method: 'GET', path: e.path.startsWith('/syrecord/') ? `${path}?lastQueryTime=0` : path };
  const body = OPENAPI_BODIES[e.path.split('/')[1] ?? ''];
  return body && { method: 'POST', path, body: json(body()) };
}

/** A token of the form the box issues (`<uuid>-<ip>`), never issued. */
const FORGED_ALARM_TOKEN = '6f2ae65e-d7f3-11ea-9a16-6c96cfdfd355-127-0-0-1';
const ALARM_BODIES: Record<string, Record<string, unknown>> = {
  '/alarm/keepalive': {},
  '/alarm/reportZoneInfo': { zoneInfo: [{ zoneID: '01', zoneDeviceType: 1, zoneState: 1 }] },
  '/alarm/reportAlarm': { alarmInfo: [{ zoneID: '01' }] },
};

function alarmUnit(e: Endpoint, id: Identities): Forged | undefined {
  if (e.method === 'GET') return e.path === '/alarm/ping' ? { method: 'GET', path: e.path } : undefined;
  if (e.path === '/alarm/connect') {
    // The seed's example connect (L40845-40860), in plain mode, naming the configured unit.
    const body = {
      version: '2021-01-01',
      protocol: '2021-01-01',
      sn: id.alarmUnit.sn,
      vendor: 'DEV',
      model: 'DEV-HW-210',
      time: Math.floor(Date.now() / 1000),
      ip: id.alarmUnit.ip,
      mac: '00-16-EA-AE-3D-40',
      port: 10000,
      keepalive: 30,
      encrypted: 0,
    };
    return { method: 'POST', path: e.path, body: json(body) };
  }
  const extra = ALARM_BODIES[e.path];
  return extra && { method: 'POST', path: e.path, body: json({ version: '2021-01-01', token: FORGED_ALARM_TOKEN, ...extra }) };
}

/** A token of the form the box issues (32 hex digits), never issued. */
const FORGED_SECURITY_TOKEN = 'cc85a0b1c2d3e4f5a6b7c8d9e0f10001';
const SECURITY_BODIES: Record<string, () => Record<string, unknown>> = {
  '/edgeSecurityEvent/deviceManage/getConfig': () => ({ manufacture: 'DH' }),
  // "Other" (100) needs no pictures: a well-formed report.
  '/edgeSecurityEvent/reportAlarmEvent': () => ({
    ip: '192.168.1.3',
    channel: 0,
    deviceType: 2,
    eventType: 100,
    eventTime: Math.floor(Date.now() / 1000),
    eventId: 'forged-1',
  }),
  '/edgeSecurityEvent/capture/report': () => ({
    ip: '192.168.1.3',
    channel: 0,
    deviceType: 2,
    captureTime: Math.floor(Date.now() / 1000),
    picBase64: 'AAAA',
    picType: 'JPG',
  }),
};

function securityAdapter(e: Endpoint, id: Identities): Forged | undefined {
  const a = id.securityAdapter;
  if (!a) return undefined;
  if (e.path === '/edgeSecurityEvent/appAuthentication') {
    // The seed's example shape (L41584-41593) with a correct sign, naming the configured adapter.
    const f = { ip: a.ip, mac: a.mac, time: Math.floor(Date.now() / 1000), manufacture: a.manufacture };
    return { method: 'POST', path: e.path, body: json({ ...f, signMethod: 'md5', sign: computeAuthSign(f), alarmAdapterPort: 10080 }) };
  }
  const body = SECURITY_BODIES[e.path];
  return body && { method: e.method, path: e.path, body: json({ token: FORGED_SECURITY_TOKEN, ...body() }) };
}

const FORGERS: Record<string, (e: Endpoint, id: Identities) => Forged | undefined> = {
  'door-standard': door,
  'face-push': push,
  'face-openapi': openapi,
  'alarm-unit': alarmUnit,
  'edge-security-event': securityAdapter,
};

/** A forged request to `e` of a listener speaking `protocol`; undefined for a protocol or endpoint not known here. */
export function forgeRequest(protocol: string, e: Endpoint, id: Identities): Forged | undefined {
  return FORGERS[protocol]?.(e, id);
}

/** An MQTT fixed header of packet `type` declaring `bytes` of remaining length (the varint of MQTT 3.1.1 §2.2.3). */
export function mqttHeader(type: number, bytes: number): Buffer {
  const out = [type];
  let n = bytes;
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}
