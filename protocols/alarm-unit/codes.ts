/**
 * Result codes of the indoor alarm unit protocol (室内安防设备对接边缘服务器, seed 001
 * L40647-41298). Every answer is `{code, message[, data]}` with 0 on success. The seed refers to
 * an error code table (L40831, L40913, L41026, L41136, L41250) that is not in it (digest A1), so
 * the non-zero codes are ours: they reuse the numbers of the sibling door standard protocol from
 * the same documentation set (4 token invalid = reconnect, 5 parameter error, 7 device illegal,
 * 99 other), so a vendor who implemented both sees the same meaning, and add 6 for a ciphertext
 * that does not decrypt.
 */
export const AlarmCode = {
  SUCCESS: 0,
  /** The token is unknown or expired: the unit must connect again (L40880-40884). */
  TOKEN_INVALID: 4,
  /** A field is missing, of the wrong type or out of range, or the body is not JSON. */
  PARAM_ERROR: 5,
  /** `ciphertext` does not decrypt with the connection's key (or the RSA key block is not one). */
  DECRYPT_ERROR: 6,
  /** The source address is not a configured unit (L40719). */
  DEVICE_ILLEGAL: 7,
  /** Rate or size refused by the box's listener, unknown path, unit not reachable. */
  OTHER: 99,
} as const;

export type AlarmCodeValue = (typeof AlarmCode)[keyof typeof AlarmCode];

export const ALARM_CODE_MESSAGES: Readonly<Record<AlarmCodeValue, string>> = {
  0: 'success',
  4: 'token invalid',
  5: 'parameter error',
  6: 'decrypt error',
  7: 'device is illegal',
  99: 'other error',
};

export interface AlarmReply<T = unknown> {
  code: number;
  message: string;
  data?: T;
}

export function success<T>(data?: T): AlarmReply<T> {
  return data === undefined ? { code: 0, message: 'success' } : { code: 0, message: 'success', data };
}

export function failure(code: AlarmCodeValue, detail?: string): AlarmReply<never> {
  const base = ALARM_CODE_MESSAGES[code];
  return { code, message: detail ? `${base}: ${detail}` : base };
}

/** A refusal raised by a handler; the server answers it. */
export class AlarmProtocolError extends Error {
  readonly code: AlarmCodeValue;
  readonly detail: string | undefined;
  constructor(code: AlarmCodeValue, detail?: string) {
    super(detail ? `${ALARM_CODE_MESSAGES[code]}: ${detail}` : ALARM_CODE_MESSAGES[code]);
    this.name = 'AlarmProtocolError';
    this.code = code;
    this.detail = detail;
  }
}

/** `/alarm/ping`'s fixed answer (L40695-40705): exactly these two keys. */
export const PONG = { code: 0, message: 'pong' } as const;
