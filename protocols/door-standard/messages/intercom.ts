/** Video intercom endpoints `/visualIntercom/*` (seed 001 L36234-36544). */
import { ParamError, int, optStr, str, type Obj } from '../validate.js';

export interface SipAccount {
  sipNumber: string;
  password: string;
  sipServerAddr: string;
  /** A String on the wire (L36268). */
  sipServerPort: string;
}

export function parseSipAccount(o: Obj): SipAccount {
  return {
    sipNumber: str(o, 'sipNumber', { min: 1, max: 64 }),
    password: str(o, 'password', { min: 1, max: 128 }),
    sipServerAddr: str(o, 'sipServerAddr', { min: 1, max: 128 }),
    sipServerPort: str(o, 'sipServerPort', { pattern: /^\d{1,5}$/, lenient: true }),
  };
}

/**
 * roomId = 期号-楼幢号-单元号-房号, widths at most 1-3-4-5 letters/digits (L36318-36330).
 * The phase defaults to 1: a three-part id is read as phase 1.
 */
const ROOM_FULL = /^[0-9A-Za-z]{1}-[0-9A-Za-z]{1,3}-[0-9A-Za-z]{1,4}-[0-9A-Za-z]{1,5}$/;
const ROOM_NO_PHASE = /^[0-9A-Za-z]{1,3}-[0-9A-Za-z]{1,4}-[0-9A-Za-z]{1,5}$/;

export function normalizeRoomId(raw: string): string | undefined {
  if (ROOM_FULL.test(raw)) return raw;
  if (ROOM_NO_PHASE.test(raw)) return `1-${raw}`;
  return undefined;
}

export function parseGetGroupId(o: Obj): { roomId: string } {
  const raw = str(o, 'roomId', { min: 1, max: 16 });
  const roomId = normalizeRoomId(raw);
  if (!roomId) throw new ParamError('roomId must be phase-building-unit-room');
  return { roomId };
}

const PHONE = /^\+?\d{3,20}$/;

export function parseCheckPhoneNumber(o: Obj): { phoneNumber: string } {
  return { phoneNumber: str(o, 'phoneNumber', { pattern: PHONE, lenient: true }) };
}

export interface VerifyPhoneResult {
  phoneNumber: string;
  /** 0 success, 1 failure (L36433). */
  result: 0 | 1;
}

export function parseVerifyPhoneResult(o: Obj): VerifyPhoneResult {
  return { phoneNumber: str(o, 'phoneNumber', { pattern: PHONE, lenient: true }), result: int(o, 'result', { min: 0, max: 1 }) as 0 | 1 };
}

export interface ReportOpenDoor {
  /** 0 cloud intercom, 1 fixed-line intercom (L36490). */
  type: 0 | 1;
  /** SipNumber (type 0) or phone number (type 1). */
  number: string;
  roomId?: string;
}

export function parseReportOpenDoor(o: Obj): ReportOpenDoor {
  const type = int(o, 'type', { min: 0, max: 1 }) as 0 | 1;
  const number = str(o, 'number', { min: 1, max: 64, lenient: true });
  const raw = optStr(o, 'roomId', { max: 16 });
  if (raw === undefined) return { type, number };
  const roomId = normalizeRoomId(raw);
  if (!roomId) throw new ParamError('roomId must be phase-building-unit-room');
  return { type, number, roomId };
}
