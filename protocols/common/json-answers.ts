/**
 * The box's own HTTP APIs in the Alibaba IoT API style (the file service, the data-model API):
 * answers `{code, message, localizedMsg, id?, data?}`, errors from a table of kinds (code, HTTP
 * status, Chinese text), and one way to send an answer and to turn whatever a route threw into
 * one. The platform's codes [seed 001 L46941-47200; digest 001g §3.10] are shared; each API adds
 * its own kinds. The HTTP status is the code, except 460 (not an HTTP status), sent as 400.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface ApiAnswer {
  code: number;
  message: string;
  localizedMsg?: string;
  id?: string;
  data?: unknown;
}

/** An error's answer: no data. */
export type ErrorAnswer = Omit<ApiAnswer, 'data'> & { localizedMsg: string };

export interface ErrorKind {
  code: number;
  status: number;
  /** The error in the local language, for `localizedMsg`. */
  zh: string;
}

/** The platform API's codes both services answer with. */
export const PLATFORM_KINDS = {
  param: { code: 460, status: 400, zh: '请求参数错误' },
  busy: { code: 429, status: 429, zh: '太多请求' },
  internal: { code: 500, status: 500, zh: '系统错误' },
  // Ours, named after their HTTP statuses, where the platform has none.
  tooLarge: { code: 413, status: 413, zh: '请求过大' },
  full: { code: 507, status: 507, zh: '存储空间已满' },
} as const satisfies Record<string, ErrorKind>;

/** An error answered in the API's shape; `kind` picks its row of the API's table. */
export class ApiError<K extends string> extends Error {
  readonly code: number;
  readonly status: number;
  readonly localizedMsg: string;

  constructor(
    readonly kind: K,
    kinds: Readonly<Record<K, ErrorKind>>,
    message: string,
  ) {
    super(message);
    const k = kinds[kind];
    this.code = k.code;
    this.status = k.status;
    this.localizedMsg = `${k.zh}: ${message}`;
  }

  answerWith(id?: string): ErrorAnswer {
    return { code: this.code, message: this.message, localizedMsg: this.localizedMsg, ...(id !== undefined ? { id } : {}) };
  }
}

/** Send a JSON answer; `close` ends the connection (a body refused mid-way is not read further). */
export function sendAnswer(res: ServerResponse, status: number, answer: ApiAnswer, close = false): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(answer);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...(close ? { Connection: 'close' } : {}),
  });
  res.end(body);
}

/**
 * A request handler around `route`: whatever it throws is answered, never left unanswered nor
 * passed to the daemon. `answerError` turns a throw into the API's answer (and logs what it must);
 * `ctx` carries what the route learnt of the request (its `id`) to that answer.
 */
export function answeringHandler<C>(
  newContext: () => C,
  route: (req: IncomingMessage, res: ServerResponse, ctx: C) => Promise<void>,
  answerError: (err: unknown, req: IncomingMessage, ctx: C) => { status: number; answer: ApiAnswer },
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const ctx = newContext();
    route(req, res, ctx).catch((err: unknown) => {
      const { status, answer } = answerError(err, req, ctx);
      sendAnswer(res, status, answer, !req.complete);
    });
  };
}
