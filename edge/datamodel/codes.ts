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
import { ApiError, PLATFORM_KINDS, type ApiAnswer, type ErrorKind } from '../../protocols/common/json-answers.js';

export type DataModelAnswer = ApiAnswer;

export type DataModelErrorKind = 'param' | 'auth' | 'forbidden' | 'notFound' | 'tooLarge' | 'busy' | 'unsupported' | 'full' | 'internal';

const KINDS: Record<DataModelErrorKind, ErrorKind> = {
  ...PLATFORM_KINDS,
  auth: { code: 401, status: 401, zh: '签名校验失败' },
  forbidden: { code: 403, status: 403, zh: '请求被禁止' },
  notFound: { code: 404, status: 404, zh: '资源不存在' },
  unsupported: { code: 501, status: 501, zh: '功能不支持' },
};

export class DataModelError extends ApiError<DataModelErrorKind> {
  constructor(kind: DataModelErrorKind, message: string) {
    super(kind, KINDS, message);
    this.name = 'DataModelError';
  }

  answer(id?: string): DataModelAnswer {
    return this.answerWith(id);
  }
}

export const dmError = (kind: DataModelErrorKind, message: string): DataModelError => new DataModelError(kind, message);

export const success = (id: string | undefined, data: unknown): DataModelAnswer => ({
  code: 200,
  message: 'success',
  ...(id !== undefined ? { id } : {}),
  data,
});
