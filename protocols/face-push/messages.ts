/**
 * Message shapes of the face-terminal push protocol (seed 003). The terminal POSTs JSON to
 * `http://host:port[/path]/device|person|face/<x>` (L13-21); every field is a string, empty is
 * `""`, and the device does not accept JSON null (L31-35).
 */

export type Msg = Record<string, string>;

/** A pollable service: the terminal asks at its interval, the platform hands out one command. */
export interface PolledService {
  /** Path under the push prefix. */
  path: string;
  /** msgType of the terminal's poll. */
  req: string;
  /** msgType of the platform's answer and of the terminal's result. */
  resp: string;
  /** "is there a command" flag in the answer ("0"/"1"). */
  flag: string;
  /** registerResp switch; `${switch}Interval` is its interval in seconds. */
  switch: string;
  /** The terminal's own interval when the platform sets none (seconds). */
  defaultIntervalS: number;
  /** msgType of the platform's acknowledgement of each per-item result (info/get only). */
  itemResult?: string;
}

export type ServiceName =
  | 'person'
  | 'open'
  | 'update'
  | 'reboot'
  | 'setDevInfo'
  | 'broadcast'
  | 'setTime'
  | 'count'
  | 'info'
  | 'photo'
  | 'clear'
  | 'get';

export const SERVICES = {
  person: {
    path: '/person/operate',
    req: 'registerPersonInfoReq',
    resp: 'registerPersonInfoResp',
    flag: 'isRegisterPersonInfo',
    switch: 'personService',
    defaultIntervalS: 30,
  }, // L3424-3919
  open: {
    path: '/device/open',
    req: 'onlineOpenReq',
    resp: 'onlineOpenResp',
    flag: 'isOnlineOpen',
    switch: 'openService',
    defaultIntervalS: 30,
  }, // L644-755
  update: {
    path: '/device/update',
    req: 'onlineUpdateReq',
    resp: 'onlineUpdateResp',
    flag: 'isOnlineUpdate',
    switch: 'updateService',
    defaultIntervalS: 3600,
  }, // L759-912
  reboot: {
    path: '/device/reboot',
    req: 'onlineRebootReq',
    resp: 'onlineRebootResp',
    flag: 'isOnlineReboot',
    switch: 'rebootService',
    defaultIntervalS: 30,
  }, // L916-1021
  setDevInfo: {
    path: '/device/setDevInfo',
    req: 'onlineSetDevInfoReq',
    resp: 'onlineSetDevInfoResp',
    flag: 'isOnlineSetDevInfo',
    switch: 'setDevInfoService',
    defaultIntervalS: 30,
  }, // L1025-2020
  broadcast: {
    path: '/device/broadcast',
    req: 'onlineBroadcastReq',
    resp: 'onlineBroadcastResp',
    flag: 'isonlineBroadcast',
    switch: 'broadcastService',
    defaultIntervalS: 30,
  }, // L3172-3304
  setTime: {
    path: '/device/setTime',
    req: 'onlineSetTimeReq',
    resp: 'onlineSetTimeResp',
    flag: 'isonlineSetTime',
    switch: 'setTimeService',
    defaultIntervalS: 3600,
  }, // L3308-3423
  count: {
    path: '/person/count',
    req: 'onlineGetRegisterCountReq',
    resp: 'onlineGetRegisterCountResp',
    flag: 'isonlineGetRegisterCount',
    switch: 'getRegisterCountService',
    defaultIntervalS: 30,
  }, // L3921-4039
  info: {
    path: '/person/info',
    req: 'onlineGetRegisterReq',
    resp: 'onlineGetRegisterResp',
    flag: 'isonlineGetRegister',
    switch: 'getRegisterInfoService',
    defaultIntervalS: 30,
    itemResult: 'onlineGetRegisterResult',
  }, // L4043-4512
  photo: {
    path: '/face/photo',
    req: 'onlineGetPhotoReq',
    resp: 'onlineGetPhotoResp',
    flag: 'isonlineGetPhoto',
    switch: 'photoService',
    defaultIntervalS: 30,
  }, // L4889-5006
  clear: {
    path: '/face/clear',
    req: 'onlineDeleteSnapRecordReq',
    resp: 'onlineDeleteSnapRecordResp',
    flag: 'isonlineDeleteRecord',
    switch: 'deleteRecordService',
    defaultIntervalS: 30,
  }, // L5010-5121
  get: {
    path: '/face/get',
    req: 'onlineGetRecordReq',
    resp: 'onlineGetRecordResp',
    flag: 'isonlineGetRecord',
    switch: 'getRecordService',
    defaultIntervalS: 30,
    itemResult: 'onlineGetRecordResult',
  }, // L5125-5476
} as const satisfies Record<string, PolledService> as Record<ServiceName, PolledService>;

