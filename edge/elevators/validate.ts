/**
 * The elevator-linkage API's inputs, checked at the boundary (seed 001 L26200-26441 = seed 000
 * L1173-1426; the v1.0.1 user data L26946-27078 = seed 000 L1897-2043). Whatever arrives (cloud
 * gateway service, console, commissioning file) goes through these functions; a refusal throws
 * `EDGE_ERR_ELEVATOR_PARAM` (Alink 460, the cloud API's parameter error) naming the field.
 */
import { edgeError } from '../errors.js';
import { parseLocalDateTime } from '../access/time.js';

export const CONTROL_MODES = ['CALL_ONLY', 'CALL_WITH_TARGET', 'RELEASE_ONLY', 'ACTIVATE_ONLY'] as const;
export type ControlMode = (typeof CONTROL_MODES)[number];
export const PARAM_TYPES = ['IDENTITY', 'QRCODE', 'CARD'] as const;
export type ParamType = (typeof PARAM_TYPES)[number];

/** [L26237] `delaySeconds` at most 300. */
export const MAX_DELAY_S = 300;
/** [L26363-26368] at most 100 targets (ACTIVATE_ONLY: 1). */
export const MAX_TARGETS = 100;
/** [L26970] `paramValue` at most 1024 characters. */
export const MAX_PARAM_VALUE = 1024;
/** Identifiers the seeds give no length for: the thing model's text length (2048). */
const MAX_TEXT = 2048;

/** The outside-car modes need the trigger's floor; the in-car ones its car (L26227-26235). */
export const CALLS_CAR: Readonly<Record<ControlMode, boolean>> = {
  CALL_ONLY: true,
  CALL_WITH_TARGET: true,
  RELEASE_ONLY: false,
  ACTIVATE_ONLY: false,
};

export interface Relation {
  dataId: string;
  controlMode: ControlMode;
  elevatorIotId: string;
  triggerIotId: string;
  triggerFloor?: string;
  triggerRoomNo?: string;
  triggerElevatorId?: string;
  /** 0 = immediately (absent in the API). */
  delaySeconds: number;
  executionNode: 'EDGE';
}

export interface Target {
  targetFloor: string;
  targetRoomNo?: string;
}

export interface UserEntry {
  dataId: string;
  paramType: ParamType;
  /** identityId (v1.0.2 and IDENTITY), the QR code or the card number. */
  paramValue: string;
  /** As given (`YYYY-MM-DD hh:mm:ss`), '' = permanent. */
  expiryTime: string;
  /** UTC ms; undefined = permanent. */
  expiryMs: number | undefined;
  userTargetList: Target[];
  /** Which API version wrote it: 1.0.2 identity-keyed or 1.0.1 credential-keyed. */
  version: '1.0.2' | '1.0.1';
}

type Obj = Record<string, unknown>;

const bad = (what: string): never => {
  throw edgeError('EDGE_ERR_ELEVATOR_PARAM', what);
};

export function asObject(v: unknown, what = 'params'): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(`${what} must be an object`);
  return v as Obj;
}

/** A required non-empty string. */
function req(o: Obj, key: string, max = MAX_TEXT): string {
  const v = o[key];
  if (typeof v !== 'string' || v.trim() === '') return bad(`${key} is required`);
  if (v.length > max) bad(`${key} longer than ${max}`);
  return v.trim();
}

/** An optional string; '' and null count as absent (the API's "empty"). Numbers are read as text. */
function opt(o: Obj, key: string, max = MAX_TEXT): string | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' && typeof v !== 'number') return bad(`${key} must be a string`);
  const s = String(v).trim();
  if (s.length > max) bad(`${key} longer than ${max}`);
  return s === '' ? undefined : s;
}

function delayOf(o: Obj): number {
  const v = o.delaySeconds;
  if (v === undefined || v === null || v === '') return 0;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) return bad('delaySeconds must be a whole number of seconds');
  if (n > MAX_DELAY_S) bad(`delaySeconds at most ${MAX_DELAY_S} (L26237)`);
  return n;
}

/** R2: each mode's required location field (L26227-26235). */
function checkLocation(r: Relation): void {
  if (CALLS_CAR[r.controlMode] && !r.triggerFloor) bad(`triggerFloor is required for ${r.controlMode} (L26227-26229)`);
  if (!CALLS_CAR[r.controlMode] && !r.triggerElevatorId) bad(`triggerElevatorId is required for ${r.controlMode} (L26233-26235)`);
}

/** `/elevator/entrance/device/add` (1.0.2). `dataId` is the cloud's when it sends one, else `newId()`. */
export function parseRelationAdd(raw: unknown, newId: () => string): Relation {
  const o = asObject(raw);
  const mode = req(o, 'controlMode', 20);
  if (!(CONTROL_MODES as readonly string[]).includes(mode)) bad(`controlMode must be one of ${CONTROL_MODES.join(', ')}`);
  const node = opt(o, 'executionNode', 16);
  // [L26239] only edge execution is supported.
  if (node !== undefined && node !== 'EDGE') bad('executionNode must be EDGE (L26239)');
  const r: Relation = {
    dataId: opt(o, 'dataId', 64) ?? newId(),
    controlMode: mode as ControlMode,
    elevatorIotId: req(o, 'elevatorIotId', 160),
    triggerIotId: req(o, 'triggerIotId', 160),
    delaySeconds: delayOf(o),
    executionNode: 'EDGE',
  };
  for (const k of ['triggerFloor', 'triggerRoomNo', 'triggerElevatorId'] as const) {
    const v = opt(o, k);
    if (v !== undefined) r[k] = v;
  }
  checkLocation(r);
  return r;
}

