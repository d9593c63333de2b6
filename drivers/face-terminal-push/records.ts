/**
 * Pass records (`face/record`, seed 003 L4516-4885) → access-core pass records and thing events.
 */
import { parsePassTime, type Msg } from '../../protocols/face-push/index.js';

/** snapType (L4542-4570) → the access core's pass kind and the passEvent `type`. */
export function kindOf(snapType: string): { kind: 'face' | 'card' | 'qrCode' | 'password'; type: string } {
  switch (snapType) {
    case '2': case '4': case '5': return { kind: 'card', type: 'CARD' };
    case '6': case '7': case '8': return { kind: 'qrCode', type: 'QRCODE' };
    case '13': case '14': return { kind: 'password', type: 'PASSWORD' };
    default: return { kind: 'face', type: 'FACE' };
  }
}

/** compareResult (L4572-4580). */
export const COMPARE_TEXT: Record<string, string> = { '0': '比对成功', '1': '比对失败', '2': '不在通行时间内', '3': '不在有效期内', '4': '未授权' };

export interface PassArgs {
  access: Record<string, unknown>;
  event: Record<string, unknown>;
  allowed: boolean;
  time: number;
}

/** The access.recordPass arguments and the passEvent params of one record; `undefined` when its time is unreadable. */
export function passOf(msg: Msg, deviceKey: string, tzOffsetMin: number, userIdOfFace: (faceId: string) => string | undefined): PassArgs | undefined {
  const time = parsePassTime(msg.passTime ?? '', tzOffsetMin);
  if (time === undefined) return undefined;
  const { kind, type } = kindOf(msg.snapType ?? '0');
  const allowed = (msg.compareResult ?? '').trim() === '0';
  const stranger = msg.snapType === '3' || msg.snapType === '5' || msg.snapType === '7';
  const idNumber = stranger ? '' : (msg.idNumber ?? '');
  const credential = kind === 'card' ? (msg.normalNumber ?? '') : kind === 'qrCode' ? (msg.data ?? '') : kind === 'face' ? idNumber : '';
  const userId = idNumber ? (userIdOfFace(idNumber) ?? idNumber) : '';
  const photo = (msg.recognitionPhoto ?? '').trim();
  const temperature = Number(msg.temperature);
  return {
    time,
    allowed,
    access: {
      deviceKey, kind, credential: credential.slice(0, 255), content: credential.slice(0, 255),
      code: allowed ? 0 : 1, message: COMPARE_TEXT[msg.compareResult ?? ''] ?? `compareResult ${msg.compareResult}`,
      ...(userId ? { userId } : {}), ...(kind === 'face' && idNumber ? { faceId: idNumber } : {}),
      ...(photo.length > 32 ? { photo } : {}), ...(Number.isFinite(temperature) && msg.temperature ? { temperature } : {}), time,
    },
    event: { type, userId, credential: credential.slice(0, 255) },
  };
}
