/**
 * The file service's requests, behind the shared hostile-input listener
 * (protocols/common/http-listener.ts): add (upload), delete, and the downloads under `/oss/`.
 * Every answer that is not a file is the service's JSON (./codes.ts); an error never leaves a
 * request unanswered and never reaches the daemon.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, readBody } from '../../protocols/common/body.js';
import type { Logger } from '../log.js';
import { answeringHandler, sendAnswer } from '../../protocols/common/json-answers.js';
import { fileError, FileServiceError, success } from './codes.js';
import { serveFile } from './download.js';
import { checkFilePath } from './paths.js';
import type { FileStore } from './store.js';
import { diskError, receiveUpload, type UploadOptions } from './upload.js';

export const ADD_PATH = '/home/paas/file/add';
export const DELETE_PATH = '/home/paas/file/delete';

export interface RouteDeps {
  store: FileStore;
  options: UploadOptions & { maxBodyBytes: number };
  /** The download URL of a stored file. */
  urlOf(filePath: string): string;
  log: Logger;
}

async function add(req: IncomingMessage, res: ServerResponse, d: RouteDeps): Promise<void> {
  const stored = await receiveUpload(req, d.store, d.options);
  d.log.debug({ size: stored.size, expiresMs: stored.expiresMs }, 'file stored');
  sendAnswer(res, 200, success(d.urlOf(stored.path)));
}

/** `{"filePath": "aaa/bbb/ccc.jpg"}` [seed 001 L39787-39821]; the body is read as JSON whatever its Content-Type. */
async function remove(req: IncomingMessage, res: ServerResponse, d: RouteDeps): Promise<void> {
  let body: unknown;
  try {
    body = JSON.parse((await readBody(req, d.options.maxBodyBytes)).toString('utf8'));
  } catch (err) {
    if (err instanceof BodyTooLargeError) throw fileError('param', `body larger than ${err.limit} bytes`);
    throw fileError('param', 'the body is not JSON');
  }
  const raw = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).filePath : undefined;
  const filePath = checkFilePath(raw);
  if (!d.store.remove(filePath)) throw fileError('notFound', 'file not found');
  sendAnswer(res, 200, success());
}

async function route(req: IncomingMessage, res: ServerResponse, d: RouteDeps): Promise<void> {
  const pathname = (req.url ?? '/').split('?')[0] ?? '/';
  if (pathname.startsWith('/oss/')) {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw fileError('notFound', `${req.method} is not served on /oss/`);
    return serveFile(req, res, d.store, pathname);
  }
  if (req.method === 'POST' && pathname === ADD_PATH) return add(req, res, d);
  if (req.method === 'POST' && pathname === DELETE_PATH) return remove(req, res, d);
  throw fileError('notFound', 'no such endpoint');
}

export function fileRequestHandler(d: RouteDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return answeringHandler(
    () => undefined,
    (req, res) => route(req, res, d),
    (err, req) => {
      const e = err instanceof FileServiceError ? err : diskError(err);
      // File paths may name people or plates: they stay out of the log.
      if (e.kind === 'internal') d.log.warn({ err: (err as Error).message, method: req.method }, 'file request failed');
      return { status: e.status, answer: e.answer };
    },
  );
}
