/**
 * Parsing and checking the sync files the cloud sends as URLs (seed 000 §3.8, L2519-2808;
 * seed 001 L1487-1548). A file is checked whole before anything applies: one bad entry
 * refuses the file with every problem listed (capped), so a store never half-applies.
 */
import { parseEpochMs, parseLocalDateTime } from '../time.js';

export class SyncFileError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    const shown = problems.slice(0, 10);
    super(`sync file refused: ${shown.join('; ')}${problems.length > shown.length ? `; … ${problems.length - shown.length} more` : ''}`);
    this.name = 'SyncFileError';
    this.problems = problems;
  }
}

export type OpType = 1 | 2 | 3; // 1 add, 2 delete, 3 modify [seed 000 L2542-2583]

export interface QrOp {
  type: OpType;
  qrCode: string;
  identityId: string;
  startMs: number;
  endMs: number;
  /** -1 = unlimited [seed 001 L1520]. */
  maxScanTimes: number;
  maxScanScope: 'SHARE' | 'DEVICE';
}

export type CredentialKind = 'tradCard' | 'bleCard' | 'password';

export interface CredentialOp {
  kind: CredentialKind;
  type: OpType;
  credential: string;
  identityId: string;
  number: string | null;
  startMs: number | null;
  endMs: number | null;
}

export interface PermissionFile {
  qr: QrOp[];
  credentials: CredentialOp[];
}

export interface FaceUserInfo {
  userName: string;
  expireMs: number | null;
  policy: 'PERMISSION' | 'DENY';
  userExtInfo: string;
  userId: string;
  userType: string;
}

export interface FaceAdd {
  faceId: string;
  faceMd5: string;
  faceUrl: string;
  /** The userInfo JSON string exactly as synced (QueryAddedUserInfo reports it back). */
  userInfoRaw: string;
  userInfo: FaceUserInfo;
  index: number | null;
  clientTag: string;
  features: string[] | null;
}

export interface FaceFile {
  groupId: string;
  adds: FaceAdd[];
  deletes: string[];
  isCleanAll: boolean;
  isCleanAllGroup: boolean;
}

const MAX_PROBLEMS = 50;

class Checker {
  readonly problems: string[] = [];
  fail(path: string, msg: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(`${path}: ${msg}`);
    else if (this.problems.length === MAX_PROBLEMS) this.problems.push('(more problems not listed)');
  }
  str(o: Record<string, unknown>, key: string, path: string, opts: { required: boolean; max: number; min?: number }): string {
    const v = o[key];
    if (v === undefined || v === null) {
      if (opts.required) this.fail(`${path}.${key}`, 'missing');
      return '';
    }
    if (typeof v !== 'string') {
      this.fail(`${path}.${key}`, `expected a string, got ${typeof v}`);
      return '';
    }
    if (v.length < (opts.min ?? 0) || v.length > opts.max)
      this.fail(`${path}.${key}`, `length ${v.length} outside ${opts.min ?? 0}..${opts.max}`);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
    if (/[\u0000-\u001f]/.test(v)) this.fail(`${path}.${key}`, 'contains control characters');
    return v;
  }
  opType(o: Record<string, unknown>, path: string): OpType {
    const t = o.type;
    if (t !== 1 && t !== 2 && t !== 3) {
      this.fail(`${path}.type`, `expected 1 (add), 2 (delete) or 3 (modify), got ${JSON.stringify(t)}`);
      return 2;
    }
    return t;
  }
  epoch(o: Record<string, unknown>, key: string, path: string, required: boolean): number | null {
    const v = o[key];
    if (v === undefined || v === null || v === '') {
      if (required) this.fail(`${path}.${key}`, 'missing');
      return null;
    }
    const ms = parseEpochMs(v);
    if (ms === undefined) this.fail(`${path}.${key}`, `expected epoch milliseconds, got ${JSON.stringify(v).slice(0, 40)}`);
    return ms ?? null;
  }
  list(o: Record<string, unknown>, key: string, maxEntries: number): Record<string, unknown>[] | undefined {
    const v = o[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) {
      this.fail(key, 'expected an array');
      return undefined;
    }
    if (v.length > maxEntries) this.fail(key, `${v.length} entries, the limit is ${maxEntries}`);
    const out: Record<string, unknown>[] = [];
    v.forEach((e, i) => {
      if (typeof e !== 'object' || e === null || Array.isArray(e)) this.fail(`${key}[${i}]`, 'expected an object');
      else out.push(e as Record<string, unknown>);
    });
    return out;
  }
}

export function parseJsonObject(text: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new SyncFileError([`not valid JSON: ${(err as Error).message.slice(0, 120)}`]);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new SyncFileError(['the file must be a JSON object']);
  return raw as Record<string, unknown>;
}

