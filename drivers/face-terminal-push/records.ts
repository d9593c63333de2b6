/**
 * Pass records (`face/record`, seed 003 L4516-4885) → access-core pass records (which reach the
 * cloud through the box's outbox).
 */
import { parsePassTime, type Msg } from '../../protocols/face-push/index.js';
import type { PassRecordArgs } from '../face-shared/access-calls.js';

/** snapType (L4542-4570) → the access core's pass kind. */
export function kindOf(snapType: string): 'face' | 'tradCard' | 'qrCode' | 'password' {
  switch (snapType) {
    case '2': case '4': case '5': return 'tradCard';
    case '6': case '7': case '8': return 'qrCode';
    case '13': case '14': return 'password';
    default: return 'face';
  }
}

/** compareResult (L4572-4580). */
export const COMPARE_TEXT: Record<string, string> = { '0': '比对成功', '1': '比对失败', '2': '不在通行时间内', '3': '不在有效期内', '4': '未授权' };

/**
 * The access.recordPass arguments of one record; `undefined` when its time is unreadable. The
 * terminal's msgID and pass time are the record's `ref`: a record it sends again (its answer was
 * lost, or the box restarted) is stored once.
 */
export function passOf(msg: Msg, deviceKey: string, tzOffsetMin: number, userIdOfFace: (faceId: string) => string | undefined): PassRecordArgs | undefined {
  const time = parsePassTime(msg.passTime ?? '', tzOffsetMin);
  if (time === undefined) return undefined;
  const kind = kindOf(msg.snapType ?? '0');
  const allowed = (msg.compareResult ?? '').trim() === '0';
  const stranger = msg.snapType === '3' || msg.snapType === '5' || msg.snapType === '7';
  const idNumber = stranger ? '' : (msg.idNumber ?? '');
  const credential = kind === 'tradCard' ? (msg.normalNumber ?? '') : kind === 'qrCode' ? (msg.data ?? '') : '';
  const userId = idNumber ? (userIdOfFace(idNumber) ?? idNumber) : '';
  const photo = (msg.recognitionPhoto ?? '').trim();
  const temperature = Number(msg.temperature);
  return {
    deviceKey, kind, content: credential.slice(0, 255), time,
    code: allowed ? 0 : 1, message: (COMPARE_TEXT[msg.compareResult ?? ''] ?? `compareResult ${msg.compareResult}`).slice(0, 256),
    ref: `${msg.msgID ?? ''}|${msg.passTime ?? ''}`.slice(0, 128),
    ...(userId ? { identityId: userId.slice(0, 64) } : {}), ...(kind === 'face' && idNumber ? { faceId: idNumber.slice(0, 64) } : {}),
    ...(photo.length > 32 && photo.length <= 2_000_000 ? { photo } : {}), ...(Number.isFinite(temperature) && msg.temperature ? { temperature } : {}),
  };
}
