/**
 * The data-model API's answers, in the Alibaba IoT API style the apps' SDK expects:
 * `{code, message, localizedMsg, id, data}` with `code` 200 on success. Error codes are the
 * platform API's [seed 001 L46941-47200; digest 001g §3.10] where it has one: 460 request
 * parameter error ("request parameter error."), 403 forbidden (the app is not granted the model),
 * 404 not found, 429 too many requests, 500 system error; 401 (authentication: the APPSIGN
 * signature, its timestamp, nonce or Content-MD5), 413 (body or file too large), 501 (the file
 * service is not running, so uploads are not supported) and 507 (storage full) are ours, named
 * after their HTTP statuses. The HTTP status is the code, except 460 (not an HTTP status), sent
 * as 400.
 */
export interface DataModelAnswer {
  code: number;
  message: string;
  localizedMsg?: string;
  id?: string;
  data?: unknown;
}

export type DataModelErrorKind = 'param' | 'auth' | 'forbidden' | 'notFound' | 'tooLarge' | 'busy' | 'unsupported' | 'full' | 'internal';

const KINDS: Record<DataModelErrorKind, { code: number; status: number; zh: string }> = {
  param: { code: 460, status: 400, zh: '请求参数错误' },
  auth: { code: 401, status: 401, zh: '签名校验失败' },
  forbidden: { code: 403, status: 403, zh: '请求被禁止' },
  notFound: { code: 404, status: 404, zh: '资源不存在' },
  tooLarge: { code: 413, status: 413, zh: '请求过大' },
  busy: { code: 429, status: 429, zh: '太多请求' },
  unsupported: { code: 501, status: 501, zh: '功能不支持' },
  full: { code: 507, status: 507, zh: '存储空间已满' },
  internal: { code: 500, status: 500, zh: '系统错误' },
};

export class DataModelError extends Error {
  readonly code: number;
  readonly status: number;

  constructor(
    readonly kind: DataModelErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'DataModelError';
    this.code = KINDS[kind].code;
    this.status = KINDS[kind].status;
  }

  answer(id?: string): DataModelAnswer {
    return {
      code: this.code,
      message: this.message,
      localizedMsg: `${KINDS[this.kind].zh}: ${this.message}`,
      ...(id !== undefined ? { id } : {}),
    };
  }
}

export const dmError = (kind: DataModelErrorKind, message: string): DataModelError => new DataModelError(kind, message);

export const success = (id: string | undefined, data: unknown): DataModelAnswer => ({
  code: 200,
  message: 'success',
  ...(id !== undefined ? { id } : {}),
  data,
});
