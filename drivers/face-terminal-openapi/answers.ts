/** OpenAPI failures → driver answers a caller understands (seed 004 §7 codes, L101-123). */
import type { Answer } from '../../edge/host/sdk/driver.js';
import { OpenApiError, type FailureKind } from '../../protocols/face-openapi/index.js';

const ANSWER_CODE: Record<FailureKind, number> = {
  auth: 401, // wrong password or IP not allowed: fix the device's custom.password
  clock: 409, // timestamps refused: the box and terminal clocks differ by more than 5 minutes
  notFound: 404,
  badRequest: 460,
  badImage: 460,
  notSupported: 501,
  deviceError: 502,
  empty: 200,
  full: 507,
  unknown: 500,
};

export function failure(err: unknown): Answer {
  if (err instanceof OpenApiError) return { code: ANSWER_CODE[err.kind], message: `terminal refused: ${err.message}`, data: { deviceCode: err.code } };
  return { code: 503, message: `terminal unreachable: ${(err as Error).message}` };
}