/** Fields `/elevator/entrance/device/update` may not change (R3, L26251-26277). */
const IMMUTABLE = ['controlMode', 'elevatorIotId', 'triggerIotId', 'triggerElevatorId', 'executionNode'] as const;

/** `/elevator/entrance/device/update` (1.0.2) applied to the stored relation. */
export function parseRelationUpdate(raw: unknown, current: Relation): Relation {
  const o = asObject(raw);
  for (const k of IMMUTABLE) {
    const given = opt(o, k);
    if (given !== undefined && given !== (current[k] ?? undefined))
      bad(`${k} cannot be changed by an update (L26251-26277); delete the relation and add it again`);
  }
  const next: Relation = { ...current };
  for (const k of ['triggerFloor', 'triggerRoomNo'] as const) {
    if (!(k in o)) continue;
    const v = opt(o, k);
    if (v === undefined) delete next[k];
    else next[k] = v;
  }
  if ('delaySeconds' in o) next.delaySeconds = delayOf(o);
  checkLocation(next);
  return next;
}

function targetsOf(o: Obj, mode: ControlMode, required: boolean): Target[] {
  const v = o.userTargetList;
  if (v === undefined || v === null) {
    // [L26363-26368] may be empty in CALL_ONLY only; v1.0.1 requires it always (L26975).
    if (required || mode !== 'CALL_ONLY') bad(`userTargetList is required for ${mode}`);
    return [];
  }
  if (!Array.isArray(v)) return bad('userTargetList must be a list');
  if (v.length === 0 && (required || mode !== 'CALL_ONLY')) bad(`userTargetList needs at least one target for ${mode}`);
  const max = mode === 'ACTIVATE_ONLY' ? 1 : MAX_TARGETS;
  if (v.length > max) bad(`userTargetList allows at most ${max} target${max === 1 ? '' : 's'} for ${mode} (L26363-26368)`);
  return v.map((t, i) => {
    const e = asObject(t, `userTargetList[${i}]`);
    const targetFloor = opt(e, 'targetFloor');
    if (!targetFloor) bad(`userTargetList[${i}].targetFloor is required`);
    const targetRoomNo = opt(e, 'targetRoomNo');
    return targetRoomNo ? { targetFloor: targetFloor!, targetRoomNo } : { targetFloor: targetFloor! };
  });
}

function expiryOf(o: Obj, offsetMinutes: number): { expiryTime: string; expiryMs: number | undefined } {
  const v = opt(o, 'expiryTime', 19);
  if (v === undefined) return { expiryTime: '', expiryMs: undefined };
  // [L26359-26361] `YYYY-MM-DD hh:mm:ss`, read as 24-hour local time of the box's zone (spec 001d §5.14).
  const ms = parseLocalDateTime(v, offsetMinutes);
  if (ms === undefined) bad('expiryTime must be YYYY-MM-DD hh:mm:ss (24-hour, local time)');
  return { expiryTime: v, expiryMs: ms };
}

/** Which API version a user call speaks: 1.0.1 carries paramType/paramValue, 1.0.2 identityId. */
export function userKeyOf(raw: unknown): { dataId: string; paramType: ParamType; paramValue: string; version: '1.0.2' | '1.0.1' } {
  const o = asObject(raw);
  const dataId = req(o, 'dataId', 64);
  const hasV1 = o.paramType !== undefined || o.paramValue !== undefined;
  const hasV2 = o.identityId !== undefined;
  if (hasV1 && hasV2) bad('give identityId (v1.0.2) or paramType and paramValue (v1.0.1), not both');
  if (hasV2) return { dataId, paramType: 'IDENTITY', paramValue: req(o, 'identityId', 64), version: '1.0.2' };
  if (!hasV1) bad('identityId (v1.0.2) or paramType and paramValue (v1.0.1) is required');
  const paramType = req(o, 'paramType', 16);
  if (!(PARAM_TYPES as readonly string[]).includes(paramType)) bad(`paramType must be one of ${PARAM_TYPES.join(', ')}`);
  return { dataId, paramType: paramType as ParamType, paramValue: req(o, 'paramValue', MAX_PARAM_VALUE), version: '1.0.1' };
}

/** `/elevator/entrance/user/save` in either version, for a relation of `mode`. */
export function parseUserSave(raw: unknown, mode: ControlMode, offsetMinutes: number): UserEntry {
  const key = userKeyOf(raw);
  const o = raw as Obj;
  return { ...key, ...expiryOf(o, offsetMinutes), userTargetList: targetsOf(o, mode, key.version === '1.0.1') };
}
