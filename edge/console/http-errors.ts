/**
 * How console API errors look on the wire: `{ error: { code, message, problems? } }` with the
 * catalogue's HTTP status. The UI translates `code` into the user's language.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { EdgeError, edgeError, type ErrorCode } from '../errors.js';
import { ConfigError } from '../config/load.js';
import type { Logger } from '../log.js';

export interface ApiError {
  code: string;
  message: string;
  problems?: unknown[];
  retryAfterS?: number;
}

export function fail(reply: FastifyReply, code: ErrorCode, ...args: unknown[]): FastifyReply {
  return failWith(reply, code, {}, ...args);
}

/** `fail` with the optional fields (problems, retryAfterS) the UI acts on. */
export function failWith(
  reply: FastifyReply,
  code: ErrorCode,
  extra: Pick<ApiError, 'problems' | 'retryAfterS'>,
  ...args: unknown[]
): FastifyReply {
  const err = edgeError(code, ...args);
  return reply.code(err.status).send({ error: { code, message: err.message, ...extra } satisfies ApiError });
}

export function consoleErrorHandler(log: Logger) {
  return function handleConsoleError(err: FastifyError | Error, _req: FastifyRequest, reply: FastifyReply): void {
    if (err instanceof ConfigError) {
      void reply.code(400).send({ error: { code: err.code, message: err.message, problems: err.problems } });
      return;
    }
    if (err instanceof EdgeError) {
      void reply.code(err.status).send({ error: { code: err.code, message: err.message } });
      return;
    }
    const fe = err as FastifyError;
    if (fe.validation || (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500)) {
      // Schema and body-parser refusals: the request was bad, say what and how.
      void reply
        .code(fe.statusCode ?? 400)
        .send({ error: { code: 'EDGE_ERR_REQUEST_INVALID', message: `invalid request: ${fe.message}` } });
      return;
    }
    log.error({ err }, 'console request failed');
    void reply.code(500).send({ error: { code: 'EDGE_ERR_INTERNAL', message: 'internal error' } });
  };
}
