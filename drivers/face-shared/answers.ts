/**
 * Driver answers of both face drivers with named codes (edge/errors.ts `EDGE_ERR_*`): a caller
 * on the cloud link or the console tells the outcomes apart by code. The terminal's own plain
 * code (seed 003 `errorCode` "100"/"300"…, seed 004 `code` 10001…) stays in `data`; it is the
 * protocol's, not ours (docs/face-terminals.md).
 */
import type { Answer } from '../../edge/host/sdk/driver.js';
import { answerOf, edgeError, type ErrorCode } from '../../edge/errors.js';

export function faceAnswer<T = unknown>(code: ErrorCode, args: unknown[], data?: T): Answer<T> {
  const a = answerOf(edgeError(code, ...args));
  return data === undefined ? { code: a.code, message: a.message } : { code: a.code, message: a.message, data };
}

export const success = <T>(data?: T): Answer<T> => (data === undefined ? { code: 200, message: 'success' } : { code: 200, message: 'success', data });
export const badArgs = (why: string): Answer<never> => faceAnswer('EDGE_ERR_REQUEST_INVALID', [why]);
export const notDeployed = (h: { productKey: string; deviceName: string }): Answer<never> => faceAnswer('EDGE_ERR_DEVICE_UNKNOWN', [h.productKey, h.deviceName]);
export const noService = (id: string, model: string): Answer<never> => faceAnswer('EDGE_ERR_SERVICE_UNKNOWN', [id, model]);
export const readOnly = (key: string, model: string): Answer<never> => faceAnswer('EDGE_ERR_PROPERTY_READONLY', [key, model]);
