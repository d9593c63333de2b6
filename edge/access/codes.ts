/**
 * The codes and messages of the seeds, in one place. Decision results are exactly the seed's
 * `passEvent.code` / `eventExtInfo.code` and their English messages.
 */

// [seed 001 L22154-22178] card/BLE/QR pass result codes; [seed 001 L1587-1597] same for QR.
// [seed 001 L23427-23447] face pass result codes.
export const PASS = {
  OK: { code: 0, message: 'success' },
  QR_NOT_EFFECTIVE: { code: 101, message: 'QR code does not take effect' },
  QR_EXPIRED: { code: 102, message: 'QR code has expired' },
  QR_NOT_FOUND: { code: 103, message: 'QR code does not exist' },
  QR_USED_UP: { code: 104, message: 'QR code have be used up' },
  CARD_NOT_EFFECTIVE: { code: 201, message: 'Traditional card number does not take effect' },
  CARD_EXPIRED: { code: 202, message: 'Traditional card number has expired' },
  CARD_NOT_FOUND: { code: 203, message: 'Traditional card number does not exist' },
  BLE_NOT_EFFECTIVE: { code: 301, message: 'Bluetooth card number does not take effect' },
  BLE_EXPIRED: { code: 302, message: 'Bluetooth card number has expired' },
  BLE_NOT_FOUND: { code: 303, message: 'Bluetooth card number does not exist' },
  // The seeds give no password failure codes; 401-403 follow the 1xx/2xx/3xx pattern (docs/access.md).
  PASSWORD_NOT_EFFECTIVE: { code: 401, message: 'Password does not take effect' },
  PASSWORD_EXPIRED: { code: 402, message: 'Password has expired' },
  PASSWORD_NOT_FOUND: { code: 403, message: 'Password does not exist' },
  FACE_NOT_EFFECTIVE: { code: 501, message: 'Face auth does not take effect' },
  FACE_EXPIRED: { code: 502, message: 'Face information has expired' },
  FACE_LIBRARY_EMPTY: { code: 503, message: 'Face library is empty' },
  FACE_FEATURE_FAILED: { code: 504, message: 'Face feature extraction failed' },
  FACE_BELOW_THRESHOLD: { code: 505, message: 'Face matching similarity is less than the threshold' },
  FACE_BLACKLIST: { code: 506, message: 'The user is in blacklist' },
  FACE_TIMEOUT: { code: 507, message: 'Face recognition timeout' },
  UNKNOWN: { code: 10000, message: 'Unknown error' },
} as const;

export type PassResult = { readonly code: number; readonly message: string };

// [seed 000 L301-319] face image errors of /face/paas/image/save.
export const IMAGE = {
  INVALID_SIZE: { code: 2006, message: 'image size or resolution invalid' },
  GET_FAILED: { code: 2007, message: 'get image failed' },
  NO_FACE: { code: 2017, message: 'no face in image' },
  PARAM: { code: 2460, message: 'request parameter error' },
} as const;

// [seed 000 L2621-2633] SyncPicStatus of SyncFacePictures / SyncFaceFeatures.
export const SYNC_PIC_STATUS = { SUCCESS: 0, DEPLOYING: 1, DOWNLOAD_FAILED: 2, PARSE_FAILED: 3 } as const;

/** [seed 000 L643-672] per-device permission status (cloud vocabulary, also used for cards). */
export const SYNC_STATUSES = [
  'toBeTransferred', 'transferring', 'deviceOffline', 'transferred', 'faceCheckError', 'faceCheckTimeout',
  'faceDlError', 'facePushError', 'unknownError', 'transferDeleted', 'deleteFailed', 'transferTimeout',
  'deleteTimeout', 'needManual',
] as const;
export type SyncStatus = (typeof SYNC_STATUSES)[number];

/** Pass types of the device passEvent [seed 001 L1551-1597]. */
/** `intercom` is a door opened from an intercom call (door-standard reportOpenDoor); not a seed passEvent type. */
import type { PassKind } from '../host/sdk/host-services.js';
export type { PassKind };

/** [seed 001 L22086-22152] iot_entrance_event_model `type` for each pass kind. */
export const ENTRANCE_TYPE: Record<Exclude<PassKind, 'face'>, string> = {
  qrCode: 'QRCODE',
  tradCard: 'CARD',
  bleCard: 'BleCARD',
  password: 'PASSWORD',
  intercom: 'INTERCOM',
  remote: 'REMOTE',
};
