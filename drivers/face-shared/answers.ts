/**
 * Driver answers of both face drivers with named codes (the SDK's `DRIVER_ERRORS`, part of edge/errors.ts): a caller
 * on the cloud link or the console tells the outcomes apart by code. The terminal's own plain
 * code (seed 003 `errorCode` "100"/"300"…, seed 004 `code` 10001…) stays in `data`; it is the
 * protocol's, not ours (docs/face-terminals.md).
 */
import { DRIVER_ERRORS, fail, formatMessage, type Answer, type DriverErrorCode } from '../../edge/host/sdk/driver.js';

export function faceAnswer<T = unknown>(code: DriverErrorCode, args: unknown[], data?: T): Answer<T> {
  const spec = DRIVER_ERRORS[code];
  return fail(spec, formatMessage(spec.message, args), data);
}

export const badArgs = (why: string): Answer<never> => faceAnswer('EDGE_ERR_REQUEST_INVALID', [why]);
export const notDeployed = (h: { productKey: string; deviceName: string }): Answer<never> =>
  faceAnswer('EDGE_ERR_DEVICE_UNKNOWN', [h.productKey, h.deviceName]);
export const noService = (id: string, model: string): Answer<never> => faceAnswer('EDGE_ERR_SERVICE_UNKNOWN', [id, model]);
export const readOnly = (key: string, model: string): Answer<never> => faceAnswer('EDGE_ERR_PROPERTY_READONLY', [key, model]);