export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];

/** The per-person result of `info` is sent as `onlineGetRegisterInfoResp` in the seed's example (L4390), `onlineGetRegisterResp` in its table (L4127): both are taken. */
export const RESULT_ALIASES: Record<string, string> = { onlineGetRegisterInfoResp: 'onlineGetRegisterResp' };

export const PATHS = {
  register: '/device/register', // L54-576
  heartbeat: '/device/heatbeat', // L578-640 (the seed spells it "heatbeat")
  uploadDevInfo: '/device/uploadDevInfo', // L2024-3168
  record: '/face/record', // L4516-4885
} as const;

/** The terminal's heartbeat default when the platform sets no interval (L580). */
export const DEFAULT_HEARTBEAT_S = 60;

/**
 * Keys and values as the terminal sends them, tidied: the seed's own examples carry stray
 * spaces in keys and values (`"msgType ":" onlineUpdateReq "`, `"compareResult":" 0"`), so keys
 * are trimmed and so are short code-like values; long values (photos, names) are left alone.
 * Non-string values are refused by the caller; numbers are turned into strings here so a
 * firmware that sends `"faceRFIDCardEnable":0` (as the seed's own example does, L1954) still works.
 */
export function normalise(body: unknown): { msg: Msg; nonStrings: string[] } | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const msg: Msg = {};
  const nonStrings: string[] = [];
  for (const [k0, v] of Object.entries(body as Record<string, unknown>)) {
    const k = k0.trim();
    if (typeof v === 'string') msg[k] = v.length <= 64 ? v.trim() : v;
    else if (typeof v === 'number' && Number.isFinite(v)) msg[k] = String(v);
    else nonStrings.push(k);
  }
  return { msg, nonStrings };
}

/**
 * A reply as the device wants it: every value a string, absent or null as `""` (L31-35).
 * Arrays of objects (personInfoData) are converted member by member.
 */
export function stringsOnly(o: Record<string, unknown>): Record<string, string | Array<Record<string, string>>> {
  const out: Record<string, string | Array<Record<string, string>>> = {};
  for (const [k, v] of Object.entries(o)) {
    if (Array.isArray(v)) out[k] = v.map((e) => stringsOnly((e ?? {}) as Record<string, unknown>) as Record<string, string>);
    else out[k] = v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return out;
}

/** Fields a message must carry, by msgType. Only what the handlers rely on; the rest passes. */
export const REQUIRED: Record<string, readonly string[]> = {
  register: ['deviceNo', 'registerTime', 'rand', 'sign'], // L67-104
  keepAlive: ['deviceNo'],
  uploadDevInfo: ['deviceNo'],
  uploadRecord: ['msgID', 'deviceNo', 'snapType', 'compareResult', 'passTime'], // L4529-4690 (idNumber/name are empty for strangers in practice)
  poll: ['deviceNo'],
  result: ['deviceNo', 'msgID', 'errorCode'],
};

export function missing(msg: Msg, kind: keyof typeof REQUIRED): string[] {
  return REQUIRED[kind]!.filter((k) => msg[k] === undefined || (k !== 'errorCode' && msg[k] === ''));
}

/** `yyyy-MM-dd HH:mm:ss.SSS` in the terminal's local time (L4582-4586) → UTC ms; `tzOffsetMin` east of UTC. */
export function parsePassTime(s: string, tzOffsetMin: number): number | undefined {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})[ T:](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,3}))?$/.exec(s.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, se, ms] = m;
  const t = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +se!, ms ? Number(ms.padEnd(3, '0')) : 0) - tzOffsetMin * 60_000;
  return Number.isFinite(t) ? t : undefined;
}

/** UTC ms → `yyyy-MM-dd HH:mm:ss.S` in the terminal's local time (the setTime format, L3362-3366). */
export function formatSetTime(ms: number, tzOffsetMin: number): string {
  const d = new Date(ms + tzOffsetMin * 60_000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${Math.floor(d.getUTCMilliseconds() / 100)}`;
}

/** UTC ms → `yyyy-MM-dd HH:mm:ss.SSS` local (pass record time, used by the simulator). */
export function formatPassTime(ms: number, tzOffsetMin: number): string {
  const d = new Date(ms + tzOffsetMin * 60_000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}`;
}

/** UTC ms → `yyyy_MM_dd` local, the validity date format of person records (L3532-3534). */
export function formatValidDate(ms: number, tzOffsetMin: number): string {
  const d = new Date(ms + tzOffsetMin * 60_000);
  return `${d.getUTCFullYear()}_${String(d.getUTCMonth() + 1).padStart(2, '0')}_${String(d.getUTCDate()).padStart(2, '0')}`;
}
