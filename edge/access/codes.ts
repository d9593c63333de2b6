/**
 * The codes and messages of the seeds, in one place. Decision results are exactly the seed's
 * `passEvent.code` / `eventExtInfo.code` and their English messages.
 */

export { PASS, type PassResult } from '../../protocols/door-service/pass-codes.js';

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
