/**
 * Answers on the driver wire: the `{code, message, data}` shape, the Alink answer codes, and the
 * catalogue entries a driver answers with. It lives in the SDK, not in edge/errors.ts, so a
 * driver (ours or a third party's) gets every code it may send from here and nowhere else; the
 * box's catalogue (edge/errors.ts) is built on this module, so a code is written once.
 */

/** The `{code, message, data}` answer shape of the driver contract and the Alink replies. */
export interface Answer<T = unknown> {
  code: number;
  message: string;
  data?: T;
}

/** One catalogue entry: what a failure says and the code it has at each boundary. */
export interface ErrorSpec {
  readonly message: string;
  /** HTTP status in the console/API. */
  readonly status: number;
  /** Alink `code` on the cloud link and the local bus (200 = success). */
  readonly alink: number;
}

// Every Alink answer code the box uses. The platform's public ones where one fits (200, 460
// request parameter error, ...); 6100-6459 are ours. docs/bus-topics.md has the table.
export const ALINK = {
  SUCCESS: 200,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  CONFLICT: 409,
  BUSY: 429,
  REQUEST_INVALID: 460,
  /** The platform's answer to a sub-device message without a session: log it in again. */
  SUBDEVICE_NO_SESSION: 520,
  INTERNAL: 500,
  NOT_IMPLEMENTED: 501,
  DEVICE_UNKNOWN: 6100,
  DEVICE_OFFLINE: 6101,
  DEVICE_DISABLED: 6102,
  /** A host-service call names a device of another driver. */
  DEVICE_NOT_OWNED: 6105,
  SERVICE_UNKNOWN: 6200,
  PROPERTY_UNKNOWN: 6201,
  PROPERTY_READONLY: 6202,
  TSL_MISSING: 6203,
  DRIVER_UNAVAILABLE: 6300,
  DRIVER_TIMEOUT: 6301,
  DRIVER_FAILED: 6302,
  DRIVER_NOT_FOUND: 6303,
  HOST_SERVICE_UNKNOWN: 6304,
  DRIVER_NO_DISCOVERY: 6305,
  // Face terminal drivers (docs/face-terminals.md): 6430-6449; the terminal's own code stays in `data`.
  FACE_QUEUED: 6430,
  FACE_REFUSED: 6431,
  FACE_OPEN_TIMEOUT: 6432,
  FACE_AUTH: 6433,
  FACE_CLOCK: 6434,
  FACE_NOT_FOUND: 6435,
  FACE_NOT_SUPPORTED: 6436,
  FACE_DEVICE_ERROR: 6437,
  FACE_FULL: 6438,
  FACE_UNREACHABLE: 6439,
  FACE_UNKNOWN: 6440,
  // Access control (docs/access.md): 6450-6459.
  /** The box database cannot write: the pass was not recorded, the device is answered busy. */
  STORE_UNAVAILABLE: 6450,
  // Elevator linkage (docs/elevators.md): 6460-6469.
  /** No linkage relation (or user entry) with that key. */
  ELEVATOR_NOT_FOUND: 6460,
  // Perimeter alarm hosts (docs/security-devices.md): 6470-6479.
  /** The host's reporting protocol (SIA DC-09) has no way to carry the request to the host. */
  ALARM_HOST_UNSUPPORTED: 6470,
  // Hosted apps and the service bus (docs/apps.md): 6480-6489.
  APP_MODEL_UNKNOWN: 6480,
  APP_METHOD_UNKNOWN: 6481,
  APP_DOWN: 6482,
  APP_TIMEOUT: 6483,
  APP_BODY_TOO_LARGE: 6484,
  APP_UNKNOWN: 6485,
  APP_PACKAGE_INVALID: 6486,
  APP_DEPLOY_FAILED: 6487,
  // EBA alarm rules (docs/rules.md): the alarm open API's own code (seed 001 L29890, L30327).
  /** "No access to alarm rule": the rule id is not on this box. */
  ALARM_RULE_NO_ACCESS: 28420,
} as const;