/** `syncPermissions` file: qrCodePermissionList / tradCardPermissionList / bleCardPermissionList / passwordPermissionList. */
export function parsePermissionFile(raw: Record<string, unknown>, maxEntries: number): PermissionFile {
  const c = new Checker();
  const qrList = c.list(raw, 'qrCodePermissionList', maxEntries);
  const card = c.list(raw, 'tradCardPermissionList', maxEntries);
  const ble = c.list(raw, 'bleCardPermissionList', maxEntries);
  const pwd = c.list(raw, 'passwordPermissionList', maxEntries);
  if (!qrList && !card && !ble && !pwd && c.problems.length === 0) {
    c.fail('/', 'no qrCodePermissionList, tradCardPermissionList, bleCardPermissionList or passwordPermissionList');
  }
  const qr: QrOp[] = [];
  qrList?.forEach((e, i) => {
    const path = `qrCodePermissionList[${i}]`;
    const type = c.opType(e, path);
    const qrCode = c.str(e, 'qrCode', path, { required: true, min: 1, max: 128 });
    const identityId = c.str(e, 'userId', path, { required: false, max: 64 }) || c.str(e, 'identityId', path, { required: false, max: 64 });
    if (type === 2) {
      qr.push({ type, qrCode, identityId, startMs: 0, endMs: 0, maxScanTimes: -1, maxScanScope: 'DEVICE' });
      return;
    }
    const startMs = c.epoch(e, 'startTime', path, true) ?? 0;
    const endMs = c.epoch(e, 'endTime', path, true) ?? 0;
    if (endMs < startMs) c.fail(`${path}.endTime`, 'before startTime');
    let maxScanTimes = -1;
    const m = e.maxScanTimes;
    // The seed's table says String, its example an integer [seed 001 L1520, L2386]: accept both.
    if (m !== undefined && m !== null) {
      const n = typeof m === 'string' && /^-?\d{1,9}$/.test(m) ? Number(m) : m;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < -1)
        c.fail(`${path}.maxScanTimes`, `expected an integer ≥ -1, got ${JSON.stringify(m)}`);
      else maxScanTimes = n;
    }
    const scope = e.maxScanScope ?? 'DEVICE';
    if (scope !== 'SHARE' && scope !== 'DEVICE') c.fail(`${path}.maxScanScope`, `expected SHARE or DEVICE, got ${JSON.stringify(scope)}`);
    qr.push({ type, qrCode, identityId, startMs, endMs, maxScanTimes, maxScanScope: scope === 'SHARE' ? 'SHARE' : 'DEVICE' });
  });
  const credentials: CredentialOp[] = [];
  const credentialList = (list: Record<string, unknown>[] | undefined, kind: CredentialKind, listName: string, keys: string[]): void => {
    list?.forEach((e, i) => {
      const path = `${listName}[${i}]`;
      const type = c.opType(e, path);
      const key = keys.find((k) => e[k] !== undefined) ?? keys[0]!;
      const credential = c.str(e, key, path, { required: true, min: 1, max: 255 });
      const identityId =
        c.str(e, 'userId', path, { required: false, max: 64 }) || c.str(e, 'identityId', path, { required: false, max: 64 });
      const startMs = type === 2 ? null : c.epoch(e, e.effectiveTime !== undefined ? 'effectiveTime' : 'startTime', path, false);
      // Cards expire [seed 000 L2585-2606]; a password without endTime never does (seed 002 L1526 makes it optional).
      const endMs = type === 2 ? null : c.epoch(e, e.expiryTime !== undefined ? 'expiryTime' : 'endTime', path, kind !== 'password');
      if (startMs !== null && endMs !== null && endMs < startMs) c.fail(`${path}.endTime`, 'before startTime');
      let number: string | null = null;
      if (e.number !== undefined && e.number !== null) {
        if (typeof e.number === 'string' || (typeof e.number === 'number' && Number.isInteger(e.number)))
          number = String(e.number).slice(0, 32);
        else c.fail(`${path}.number`, 'expected a string or an integer');
      }
      credentials.push({ kind, type, credential, identityId, number, startMs, endMs });
    });
  };
  credentialList(card, 'tradCard', 'tradCardPermissionList', ['cardId']);
  credentialList(ble, 'bleCard', 'bleCardPermissionList', ['cardId', 'bleCardId']);
  credentialList(pwd, 'password', 'passwordPermissionList', ['password']);
  if (c.problems.length > 0) throw new SyncFileError(c.problems);
  return { qr, credentials };
}

