/**
 * The bodies of the protocol (seed 001 L40707-41284) and their checks. Field names, types and
 * ranges are the seed's; a check answers the first problem as `field: what is wrong`, which the
 * server returns with code 5.
 */
export const PROTOCOL_VERSION = '2021-01-01';

/** Detector types of a zone (appendix, L41286-41298). */
export const ZONE_DEVICE_TYPES = {
  1: 'SOS emergency button',
  2: 'infrared',
  3: 'door magnet',
  4: 'window magnet',
  5: 'gas',
  6: 'smoke',
  7: 'water leak',
  8: 'vibration',
  9: 'air pressure',
} as const;
export type ZoneDeviceType = keyof typeof ZONE_DEVICE_TYPES;

/** zoneState of reportZoneInfo: 0 unknown, 1 disarmed (撤防), 2 armed (布防) (L40978-40986). */
export type ZoneState = 0 | 1 | 2;

export interface ConnectRequest {
  version: string;
  protocol: string;
  sn: string;
  vendor: string;
  model?: string;
  /** Seconds, UTC (A2). */
  time: number;
  ip: string;
  mac: string;
  /** The unit's own port; -1: it has none (the box cannot call it). */
  port: number;
  keepalive: number;
  encrypted: 0 | 1;
  ciphertext?: string;
}

export interface ZoneInfo {
  zoneID: string;
  zoneDeviceType: ZoneDeviceType;
  zoneState: ZoneState;
}

export interface AlarmInfo {
  zoneID: string;
  /** ms UTC as a string; absent: now (L41210-41216). */
  alarmTime?: string;
}

/** One element of setZoneAlertState (box → unit): `time` is in each element, as the example (A2). */
export interface ZoneAlertState {
  zoneID: string;
  zoneState: 1 | 2;
  time: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const bad = (problem: string): { ok: false; problem: string } => ({ ok: false, problem });

const SN = /^[A-Za-z0-9\-_@.:]{4,32}$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const MAC = /^[0-9A-Fa-f]{2}(-[0-9A-Fa-f]{2}){5}$/;
/** A ms timestamp as the seed writes it: decimal digits (13 today). */
const MS = /^\d{1,15}$/;
/** Zone ids are free text in the seed ("01"); a bound keeps hostile ones out of the thing model. */
const ZONE_ID = /^[\x21-\x7e]{1,32}$/;
/**
 * At most this many elements per array: a unit has tens of zones, not thousands, and the whole
 * list of 100 fits the unit's ZoneList property (text of 10240, the thing model's maximum).
 */
export const MAX_ZONES = 100;

function str(o: Obj, k: string, max = 64): string | undefined {
  const v = o[k];
  return typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined;
}

function version(o: Obj): string | undefined {
  return o.version === PROTOCOL_VERSION ? undefined : `version: must be "${PROTOCOL_VERSION}"`;
}

export function checkConnect(body: unknown): Checked<ConnectRequest> {
  if (!isObj(body)) return bad('body: must be a JSON object');
  const v = version(body);
  if (v) return bad(v);
  if (body.protocol !== PROTOCOL_VERSION) return bad(`protocol: must be "${PROTOCOL_VERSION}"`);
  const sn = body.sn;
  if (typeof sn !== 'string' || !SN.test(sn)) return bad('sn: 4-32 characters of letters, digits, - _ @ . :');
  const vendor = str(body, 'vendor');
  if (!vendor) return bad('vendor: required string');
  if (body.model !== undefined && !str(body, 'model')) return bad('model: string');
  if (!isInt(body.time) || body.time < 0) return bad('time: integer seconds, UTC');
  if (typeof body.ip !== 'string' || !IPV4.test(body.ip)) return bad('ip: IPv4 address');
  if (typeof body.mac !== 'string' || !MAC.test(body.mac)) return bad('mac: six hex pairs separated by -');
  if (!isInt(body.port) || (body.port !== -1 && (body.port < 1 || body.port > 65535))) return bad('port: 1-65535, or -1');
  if (!isInt(body.keepalive) || body.keepalive < 10 || body.keepalive > 120) return bad('keepalive: integer in [10,120]');
  if (body.encrypted !== 0 && body.encrypted !== 1) return bad('encrypted: 0 or 1');
  if (body.encrypted === 1 && !str(body, 'ciphertext', 1024)) return bad('ciphertext: required when encrypted is 1');
  if (body.encrypted === 0 && body.ciphertext !== undefined) return bad('ciphertext: only when encrypted is 1');
  const out: ConnectRequest = {
    version: PROTOCOL_VERSION,
    protocol: PROTOCOL_VERSION,
    sn,
    vendor,
    time: body.time,
    ip: body.ip,
    mac: body.mac,
    port: body.port,
    keepalive: body.keepalive,
    encrypted: body.encrypted,
  };
  if (typeof body.model === 'string') out.model = body.model;
  if (body.encrypted === 1) out.ciphertext = body.ciphertext as string;
  return { ok: true, value: out };
}

/** version and token of every unit → box request after connect. */
export function checkTokened(body: unknown): Checked<{ token: string; body: Obj }> {
  if (!isObj(body)) return bad('body: must be a JSON object');
  const v = version(body);
  if (v) return bad(v);
  const token = str(body, 'token');
  if (!token) return bad('token: required, at most 64 bytes');
  return { ok: true, value: { token, body } };
}

export function checkZoneInfo(list: unknown): Checked<ZoneInfo[]> {
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_ZONES) return bad(`zoneInfo: array of 1-${MAX_ZONES} zones`);
  const out: ZoneInfo[] = [];
  for (const [i, z] of list.entries()) {
    if (!isObj(z)) return bad(`zoneInfo[${i}]: object`);
    if (typeof z.zoneID !== 'string' || !ZONE_ID.test(z.zoneID)) return bad(`zoneInfo[${i}].zoneID: 1-32 printable characters`);
    if (!isInt(z.zoneDeviceType) || !(z.zoneDeviceType in ZONE_DEVICE_TYPES)) return bad(`zoneInfo[${i}].zoneDeviceType: 1-9`);
    if (z.zoneState !== 0 && z.zoneState !== 1 && z.zoneState !== 2) return bad(`zoneInfo[${i}].zoneState: 0, 1 or 2`);
    out.push({ zoneID: z.zoneID, zoneDeviceType: z.zoneDeviceType as ZoneDeviceType, zoneState: z.zoneState });
  }
  return { ok: true, value: out };
}

