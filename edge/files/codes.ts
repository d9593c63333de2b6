/**
 * The file service's answers. The seed gives the success shape only: `{code: 200, message:
 * "success", data}` with `message` the error text and `localizedMsg` the error in the local
 * language on failure [seed 001 L31139-31163, L39774-39778]. For failures we use the platform
 * API's own codes [seed 001 L46941-47140; digest 001g §3.10]: 460 request parameter error, 404
 * not found, 429 too many requests, 500 system error; and two of our own, named after their HTTP
 * statuses, where the platform has none: 413 file too large, 507 storage full. The HTTP status
 * is the code, except 460 (not an HTTP status), answered as 400.
 */
import { ApiError, PLATFORM_KINDS, type ApiAnswer, type ErrorKind } from '../../protocols/common/json-answers.js';

export type FileAnswer = ApiAnswer & { data?: string };

export type FileErrorKind = 'param' | 'notFound' | 'tooLarge' | 'full' | 'busy' | 'internal';

const KINDS: Record<FileErrorKind, ErrorKind> = {
  ...PLATFORM_KINDS,
  notFound: { code: 404, status: 404, zh: '文件不存在' },
  tooLarge: { code: 413, status: 413, zh: '文件过大' },
};

export class FileServiceError extends ApiError<FileErrorKind> {
  constructor(kind: FileErrorKind, message: string) {
    super(kind, KINDS, message);
    this.name = 'FileServiceError';
  }

  get answer(): FileAnswer {
    return this.answerWith();
  }
}

export const fileError = (kind: FileErrorKind, message: string): FileServiceError => new FileServiceError(kind, message);

export const success = (data?: string): FileAnswer => ({ code: 200, message: 'success', ...(data !== undefined ? { data } : {}) });
