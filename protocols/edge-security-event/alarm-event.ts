/**
 * `edgeSecurityEvent/reportAlarmEvent` (seed 001 L42732-43149, R30): one target per report; an
 * event with several targets is several reports with the same eventId and eventTime (L42740).
 * Checked here: the camera address, eventType 1-13 or 100, eventTime in UTC seconds, eventStatus,
 * confidence, the pictures ("required for smart events", L42800-42830: every type but 100 other),
 * the target box and the per-type `objectExtInfo` (L42863-43095). Decided readings of the seed's
 * slips (A13): `letfTopX` (table) and `leftTopX` are both read; `eventId` may be a number (the
 * example sends `123`) and is kept as its decimal string; eventType 10's `type` is "Float" but its
 * values are 1, 2, 100.
 */
import { paramError } from './codes.js';
import {
  isObj,
  optInt,
  optObj,
  optOneOf,
  optStr,
  picture,
  reqNum,
  reqOneOf,
  reqSeconds,
  reqStr,
  type Obj,
  type PicType,
} from './fields.js';
import { checkCameraAddress, MAX_PICTURE_CHARS, type CameraAddress } from './messages.js';

export const EVENT_TYPES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 100] as const;
export type EventType = (typeof EVENT_TYPES)[number];
/** "Other" (100) is the one type that is not a smart event: its pictures are optional. */
export const OTHER_EVENT = 100;

export interface Picture {
  base64: string;
  type: PicType;
}

export interface AlarmTarget {
  picture?: Picture;
  leftTopX?: number;
  leftTopY?: number;
  rightBottomX?: number;
  rightBottomY?: number;
  /** The per-type extension, checked; a face picture in it is in `facePicture`, not here. */
  ext?: Obj;
  facePicture?: Picture;
}

export interface AlarmEventReport extends CameraAddress {
  eventType: EventType;
  eventTime: number;
  eventId: string;
  eventStatus?: 0 | 1 | 2;
  confidence?: number;
  scene?: Picture;
  target?: AlarmTarget;
  extInfo?: Obj | string;
}

const UNKNOWN = 100;
const PLATE_COLORS = [0, 1, 2, 3, 4, 5, 6, UNKNOWN] as const;
const VEHICLE_COLORS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, UNKNOWN] as const;
/** Coordinates: the seed says (0, 8192); a box touching the frame's edge at 0 is accepted. */
const COORD_MAX = 8192;

function eventId(o: Obj): string {
  const v = o.eventId;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  return reqStr(o, 'eventId', 128);
}

export function checkAlarmEvent(o: Obj): AlarmEventReport {
  const at = checkCameraAddress(o);
  const eventType = reqOneOf(o, 'eventType', EVENT_TYPES);
  const smart = eventType !== OTHER_EVENT;
  const report: AlarmEventReport = { ...at, eventType, eventTime: reqSeconds(o, 'eventTime'), eventId: eventId(o) };
  const status = optOneOf(o, 'eventStatus', [0, 1, 2] as const);
  if (status !== undefined) report.eventStatus = status;
  const confidence = optInt(o, 'confidence', 0, 255);
  if (confidence !== undefined) report.confidence = confidence;
  const scene = picture(o, 'scenePicBase64', 'scenePicType', smart, MAX_PICTURE_CHARS);
  if (scene) report.scene = scene;
  const info = optObj(o, 'objectInfo');
  if (smart && !info) throw paramError('objPicBase64');
  if (info) report.target = checkTarget(info, eventType, smart);
  const ext = o.extInfo;
  if (ext !== undefined && ext !== null) {
    if (!isObj(ext) && typeof ext !== 'string') throw paramError('extInfo');
    report.extInfo = ext;
  }
  return report;
}

function checkTarget(o: Obj, eventType: EventType, smart: boolean): AlarmTarget {
  const t: AlarmTarget = {};
  const pic = picture(o, 'objPicBase64', 'objPicType', smart, MAX_PICTURE_CHARS);
  if (pic) t.picture = pic;
  const x = o.letfTopX !== undefined ? optInt(o, 'letfTopX', 0, COORD_MAX) : optInt(o, 'leftTopX', 0, COORD_MAX);
  if (x !== undefined) t.leftTopX = x;
  for (const k of ['leftTopY', 'rightBottomX', 'rightBottomY'] as const) {
    const v = optInt(o, k, 0, COORD_MAX);
    if (v !== undefined) t[k] = v;
  }
  const ext = optObj(o, 'objectExtInfo');
  const checked = checkObjectExt(eventType, ext);
  if (checked) {
    const { facePicture, ...rest } = checked;
    t.ext = rest;
    if (facePicture) t.facePicture = facePicture;
  }
  return t;
}

type CheckedExt = Obj & { facePicture?: Picture };

/**
 * `objectExtInfo` per eventType (L42863-43095): the fields of the type's table are checked, the
 * others kept as sent ("custom extension"); a face-library picture is taken out into `facePicture`.
 * A type with required fields needs its extension: a missing one names its first required field.
 */
export function checkObjectExt(eventType: EventType, ext: Obj | undefined): CheckedExt | undefined {
  const check = EXT_CHECKS[eventType];
  if (!check) return ext;
  const e = ext ?? {};
  check(e);
  const { facePicBase64: _b, facePicType: _t, ...rest } = e;
  const face = eventType === 1 ? picture(e, 'facePicBase64', 'facePicType', false, MAX_PICTURE_CHARS) : undefined;
  return face ? { ...rest, facePicture: face } : rest;
}

const EXT_CHECKS: Partial<Record<EventType, (e: Obj) => void>> = {
  1: (e) => {
    reqNum(e, 'similarity', 0, 1, true);
    reqStr(e, 'groupId', 63);
    reqStr(e, 'faceId', 63);
    optOneOf(e, 'gender', [1, 2, UNKNOWN] as const);
    optOneOf(e, 'glass', [0, 1, UNKNOWN] as const);
    optOneOf(e, 'mask', [0, 1, UNKNOWN] as const);
    for (const k of ['pitch', 'yow', 'roll']) optInt(e, k, -90, 90);
    optInt(e, 'faceQuality', 0, 100);
  },
  2: (e) => void reqOneOf(e, 'targetType', [1, 2, UNKNOWN] as const),
  6: (e) => {
    reqOneOf(e, 'plateColor', PLATE_COLORS);
    optStr(e, 'plateNum', 32);
    reqOneOf(e, 'vehicleColor', VEHICLE_COLORS);
  },
  7: (e) => {
    reqOneOf(e, 'alarmContion', [1, 2, 3] as const);
    reqNum(e, 'tempValue');
    reqOneOf(e, 'tempUnit', [1, 2] as const);
  },
  8: (e) => {
    reqNum(e, 'tempMax');
    reqOneOf(e, 'tempUnit', [1, 2] as const);
  },
  10: (e) => void reqOneOf(e, 'type', [1, 2, UNKNOWN] as const),
  11: (e) => {
    reqOneOf(e, 'type', [1, 2, UNKNOWN] as const);
    optOneOf(e, 'plateColor', PLATE_COLORS);
    optStr(e, 'plateNum', 32);
    optOneOf(e, 'vehicleColor', VEHICLE_COLORS);
  },
};
