/**
 * Pass records (`face/record`, seed 003 L4516-4885) → access-core pass records (which reach the
 * cloud through the box's outbox).
 */
import { parsePassTime, type Msg } from '../../protocols/face-push/index.js';
import { PASS, type PassResult } from '../../protocols/door-service/pass-codes.js';
import type { PassRecordArgs } from '../face-shared/access-calls.js';

/** snapType (L4542-4570) → the access core's pass kind. */
export function kindOf(snapType: string): 'face' | 'tradCard' | 'qrCode' | 'password' {
  switch (snapType) {
    case '2':
    case '4':
    case '5':
      return 'tradCard';
    case '6':
    case '7':
    case '8':
      return 'qrCode';
    case '13':
    case '14':
      return 'password';
    default:
      return 'face';
  }
}

type RecordKind = ReturnType<typeof kindOf>;
const REFUSED: Record<RecordKind, { notEffective: PassResult; expired: PassResult; notFound: PassResult; noMatch: PassResult }> = {
  face: {
    notEffective: PASS.FACE_NOT_EFFECTIVE,
    expired: PASS.FACE_EXPIRED,
    notFound: PASS.FACE_BELOW_THRESHOLD,
    noMatch: PASS.FACE_BELOW_THRESHOLD,
  },
  tradCard: {
    notEffective: PASS.CARD_NOT_EFFECTIVE,
    expired: PASS.CARD_EXPIRED,
    notFound: PASS.CARD_NOT_FOUND,
    noMatch: PASS.CARD_NOT_FOUND,
  },
  qrCode: { notEffective: PASS.QR_NOT_EFFECTIVE, expired: PASS.QR_EXPIRED, notFound: PASS.QR_NOT_FOUND, noMatch: PASS.QR_NOT_FOUND },
  password: {
    notEffective: PASS.PASSWORD_NOT_EFFECTIVE,
    expired: PASS.PASSWORD_EXPIRED,
    notFound: PASS.PASSWORD_NOT_FOUND,
    noMatch: PASS.PASSWORD_NOT_FOUND,
  },
};

/**
 * The terminal's compareResult (L4572-4580) as the door service's pass result (seed 001 L22154-22178,
 * L23427-23447), so the cloud gets one vocabulary whichever door decided: 1 no match, 2 outside
 * its pass time (not effective), 3 outside its validity (expired), 4 not authorised (unknown).
 */
export function passResultOf(kind: RecordKind, compareResult: string): PassResult {
  const r = REFUSED[kind];
  switch (compareResult.trim()) {
    case '0':
      return PASS.OK;
    case '2':
      return r.notEffective;
    case '3':
      return r.expired;
    case '4':
      return r.notFound;
    default:
      return r.noMatch;
  }
}

/**
 * The access.recordPass arguments of one record; `undefined` when its time is unreadable. The
 * terminal's msgID and pass time are the record's `ref`: a record it sends again (its answer was
 * lost, or the box restarted) is stored once.
 */
export function passOf(
  msg: Msg,
  deviceKey: string,
  tzOffsetMin: number,
  userIdOfFace: (faceId: string) => string | undefined,
): PassRecordArgs | undefined {
  const time = parsePassTime(msg.passTime ?? '', tzOffsetMin);
  if (time === undefined) return undefined;
  const kind = kindOf(msg.snapType ?? '0');
  const stranger = msg.snapType === '3' || msg.snapType === '5' || msg.snapType === '7';
  const idNumber = stranger ? '' : (msg.idNumber ?? '');
  const credential = kind === 'tradCard' ? (msg.normalNumber ?? '') : kind === 'qrCode' ? (msg.data ?? '') : '';
  const userId = idNumber ? (userIdOfFace(idNumber) ?? idNumber) : '';
  const photo = (msg.recognitionPhoto ?? '').trim();
  const temperature = Number(msg.temperature);
  return {
    deviceKey,
    kind,
    content: credential.slice(0, 255),
    time,
    ...passResultOf(kind, msg.compareResult ?? ''),
    ref: `${msg.msgID ?? ''}|${msg.passTime ?? ''}`.slice(0, 128),
    ...(userId ? { identityId: userId.slice(0, 64) } : {}),
    ...(kind === 'face' && idNumber ? { faceId: idNumber.slice(0, 64) } : {}),
    ...(photo.length > 32 && photo.length <= 2_000_000 ? { photo } : {}),
    ...(Number.isFinite(temperature) && msg.temperature ? { temperature } : {}),
  };
}
