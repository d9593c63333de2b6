/** OpenAPI failures → driver answers with named codes (seed 004 §7 codes, L101-123; the SDK's DRIVER_ERRORS). */
import { ok, type Answer, type DriverErrorCode } from '../../edge/host/sdk/driver.js';
import { OpenApiError, type FailureKind } from '../../protocols/face-openapi/index.js';
import { faceAnswer } from '../face-shared/answers.js';

const CODE_OF: Record<Exclude<FailureKind, 'empty'>, DriverErrorCode> = {
  auth: 'EDGE_ERR_FACE_AUTH', // wrong password or IP not allowed: fix the device's custom.password
  clock: 'EDGE_ERR_FACE_CLOCK', // the box and terminal clocks differ by more than 5 minutes
  notFound: 'EDGE_ERR_FACE_NOT_FOUND',
  badRequest: 'EDGE_ERR_FACE_BAD_REQUEST',
  badImage: 'EDGE_ERR_FACE_BAD_REQUEST',
  notSupported: 'EDGE_ERR_FACE_NOT_SUPPORTED',
  deviceError: 'EDGE_ERR_FACE_DEVICE_ERROR',
  full: 'EDGE_ERR_FACE_FULL',
  unknown: 'EDGE_ERR_FACE_UNKNOWN',
};

/** The terminal's own code goes along as `data.deviceCode`. */
export function failure(err: unknown): Answer {
  if (err instanceof OpenApiError) {
    if (err.kind === 'empty') return ok({ deviceCode: err.code }); // 50008 Search List Null
    return faceAnswer(CODE_OF[err.kind], [err.message], { deviceCode: err.code });
  }
  return faceAnswer('EDGE_ERR_FACE_UNREACHABLE', [(err as Error).message]);
}
