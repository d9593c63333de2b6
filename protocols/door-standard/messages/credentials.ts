/** QR, card and BLE endpoints (seed 001 L35862-36233). */
import { LIMITS } from '../endpoints.js';
import { ParamError, arr, each, int, optStr, str, type Obj } from '../validate.js';

export interface QrCodeRequest {
  qrCode: string;
}

/** `qrCode` is 32 bytes long (L35887). Anything else cannot be a code the cloud issued. */
export function parseQrCode(o: Obj): QrCodeRequest {
  return { qrCode: str(o, 'qrCode', { min: LIMITS.qrCodeLength, max: LIMITS.qrCodeLength, pattern: /^[\x21-\x7e]+$/ }) };
}

export interface UserIdReplyData {
  userId: string;
}

export function parseUserIdReplyData(o: Obj): UserIdReplyData {
  return { userId: str(o, 'userId', { max: 64, lenient: true }) };
}

/** 1 add, 2 delete, 3 modify; add and modify are both upserts (L35960-35964). */
export type CardSyncType = 1 | 2 | 3;

export interface CardPermission {
  type: CardSyncType;
  userId?: string;
  cardId: string;
  /** ms UTC decimal strings (L35968-35975). */
  effectiveTime: string;
  expiryTime: string;
}

const CARD_ID = { min: 1, max: 64, pattern: /^[0-9A-Za-z]+$/, lenient: true } as const;
const MS = { pattern: /^\d{1,15}$/, lenient: true } as const;

function parseCardPermission(o: Obj): CardPermission {
  const type = int(o, 'type', { min: 1, max: 3 }) as CardSyncType;
  const cardId = str(o, 'cardId', CARD_ID);
  // The times are marked required for every type (the delete example carries them too), but a
  // delete without them is unambiguous, so a delete may omit them (spec 001f A8).
  const effectiveTime = type === 2 ? (optStr(o, 'effectiveTime', MS) ?? '0') : str(o, 'effectiveTime', MS);
  const expiryTime = type === 2 ? (optStr(o, 'expiryTime', MS) ?? '0') : str(o, 'expiryTime', MS);
  if (type !== 2 && Number(effectiveTime) > Number(expiryTime)) throw new ParamError('effectiveTime after expiryTime');
  const userId = optStr(o, 'userId', { max: 64, lenient: true });
  return { type, cardId, effectiveTime, expiryTime, ...(userId !== undefined ? { userId } : {}) };
}

/** `/cardAC/syncPermissions` and `/bleAC/syncPermissions` share one shape (L36090-36184). */
export function parseSyncPermissions(o: Obj): CardPermission[] {
  return each(arr(o, 'permissions', { min: 1, max: LIMITS.cardSyncBatch }), 'permissions', parseCardPermission);
}

export interface CardPassRequest {
  cardId: string;
}

/** `/cardAC/passEvent`, `/bleAC/passEvent`: only the card number (L36050, L36200). */
export function parseCardPass(o: Obj): CardPassRequest {
  return { cardId: str(o, 'cardId', CARD_ID) };
}