/** The catalogue entries a driver (or the SDK's process entry) answers with; edge/errors.ts includes them all. */
export const DRIVER_ERRORS = {
  EDGE_ERR_REQUEST_INVALID: { message: 'invalid request: %s', status: 400, alink: ALINK.REQUEST_INVALID },
  EDGE_ERR_INTERNAL: { message: 'internal error: %s', status: 500, alink: ALINK.INTERNAL },
  EDGE_ERR_DEVICE_UNKNOWN: { message: 'device %s/%s is not configured on this box', status: 404, alink: ALINK.DEVICE_UNKNOWN },
  EDGE_ERR_DEVICE_OFFLINE: { message: 'device %s/%s is offline', status: 503, alink: ALINK.DEVICE_OFFLINE },
  EDGE_ERR_SERVICE_UNKNOWN: { message: 'service %s is not defined in the thing model of %s', status: 404, alink: ALINK.SERVICE_UNKNOWN },
  EDGE_ERR_PROPERTY_READONLY: { message: 'property %s of %s is read-only', status: 400, alink: ALINK.PROPERTY_READONLY },
  EDGE_ERR_DRIVER_UNAVAILABLE: { message: 'driver %s is not running (%s)', status: 503, alink: ALINK.DRIVER_UNAVAILABLE },
  EDGE_ERR_DRIVER_FAILED: { message: 'driver %s failed: %s', status: 502, alink: ALINK.DRIVER_FAILED },
  EDGE_ERR_DRIVER_NO_DISCOVERY: { message: 'driver %s has no discovery', status: 501, alink: ALINK.DRIVER_NO_DISCOVERY },
  EDGE_ERR_HOST_SERVICE_UNKNOWN: { message: 'host service %s not registered', status: 404, alink: ALINK.HOST_SERVICE_UNKNOWN },
  EDGE_ERR_FACE_QUEUED: {
    message: 'queued for terminal %s; the outcome follows as the commandResult event',
    status: 202,
    alink: ALINK.FACE_QUEUED,
  },
  EDGE_ERR_FACE_REFUSED: { message: 'terminal refused: %s', status: 502, alink: ALINK.FACE_REFUSED },
  EDGE_ERR_FACE_OPEN_TIMEOUT: {
    message: 'terminal %s did not take and confirm the open within %d s',
    status: 504,
    alink: ALINK.FACE_OPEN_TIMEOUT,
  },
  EDGE_ERR_FACE_AUTH: { message: 'terminal refused the password or address: %s', status: 502, alink: ALINK.FACE_AUTH },
  EDGE_ERR_FACE_CLOCK: {
    message: 'terminal refused the timestamp (clocks more than 5 minutes apart): %s',
    status: 409,
    alink: ALINK.FACE_CLOCK,
  },
  EDGE_ERR_FACE_NOT_FOUND: { message: 'terminal does not hold it: %s', status: 404, alink: ALINK.FACE_NOT_FOUND },
  EDGE_ERR_FACE_BAD_REQUEST: { message: 'terminal refused the request or picture: %s', status: 400, alink: ALINK.REQUEST_INVALID },
  EDGE_ERR_FACE_NOT_SUPPORTED: { message: 'terminal does not support it: %s', status: 501, alink: ALINK.FACE_NOT_SUPPORTED },
  EDGE_ERR_FACE_DEVICE_ERROR: { message: 'terminal failed: %s', status: 502, alink: ALINK.FACE_DEVICE_ERROR },
  EDGE_ERR_FACE_FULL: { message: 'terminal face database full: %s', status: 507, alink: ALINK.FACE_FULL },
  EDGE_ERR_FACE_UNREACHABLE: { message: 'terminal unreachable: %s', status: 503, alink: ALINK.FACE_UNREACHABLE },
  EDGE_ERR_FACE_UNKNOWN: { message: 'terminal answered an unknown error: %s', status: 500, alink: ALINK.FACE_UNKNOWN },
  EDGE_ERR_ALARM_HOST_UNSUPPORTED: {
    message: "%s is not supported by this host's protocol (%s)",
    status: 501,
    alink: ALINK.ALARM_HOST_UNSUPPORTED,
  },
} as const satisfies Record<string, ErrorSpec>;

export type DriverErrorCode = keyof typeof DRIVER_ERRORS;

/** Fill a catalogue template: `%s` and `%d` in order; a missing argument shows as `?`. */
export function formatMessage(template: string, args: readonly unknown[]): string {
  let i = 0;
  return template.replace(/%[sd]/g, () => (i < args.length ? String(args[i++]) : '?'));
}

/** Success answer helper. */
export function ok<T>(data?: T): Answer<T> {
  return data === undefined ? { code: ALINK.SUCCESS, message: 'success' } : { code: ALINK.SUCCESS, message: 'success', data };
}

/**
 * A failure answer: a catalogue entry's code with the sender's own message (the template is for
 * callers that have nothing more specific to say: `fail(spec, formatMessage(spec.message, args))`).
 */
export function fail<T = never>(spec: Pick<ErrorSpec, 'alink'>, message: string, data?: T): Answer<T> {
  return data === undefined ? { code: spec.alink, message } : { code: spec.alink, message, data };
}

/** Whether an answer (or a reply that may not have come) is a success; narrows away the missing reply. */
export function succeeded<T extends Pick<Answer, 'code'>>(a: T | undefined): a is T & { code: typeof ALINK.SUCCESS } {
  return a?.code === ALINK.SUCCESS;
}
