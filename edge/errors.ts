/**
 * The error catalogue: every failure the runtime reports has a stable code, a message
 * template and the status it maps to at each boundary (HTTP for the console, Alink code for
 * the cloud and the local bus). Boundaries translate codes, they never invent messages.
 */

import { ALINK, DRIVER_ERRORS, formatMessage, type Answer, type ErrorSpec } from './host/sdk/answer.js';

// The Alink codes and the entries drivers answer with are the SDK's (drivers cannot import this
// module); this catalogue is those plus the box's own, each code written once.
export { ALINK, fail, ok, succeeded, type Answer, type ErrorSpec } from './host/sdk/answer.js';

export const ERRORS = {
  ...DRIVER_ERRORS,
  EDGE_ERR_CONFIG_INVALID: { message: 'configuration invalid: %s', status: 400, alink: ALINK.REQUEST_INVALID },
  EDGE_ERR_CONFIG_DOWNLOAD: { message: 'config download failed: %s', status: 502, alink: ALINK.INTERNAL },
  EDGE_ERR_CONFIG_DEPLOY_FAILED: { message: 'deploy failed, previous config restored: %s', status: 500, alink: ALINK.INTERNAL },
  EDGE_ERR_CONFIG_READ: { message: 'cannot read configuration file %s: %s', status: 400, alink: ALINK.REQUEST_INVALID },
  EDGE_ERR_DEVICE_DISABLED: { message: 'device %s/%s is disabled', status: 409, alink: ALINK.DEVICE_DISABLED },
  EDGE_ERR_PROPERTY_UNKNOWN: { message: 'property %s is not defined in the thing model of %s', status: 404, alink: ALINK.PROPERTY_UNKNOWN },
  EDGE_ERR_VALUE_INVALID: { message: 'invalid value for %s: %s', status: 400, alink: ALINK.REQUEST_INVALID },
  EDGE_ERR_DRIVER_TIMEOUT: { message: 'driver %s did not answer %s within %d ms', status: 504, alink: ALINK.DRIVER_TIMEOUT },
  EDGE_ERR_DRIVER_NOT_FOUND: { message: 'driver module %s not found', status: 404, alink: ALINK.DRIVER_NOT_FOUND },
  EDGE_ERR_TSL_INVALID: { message: 'thing model %s invalid: %s', status: 400, alink: ALINK.REQUEST_INVALID },
  EDGE_ERR_TSL_MISSING: { message: 'no thing model for product %s', status: 404, alink: ALINK.TSL_MISSING },
  EDGE_ERR_BUSY: { message: 'too many requests: %s', status: 429, alink: ALINK.BUSY },
  EDGE_ERR_CONSOLE_AUTH_REQUIRED: { message: 'log in to the console first', status: 401, alink: ALINK.UNAUTHORIZED },
  EDGE_ERR_CONSOLE_LOGIN_FAILED: { message: 'wrong user name or password', status: 401, alink: ALINK.UNAUTHORIZED },
  EDGE_ERR_CONSOLE_LOCKED: { message: 'too many failed logins; try again in %d s', status: 429, alink: ALINK.BUSY },
  EDGE_ERR_CONSOLE_BUSY: {
    message: 'too many failed logins on this box from all addresses; every login waits: try again in %d s',
    status: 429,
    alink: ALINK.BUSY,
  },
  EDGE_ERR_CONSOLE_PASSWORD_WRONG: { message: 'the current password is wrong', status: 403, alink: ALINK.FORBIDDEN },
  EDGE_ERR_CONSOLE_CSRF: { message: 'request refused: missing or wrong CSRF token', status: 403, alink: ALINK.FORBIDDEN },
  EDGE_ERR_CONSOLE_SETUP_REQUIRED: { message: 'the console password has not been set yet', status: 403, alink: ALINK.FORBIDDEN },
  EDGE_ERR_CONSOLE_SETUP_TOKEN: {
    message: 'setup token missing or wrong; use the console URL the daemon printed',
    status: 403,
    alink: ALINK.FORBIDDEN,
  },
  EDGE_ERR_CONSOLE_SETUP_DONE: { message: 'the console password is already set', status: 409, alink: ALINK.CONFLICT },
  EDGE_ERR_CONSOLE_CONFIG_CHANGED: { message: 'the config changed since the preview: %s', status: 409, alink: ALINK.CONFLICT },
  EDGE_ERR_CONSOLE_PASSWORD_WEAK: { message: 'password refused: %s', status: 400, alink: ALINK.REQUEST_INVALID },
  EDGE_ERR_CONSOLE_BACKUP_INVALID: { message: 'not a valid box backup: %s', status: 400, alink: ALINK.REQUEST_INVALID },
  EDGE_ERR_DISK_FULL: { message: 'not enough free disk %s: %s', status: 507, alink: ALINK.INTERNAL },
  EDGE_ERR_CONSOLE_SERVICE_MISSING: { message: '%s is not available on this box', status: 501, alink: ALINK.NOT_IMPLEMENTED },
  // Host services (edge/host/sdk/host-services.ts): what a driver may ask the host process.
  EDGE_ERR_HOST_CALL_INVALID: { message: 'host service %s called with invalid arguments: %s', status: 400, alink: ALINK.REQUEST_INVALID },
  EDGE_ERR_DEVICE_NOT_OWNED: { message: 'device %s is not deployed to driver %s', status: 403, alink: ALINK.DEVICE_NOT_OWNED },
  // Access control (docs/access.md).
  EDGE_ERR_STORE_UNAVAILABLE: {
    message: 'the box database cannot write, so the pass was not recorded (answered busy): %s',
    status: 503,
    alink: ALINK.STORE_UNAVAILABLE,
  },
  // Elevator linkage (docs/elevators.md).
  EDGE_ERR_ELEVATOR_PARAM: { message: 'elevator linkage refused: %s', status: 400, alink: ALINK.REQUEST_INVALID },
  EDGE_ERR_ELEVATOR_NOT_FOUND: { message: 'elevator linkage %s not found', status: 404, alink: ALINK.ELEVATOR_NOT_FOUND },
  // EBA alarm rules (docs/rules.md).
  EDGE_ERR_RULE_INVALID: { message: 'alarm rule refused: %s', status: 400, alink: ALINK.REQUEST_INVALID },
  EDGE_ERR_RULE_UNKNOWN: { message: 'No access to alarm rule %s', status: 404, alink: ALINK.ALARM_RULE_NO_ACCESS },
  EDGE_ERR_ALARM_UNKNOWN: { message: 'no alarm record %s', status: 404, alink: ALINK.REQUEST_INVALID },
  EDGE_ERR_APP_ENVELOPE_INVALID: { message: 'service call refused: %s', status: 400, alink: ALINK.REQUEST_INVALID },
  EDGE_ERR_APP_BODY_TOO_LARGE: { message: 'request body over %d bytes', status: 413, alink: ALINK.APP_BODY_TOO_LARGE },
  EDGE_ERR_APP_MODEL_UNKNOWN: { message: 'no app provides service model %s', status: 404, alink: ALINK.APP_MODEL_UNKNOWN },
  EDGE_ERR_APP_METHOD_UNKNOWN: { message: 'service model %s has no method %s', status: 404, alink: ALINK.APP_METHOD_UNKNOWN },
  EDGE_ERR_APP_DOWN: { message: 'app %s providing %s is not running: %s', status: 503, alink: ALINK.APP_DOWN },
  EDGE_ERR_APP_TIMEOUT: { message: 'app %s did not answer %s/%s within %d ms', status: 504, alink: ALINK.APP_TIMEOUT },
  EDGE_ERR_APP_UNKNOWN: { message: 'no app %s on this box', status: 404, alink: ALINK.APP_UNKNOWN },
  EDGE_ERR_APP_PACKAGE_INVALID: { message: 'app package refused: %s', status: 400, alink: ALINK.APP_PACKAGE_INVALID },
  EDGE_ERR_APP_DEPLOY_FAILED: { message: 'app deploy failed: %s', status: 500, alink: ALINK.APP_DEPLOY_FAILED },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

export class EdgeError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly alink: number;

  constructor(code: ErrorCode, args: readonly unknown[] = [], options?: { cause?: unknown }) {
    const spec: ErrorSpec = ERRORS[code];
    super(formatMessage(spec.message, args), options);
    this.name = 'EdgeError';
    this.code = code;
    this.status = spec.status;
    this.alink = spec.alink;
  }
}

export function edgeError(code: ErrorCode, ...args: unknown[]): EdgeError {
  return new EdgeError(code, args);
}

export function answerOf(err: unknown): Answer {
  if (err instanceof EdgeError) return { code: err.alink, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { code: ERRORS.EDGE_ERR_INTERNAL.alink, message };
}