export function checkAlarmInfo(list: unknown): Checked<AlarmInfo[]> {
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_ZONES) return bad(`alarmInfo: array of 1-${MAX_ZONES} alarms`);
  const out: AlarmInfo[] = [];
  for (const [i, a] of list.entries()) {
    if (!isObj(a)) return bad(`alarmInfo[${i}]: object`);
    if (typeof a.zoneID !== 'string' || !ZONE_ID.test(a.zoneID)) return bad(`alarmInfo[${i}].zoneID: 1-32 printable characters`);
    if (a.alarmTime !== undefined && (typeof a.alarmTime !== 'string' || !MS.test(a.alarmTime)))
      return bad(`alarmInfo[${i}].alarmTime: ms UTC as a string of digits`);
    out.push(a.alarmTime === undefined ? { zoneID: a.zoneID } : { zoneID: a.zoneID, alarmTime: a.alarmTime });
  }
  return { ok: true, value: out };
}

/** The unit's side of setZoneAlertState (the simulator and tests use it). */
export function checkZoneAlertStates(list: unknown): Checked<ZoneAlertState[]> {
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_ZONES) return bad(`zoneInfo: array of 1-${MAX_ZONES} zones`);
  const out: ZoneAlertState[] = [];
  for (const [i, z] of list.entries()) {
    if (!isObj(z)) return bad(`zoneInfo[${i}]: object`);
    if (typeof z.zoneID !== 'string' || !ZONE_ID.test(z.zoneID)) return bad(`zoneInfo[${i}].zoneID: 1-32 printable characters`);
    if (z.zoneState !== 1 && z.zoneState !== 2) return bad(`zoneInfo[${i}].zoneState: 1 or 2`);
    if (typeof z.time !== 'string' || !MS.test(z.time)) return bad(`zoneInfo[${i}].time: ms UTC as a string of digits`);
    out.push({ zoneID: z.zoneID, zoneState: z.zoneState, time: z.time });
  }
  return { ok: true, value: out };
}

/** The token the box issues: the seed's example form `<uuid>-<ip with dashes>` (L40867), ≤ 64 bytes. */
export function tokenFor(uuid: string, ip: string): string {
  return `${uuid}-${ip.replaceAll('.', '-')}`;
}
