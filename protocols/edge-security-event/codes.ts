/**
 * Result codes of the edge security event API (智能安防服务-边缘事件管理API, seed 001 §4.1
 * L43881-43905). Every answer is `{code, message[, data]}`, 200 on success. The messages are the
 * seed's, byte for byte, misspellings included (`procotol`); 804 carries the failing parameter in
 * the seed's own quoting, `param check error: /'<param>/'`.
 */
export const EseCode = {
  SUCCESS: 200,
  /** The adapter's authentication failed: it must authenticate again (L43887). */
  AUTH_FAILED: 801,
  /** No token, or one the box did not issue (or no longer holds): authenticate again (L43889). */
  NOT_AUTHENTICATED: 802,
  DEVICE_CERTIFICATE: 803,
  /** A parameter is missing or invalid; the message names it (L43893). */
  PARAM_ERROR: 804,
  MEMORY: 805,
  /** The body is not JSON (L43897). */
  JSON_FORMAT: 806,
  /** The camera named is not configured on the box (L43899). */
  DEVICE_NOT_EXIST: 807,
  PROTOCOL_NOT_SUPPORTED: 808,
  /** The vendor is not the adapter's (L43903). */
  MANUFACTURE_ERROR: 809,
  /** The box could not talk to a part of itself (storage), or to the adapter. */
  COMMUNICATION: 810,
} as const;

export type EseCodeValue = (typeof EseCode)[keyof typeof EseCode];

export const ESE_MESSAGES: Readonly<Record<EseCodeValue, string>> = {
  200: 'success',
  801: 'adapter authentication failed',
  802: 'adapter not authentication',
  803: 'device certificate not exist',
  804: "param check error: /'%s/'",
  805: 'memory exception',
  806: 'json data wrong format',
  807: 'device not exist',
  808: 'procotol not support',
  809: 'manufacture error',
  810: 'abnormal communication',
};

export interface EseReply<T = unknown> {
  code: number;
  message: string;
  data?: T;
}

export function eseSuccess<T>(data?: T): EseReply<T> {
  return data === undefined ? { code: 200, message: 'success' } : { code: 200, message: 'success', data };
}

/** The seed's message for `code`; 804 names `param` in the seed's quoting. */
export function eseMessage(code: EseCodeValue, param?: string): string {
  return code === EseCode.PARAM_ERROR ? ESE_MESSAGES[804].replace('%s', param ?? '') : ESE_MESSAGES[code];
}

export function eseFailure(code: EseCodeValue, param?: string): EseReply<never> {
  return { code, message: eseMessage(code, param) };
}

/** A refusal raised while a request is handled; the server answers it. `param` is 804's parameter. */
export class EseError extends Error {
  readonly code: EseCodeValue;
  readonly param: string | undefined;
  constructor(code: EseCodeValue, param?: string) {
    super(eseMessage(code, param));
    this.name = 'EseError';
    this.code = code;
    this.param = param;
  }
}

/** 804 for `param`. */
export const paramError = (param: string): EseError => new EseError(EseCode.PARAM_ERROR, param);
