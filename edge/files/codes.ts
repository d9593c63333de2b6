/**
 * The file service's answers. The seed gives the success shape only: `{code: 200, message:
 * "success", data}` with `message` the error text and `localizedMsg` the error in the local
 * language on failure [seed 001 L31139-31163, L39774-39778]. For failures we use the platform
 * API's own codes [seed 001 L46941-47140; digest 001g §3.10]: 460 request parameter error, 404
 * not found, 429 too many requests, 500 system error; and two of our own, named after their HTTP
 * statuses, where the platform has none: 413 file too large, 507 storage full. The HTTP status
 * is the code, except 460 (not an HTTP status), answered as 400.
 */
export interface FileAnswer {
  code: number;
  message: string;
  localizedMsg?: string;
  data?: string;
}

export type FileErrorKind = 'param' | 'notFound' | 'tooLarge' | 'full' | 'busy' | 'internal';

const KINDS: Record<FileErrorKind, { code: number; status: number; zh: string }> = {
  param: { code: 460, status: 400, zh: '请求参数错误' },
  notFound: { code: 404, status: 404, zh: '文件不存在' },
  tooLarge: { code: 413, status: 413, zh: '文件过大' },
  full: { code: 507, status: 507, zh: '存储空间已满' },
  busy: { code: 429, status: 429, zh: '太多请求' },
  internal: { code: 500, status: 500, zh: '系统错误' },
};

export class FileServiceError extends Error {
  readonly code: number;
  readonly status: number;
  readonly localizedMsg: string;

  constructor(
    readonly kind: FileErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'FileServiceError';
    const k = KINDS[kind];
    this.code = k.code;
    this.status = k.status;
    this.localizedMsg = `${k.zh}: ${message}`;
  }

  get answer(): FileAnswer {
    return { code: this.code, message: this.message, localizedMsg: this.localizedMsg };
  }
}

export const fileError = (kind: FileErrorKind, message: string): FileServiceError => new FileServiceError(kind, message);

export const success = (data?: string): FileAnswer => ({ code: 200, message: 'success', ...(data !== undefined ? { data } : {}) });
