/**
 * The error catalogue: every failure the runtime reports has a stable code, a message
 * template and the status it maps to at each boundary (HTTP for the console, Alink code for
 * the cloud and the local bus). Boundaries translate codes, they never invent messages.
 */

export interface ErrorSpec {
  readonly message: string;
  /** HTTP status in the console/API. */
  readonly status: number;
  /** Alink `code` on the cloud link and the local bus (200 = success). */
  readonly alink: number;
}

// Alink codes are the platform's public ones where one fits (460 request parameter error,
// 6100101 device not found..., 9200 ... ); see docs/bus-topics.md for the table we use.
export const ERRORS = {
  EDGE_ERR_CONFIG_INVALID: { message: 'configuration invalid: %s', status: 400, alink: 460 },
  EDGE_ERR_CONFIG_READ: { message: 'cannot read configuration file %s: %s', status: 400, alink: 460 },
  EDGE_ERR_DEVICE_UNKNOWN: { message: 'device %s/%s is not configured on this box', status: 404, alink: 6100 },
  EDGE_ERR_DEVICE_OFFLINE: { message: 'device %s/%s is offline', status: 503, alink: 6101 },
  EDGE_ERR_DEVICE_DISABLED: { message: 'device %s/%s is disabled', status: 409, alink: 6102 },
  EDGE_ERR_SERVICE_UNKNOWN: { message: 'service %s is not defined in the thing model of %s', status: 404, alink: 6200 },
  EDGE_ERR_PROPERTY_UNKNOWN: { message: 'property %s is not defined in the thing model of %s', status: 404, alink: 6201 },
  EDGE_ERR_PROPERTY_READONLY: { message: 'property %s of %s is read-only', status: 400, alink: 6202 },
  EDGE_ERR_VALUE_INVALID: { message: 'invalid value for %s: %s', status: 400, alink: 460 },
  EDGE_ERR_REQUEST_INVALID: { message: 'invalid request: %s', status: 400, alink: 460 },
  EDGE_ERR_DRIVER_UNAVAILABLE: { message: 'driver %s is not running (%s)', status: 503, alink: 6300 },
  EDGE_ERR_DRIVER_TIMEOUT: { message: 'driver %s did not answer %s within %d ms', status: 504, alink: 6301 },
  EDGE_ERR_DRIVER_FAILED: { message: 'driver %s failed: %s', status: 502, alink: 6302 },
  EDGE_ERR_DRIVER_NOT_FOUND: { message: 'driver module %s not found', status: 404, alink: 6303 },
  EDGE_ERR_TSL_INVALID: { message: 'thing model %s invalid: %s', status: 400, alink: 460 },
  EDGE_ERR_TSL_MISSING: { message: 'no thing model for product %s', status: 404, alink: 6203 },
  EDGE_ERR_BUSY: { message: 'too many requests: %s', status: 429, alink: 429 },
  EDGE_ERR_INTERNAL: { message: 'internal error: %s', status: 500, alink: 500 },
  EDGE_ERR_CONSOLE_AUTH_REQUIRED: { message: 'log in to the console first', status: 401, alink: 401 },
  EDGE_ERR_CONSOLE_LOGIN_FAILED: { message: 'wrong user name or password', status: 401, alink: 401 },
  EDGE_ERR_CONSOLE_LOCKED: { message: 'too many failed logins; try again in %d s', status: 429, alink: 429 },
  EDGE_ERR_CONSOLE_CSRF: { message: 'request refused: missing or wrong CSRF token', status: 403, alink: 403 },
  EDGE_ERR_CONSOLE_SETUP_REQUIRED: { message: 'the console password has not been set yet', status: 403, alink: 403 },
  EDGE_ERR_CONSOLE_SETUP_TOKEN: { message: 'setup token missing or wrong; use the console URL the daemon printed', status: 403, alink: 403 },
  EDGE_ERR_CONSOLE_SETUP_DONE: { message: 'the console password is already set', status: 409, alink: 409 },
  EDGE_ERR_CONSOLE_PASSWORD_WEAK: { message: 'password refused: %s', status: 400, alink: 460 },
  EDGE_ERR_CONSOLE_BACKUP_INVALID: { message: 'not a valid box backup: %s', status: 400, alink: 460 },
  EDGE_ERR_CONSOLE_SERVICE_MISSING: { message: '%s is not available on this box', status: 501, alink: 501 },
  // Face terminal drivers (docs/face-terminals.md): Alink 6430-6449; the terminal's own code stays in `data`.
  EDGE_ERR_FACE_QUEUED: { message: 'queued for terminal %s; the outcome follows as the commandResult event', status: 202, alink: 6430 },
  EDGE_ERR_FACE_REFUSED: { message: 'terminal refused: %s', status: 502, alink: 6431 },
  EDGE_ERR_FACE_OPEN_TIMEOUT: { message: 'terminal %s did not take and confirm the open within %d s', status: 504, alink: 6432 },
  EDGE_ERR_FACE_AUTH: { message: 'terminal refused the password or address: %s', status: 502, alink: 6433 },
  EDGE_ERR_FACE_CLOCK: { message: 'terminal refused the timestamp (clocks more than 5 minutes apart): %s', status: 409, alink: 6434 },
  EDGE_ERR_FACE_NOT_FOUND: { message: 'terminal does not hold it: %s', status: 404, alink: 6435 },
  EDGE_ERR_FACE_BAD_REQUEST: { message: 'terminal refused the request or picture: %s', status: 400, alink: 460 },
  EDGE_ERR_FACE_NOT_SUPPORTED: { message: 'terminal does not support it: %s', status: 501, alink: 6436 },
  EDGE_ERR_FACE_DEVICE_ERROR: { message: 'terminal failed: %s', status: 502, alink: 6437 },
  EDGE_ERR_FACE_FULL: { message: 'terminal face database full: %s', status: 507, alink: 6438 },
  EDGE_ERR_FACE_UNREACHABLE: { message: 'terminal unreachable: %s', status: 503, alink: 6439 },
  EDGE_ERR_FACE_UNKNOWN: { message: 'terminal answered an unknown error: %s', status: 500, alink: 6440 },
  // Host services (edge/host/sdk/host-services.ts): what a driver may ask the host process.
  EDGE_ERR_HOST_SERVICE_UNKNOWN: { message: 'host service %s is not offered by this box', status: 404, alink: 6304 },
  EDGE_ERR_HOST_CALL_INVALID: { message: 'host service %s called with invalid arguments: %s', status: 400, alink: 460 },
  // Access control (docs/access.md).
  EDGE_ERR_STORE_UNAVAILABLE: { message: 'the box database cannot write, so the pass was not recorded (answered busy): %s', status: 503, alink: 6450 },
  EDGE_ERR_DEVICE_NOT_OWNED: { message: 'device %s is not deployed to driver %s', status: 403, alink: 6105 },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

function format(template: string, args: readonly unknown[]): string {
  let i = 0;
  return template.replace(/%[sd]/g, () => (i < args.length ? String(args[i++]) : '?'));
}

export class EdgeError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly alink: number;

  constructor(code: ErrorCode, args: readonly unknown[] = [], options?: { cause?: unknown }) {
    const spec: ErrorSpec = ERRORS[code];
    super(format(spec.message, args), options);
    this.name = 'EdgeError';
    this.code = code;
    this.status = spec.status;
    this.alink = spec.alink;
  }
}

export function edgeError(code: ErrorCode, ...args: unknown[]): EdgeError {
  return new EdgeError(code, args);
}

/** The `{code, message, data}` answer shape of the driver contract and the Alink replies. */
export interface Answer<T = unknown> {
  code: number;
  message: string;
  data?: T;
}


export function answerOf(err: unknown): Answer {
  if (err instanceof EdgeError) return { code: err.alink, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { code: ERRORS.EDGE_ERR_INTERNAL.alink, message };
}
