/** API error codes of the face-terminal OpenAPI (seed 004 §7, L101-123) and what each means for a caller. */
export const OpenApiCode = {
  OK: 200,
  PASSWORD_NOT_EXIST: 10001,
  PASSWORD_EXPIRED: 10002,
  REQUEST_EXPIRED: 10003,
  IP_INVALID: 10004,
  SIGNATURE_FAILED: 10005,
  USER_NOT_EXISTS: 20001,
  USER_NOT_MATCH: 20002,
  PARAM_INVALID: 30001,
  NO_FACE_DETECTED: 30002,
  MISSING_PARAM: 30003,
  AVATAR_ILLEGAL: 30004,
  NOT_SUPPORT: 40001,
  RPC_FAILED: 50001,
  INTERNAL_ERROR: 50002,
  MULTI_REQUEST_ERROR: 50003,
  METHOD_NOT_ALLOWED: 50004,
  SEARCH_LIST_NULL: 50008,
  DATABASE_FULL: 50009,
  UNKNOWN: 99999,
} as const;

/** What kind of failure a code is, so a driver can answer its caller clearly. */
export type FailureKind =
  | 'auth'
  | 'clock'
  | 'notFound'
  | 'badRequest'
  | 'badImage'
  | 'notSupported'
  | 'deviceError'
  | 'empty'
  | 'full'
  | 'unknown';

export const OPENAPI_ERRORS: Record<number, { message: string; text: string; kind: FailureKind }> = {
  10001: { message: 'Password Not Exist', text: 'Password 不存在', kind: 'auth' },
  10002: { message: 'Password Expired', text: 'Password 已过期', kind: 'auth' },
  10003: { message: 'Request Expired', text: '请求过期', kind: 'clock' },
  10004: { message: 'IP Invalid', text: 'IP 地址不在白名单', kind: 'auth' },
  10005: { message: 'Signature Failed', text: '签名无效', kind: 'auth' },
  20001: { message: 'User Not Exists', text: '人员不存在', kind: 'notFound' },
  20002: { message: 'User Not Match', text: '人员不匹配', kind: 'notFound' },
  30001: { message: 'Param Invalid', text: '参数不合法', kind: 'badRequest' },
  30002: { message: 'No Face Detected In The Image', text: '图片中未检测到人脸', kind: 'badImage' },
  30003: { message: 'Missing Param', text: '缺失参数', kind: 'badRequest' },
  30004: { message: 'Avatar File Illegal', text: '图片格式不合格', kind: 'badImage' },
  40001: { message: 'Not Support', text: '不支持', kind: 'notSupported' },
  50001: { message: 'RPC Failed', text: '服务器同步服务出错，时间戳非法', kind: 'clock' },
  50002: { message: 'Internal Server Error', text: '服务器内部错误', kind: 'deviceError' },
  50003: { message: 'Multi Request Error', text: '批处理请求出错', kind: 'deviceError' },
  50004: { message: 'Request Method Not Allowed', text: '请求方法无效', kind: 'badRequest' },
  50008: { message: 'Search List Null', text: '搜索记录为空', kind: 'empty' },
  50009: { message: 'Database Full', text: '人脸数据库已满', kind: 'full' },
  99999: { message: 'Unknown Error', text: '未知错误', kind: 'unknown' },
};

export class OpenApiError extends Error {
  readonly code: number;
  readonly kind: FailureKind;
  readonly desc: string;
  constructor(code: number, message: string, desc = '') {
    const known = OPENAPI_ERRORS[code];
    super(`${code} ${message || known?.message || 'error'}${desc ? ` (${desc})` : ''}${known ? ` — ${known.text}` : ''}`);
    this.code = code;
    this.kind = known?.kind ?? 'unknown';
    this.desc = desc;
  }
}

/** The device's error body for `code` (the shape of L238-241). */
export function errorBody(code: number, desc = ''): { code: number; message: string; desc: string } {
  return { code, message: OPENAPI_ERRORS[code]?.message ?? 'Unknown Error', desc };
}