/** The userInfo JSON string of a face [seed 000 L2669-2671, L254-274]. */
function parseUserInfo(c: Checker, raw: string, path: string, tzOffsetMinutes: number): FaceUserInfo {
  const info: FaceUserInfo = { userName: '', expireMs: null, policy: 'PERMISSION', userExtInfo: '', userId: '', userType: 'IDENTITY' };
  if (raw === '') return info;
  let o: unknown;
  try {
    o = JSON.parse(raw);
  } catch {
    c.fail(`${path}.userInfo`, 'not a JSON string');
    return info;
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) {
    c.fail(`${path}.userInfo`, 'must hold a JSON object');
    return info;
  }
  const u = o as Record<string, unknown>;
  const p = `${path}.userInfo`;
  info.userName = c.str(u, 'userName', p, { required: false, max: 1024 });
  info.userExtInfo = c.str(u, 'userExtInfo', p, { required: false, max: 1024 });
  info.userId = c.str(u, 'userId', p, { required: false, max: 64 }) || c.str(u, 'identityId', p, { required: false, max: 64 });
  info.userType = c.str(u, 'userType', p, { required: false, max: 32 }) || 'IDENTITY';
  if (u.expire !== undefined && u.expire !== null && u.expire !== '') {
    const ms = parseLocalDateTime(u.expire, tzOffsetMinutes);
    if (ms === undefined) c.fail(`${p}.expire`, `expected yyyy-MM-dd HH:mm:ss, got ${JSON.stringify(u.expire).slice(0, 40)}`);
    else info.expireMs = ms;
  }
  const policy = u.policy ?? 'PERMISSION';
  if (policy !== 'PERMISSION' && policy !== 'DENY') c.fail(`${p}.policy`, `expected PERMISSION or DENY, got ${JSON.stringify(policy)}`);
  else info.policy = policy;
  return info;
}

/** `SyncFacePictures` / `SyncFaceFeatures` file [seed 000 L2637-2737]. */
export function parseFaceFile(
  raw: Record<string, unknown>,
  opts: { maxEntries: number; tzOffsetMinutes: number; features: boolean },
): FaceFile {
  const c = new Checker();
  const groupId = c.str(raw, 'groupId', '', { required: true, min: 1, max: 64 });
  const bool = (key: string): boolean => {
    const v = raw[key];
    if (v === undefined || v === null) return false;
    if (typeof v !== 'boolean') c.fail(key, 'expected true or false');
    return v === true;
  };
  const isCleanAll = bool('isCleanAll');
  const isCleanAllGroup = bool('isCleanAllGroup');
  const adds: FaceAdd[] = [];
  const seen = new Set<string>();
  c.list(raw, 'addFaceInfos', opts.maxEntries)?.forEach((e, i) => {
    const path = `addFaceInfos[${i}]`;
    const faceId = c.str(e, 'faceId', path, { required: true, min: 1, max: 64 });
    if (seen.has(faceId)) c.fail(`${path}.faceId`, `duplicate faceId ${faceId}`);
    seen.add(faceId);
    const faceMd5 = c.str(e, 'faceMd5', path, { required: false, max: 32 }).toLowerCase();
    if (faceMd5 !== '' && !/^[0-9a-f]{32}$/.test(faceMd5)) c.fail(`${path}.faceMd5`, 'expected 32 hex digits');
    const faceUrl = c.str(e, 'faceUrl', path, { required: false, max: 2048 });
    if (faceUrl !== '' && !/^https?:\/\//i.test(faceUrl)) c.fail(`${path}.faceUrl`, 'expected an http(s) URL');
    const userInfoRaw = c.str(e, 'userInfo', path, { required: false, max: 4096 });
    const userInfo = parseUserInfo(c, userInfoRaw, path, opts.tzOffsetMinutes);
    let index: number | null = null;
    if (e.index !== undefined && e.index !== null) {
      if (typeof e.index !== 'number' || !Number.isInteger(e.index)) c.fail(`${path}.index`, 'expected an integer');
      else index = e.index;
    }
    const clientTag = c.str(e, 'clientTag', path, { required: false, max: 256 });
    let features: string[] | null = null;
    if (e.features !== undefined) {
      if (!Array.isArray(e.features) || e.features.some((f) => typeof f !== 'string'))
        c.fail(`${path}.features`, 'expected an array of strings');
      else features = e.features as string[];
    } else if (opts.features) c.fail(`${path}.features`, 'missing (a feature file carries features for every face)');
    adds.push({ faceId, faceMd5, faceUrl, userInfoRaw, userInfo, index, clientTag, features });
  });
  const deletes: string[] = [];
  c.list(raw, 'deleteFaceInfos', opts.maxEntries)?.forEach((e, i) => {
    deletes.push(c.str(e, 'faceId', `deleteFaceInfos[${i}]`, { required: true, min: 1, max: 64 }));
  });
  if (c.problems.length > 0) throw new SyncFileError(c.problems);
  return { groupId, adds, deletes, isCleanAll, isCleanAllGroup };
}
