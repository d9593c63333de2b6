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

/** The per-device permission statuses and the pass kinds are the host-service contract's (one list each). */
export { SYNC_STATUSES, type PassKind, type SyncStatus } from '../host/sdk/host-services.js';
