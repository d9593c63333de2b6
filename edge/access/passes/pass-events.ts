/**
 * The upward shape of a pass record. Card/BLE/QR/password passes are the door's `passEvent`
 * [seed 001 L1551-1597]: `{code, message, type, content, extInfo}` with extInfo a JSON string
 * carrying what the cloud needs to build `iot_entrance_event_model` (identityId, eventTime…,
 * seed 000 L7508-7547). Face passes are `OnMatched` (or `OnDetect` for a stranger) with the
 * fields of `iotx_face_record_model` [seed 000 L7549-7591] and the LinkFace match result
 * (score 1-100, capture time ms, is_realtime) [seed 000 L3587-3729].
 */
import { PASS, type PassKind } from '../codes.js';

export interface PassRecordInput {
  deviceKey: string;
  kind: PassKind;
  /** QR string, card number, BLE card number or password; '' for faces. */
  content: string;
  code: number;
  message: string;
  time: number;
  identityId?: string;
  name?: string;
  remainScanTimes?: number;
  faceId?: string;
  userType?: string;
  score?: number;
  policy?: string;
  userExtInfo?: string;
  temperature?: number;
  /** A photo taken at the door (stored under the data directory, never logged). */
  photo?: Buffer;
}

const CONTENT_KEY: Record<Exclude<PassKind, 'face'>, string> = {
  qrCode: 'qrCode',
  tradCard: 'cardId',
  bleCard: 'bleCardId',
  password: 'password',
  intercom: 'content',
  remote: 'content',
};

export function eventIdentifier(r: Pick<PassRecordInput, 'kind' | 'code'>): string {
  if (r.kind !== 'face') return 'passEvent';
  // Empty library / below threshold: nobody was recognised → stranger event.
  return r.code === PASS.FACE_LIBRARY_EMPTY.code || r.code === PASS.FACE_BELOW_THRESHOLD.code ? 'OnDetect' : 'OnMatched';
}

/** The cloud event's params; `passId` is in `extInfo` (passEvent) or is the `eventId` (faces). */
/** `pictureUrl`: the photo's download URL from the file service (the face model's field [seed 000 L7585]; in extInfo for passEvent). */
export function eventParams(
  r: PassRecordInput,
  passId: string,
  realtime: boolean,
  photoId: string | undefined,
  pictureUrl?: string,
): Record<string, unknown> {
  const seconds = String(Math.floor(r.time / 1000));
  if (r.kind !== 'face') {
    const ext: Record<string, unknown> = {
      type: r.kind,
      [CONTENT_KEY[r.kind]]: r.content,
      userID: r.identityId ?? '',
      eventTime: seconds,
      passId,
    };
    if (r.remainScanTimes !== undefined) ext.remainScanTimes = r.remainScanTimes;
    if (pictureUrl) ext.pictureUrl = pictureUrl;
    return { code: r.code, message: r.message, type: r.kind, content: r.content, extInfo: JSON.stringify(ext) };
  }
  return {
    code: r.code,
    message: r.message,
    type: 'face',
    eventId: passId,
    faceId: r.faceId ?? '',
    userId: r.identityId ?? '',
    userType: r.userType ?? 'IDENTITY',
    userName: r.name ?? '',
    policy: r.policy ?? '',
    userExtInfo: r.userExtInfo ?? '',
    mediaType: 'face',
    matchScore: r.score === undefined ? 0 : Math.max(1, Math.min(100, Math.round(r.score * 100))),
    similarity: r.score ?? 0,
    timeMsec: r.time,
    isRealtime: realtime ? 1 : 0,
    ...(photoId ? { pictureId: photoId } : {}),
    ...(pictureUrl ? { pictureUrl } : {}),
    ...(r.temperature !== undefined ? { temperature: r.temperature } : {}),
    eventExtInfo: JSON.stringify({ code: r.code, message: r.message }),
  };
}
