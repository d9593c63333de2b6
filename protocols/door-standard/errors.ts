/**
 * Result codes of the door all-in-one standard protocol (appendix, seed 001 L37787-37807).
 * Every response in both directions is `{code, message[, data]}` with code 0 on success.
 */
export const DoorCode = {
  SUCCESS: 0,
  /** 识别认证错误: face or QR authentication failed. */
  AUTH_FAILED: 1,
  /** token失效 "device is offline": reconnect and get a new token. */
  TOKEN_INVALID: 4,
  /** 参数错误 (also "invalid face photo content" in 3.4, L35858). */
  PARAM_ERROR: 5,
  /** 签名校验错误 "verify sign error". */
  SIGN_ERROR: 6,
  /** 设备ip地址未配置 "device is illegal". */
  DEVICE_ILLEGAL: 7,
  /** 其他错误. */
  OTHER: 99,
} as const;

export type DoorCodeValue = (typeof DoorCode)[keyof typeof DoorCode];

/** The appendix's own message texts where it gives English ones (L37795-37805). */
export const DOOR_CODE_MESSAGES: Readonly<Record<DoorCodeValue, string>> = {
  0: 'success',
  1: 'authentication failed',
  4: 'device is offline',
  5: 'parameter error',
  6: 'verify sign error',
  7: 'device is illegal',
  99: 'other error',
};

/** The body every response carries. Extra top-level keys exist (getGroupId's `groupId`, L36339). */
export interface DoorReply<T = unknown> {
  code: number;
  message: string;
  data?: T;
  [extra: string]: unknown;
}

export function success<T>(data?: T, extra: Record<string, unknown> = {}): DoorReply<T> {
  return data === undefined ? { code: 0, message: 'success', ...extra } : { code: 0, message: 'success', data, ...extra };
}

export function failure(code: DoorCodeValue, detail?: string): DoorReply<never> {
  const base = DOOR_CODE_MESSAGES[code];
  return { code, message: detail ? `${base}: ${detail}` : base };
}

/** A failure raised inside a handler; the server turns it into its reply. */
export class DoorProtocolError extends Error {
  readonly code: DoorCodeValue;
  constructor(code: DoorCodeValue, detail?: string) {
    super(detail ? `${DOOR_CODE_MESSAGES[code]}: ${detail}` : DOOR_CODE_MESSAGES[code]);
    this.name = 'DoorProtocolError';
    this.code = code;
  }
}

/** Raised by a client when the peer answered with a non-zero code. */
export class DoorReplyError extends Error {
  readonly code: number;
  readonly path: string;
  constructor(path: string, code: number, message: string) {
    super(`${path} answered code ${code}: ${message}`);
    this.name = 'DoorReplyError';
    this.code = code;
    this.path = path;
  }
}
