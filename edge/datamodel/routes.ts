/**
 * The data-model API's requests behind the shared hostile-input listener
 * (protocols/common/http-listener.ts): the three signed POSTs and the upload URLs. Every answer is
 * the platform's JSON (./codes.ts) with the request's `id`; no input can leave a request
 * unanswered or reach the daemon as an exception.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, readBody, RequestAbortedError } from '../../protocols/common/body.js';
import type { Logger } from '../log.js';
import { isStorageFailure } from '../store/write-health.js';
import { answeringHandler, sendAnswer } from '../../protocols/common/json-answers.js';
import { DataModelError, dmError, success } from './codes.js';
import { mayWrite, type AppCredentials, type AppCredentialsLookup } from './credentials.js';
import { checkEnvelope, parseJson, requestIdOf, type Envelope } from './envelope.js';
import { checkModelId } from './properties.js';
import { checkSignatureHeaders, headerMap, verifySignature, type NonceCache } from './signature.js';
import { FILE_PREFIX } from './uploads.js';

export const INSERT_PATH = '/data/model/data/insert';
export const QUERY_PATH = '/data/model/data/query';
export const UPLOAD_PATH = '/data/model/data/upload';

/** What the routes need of the service. */
export interface DataModelApi {
  insert(app: string, modelId: string, properties: unknown): { dataId: number };
  query(c: AppCredentials, params: Record<string, unknown>): unknown;
  upload(c: AppCredentials, params: Record<string, unknown>): { fileName: string; url: string };
  putFile(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void>;
  getFile(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void>;
}

export interface RouteDeps {
  api: DataModelApi;
  credentials: AppCredentialsLookup;
  nonces: NonceCache;
  maxBodyBytes: number;
  now(): number;
  startedAt: number;
  log: Logger;
}

async function signedCall(req: IncomingMessage, res: ServerResponse, d: RouteDeps, pathname: string, ctx: { id?: string }): Promise<void> {
  const headers = headerMap(req.headers);
  checkSignatureHeaders(headers, d.now(), d.startedAt); // an unsigned request is not read further
  let body: Buffer;
  try {
    body = await readBody(req, d.maxBodyBytes);
  } catch (err) {
    if (err instanceof BodyTooLargeError) throw dmError('tooLarge', `body larger than ${err.limit} bytes`);
    if (err instanceof RequestAbortedError) throw dmError('param', 'the request ended before its body did');
    throw err;
  }
  const appKey = verifySignature({ method: req.method ?? 'POST', url: req.url ?? pathname, headers }, body, {
    secretOf: (k) => d.credentials(k)?.appSecret,
    nonces: d.nonces,
    now: d.now(),
    notBefore: d.startedAt,
  });
  const creds = d.credentials(appKey);
  if (!creds) throw dmError('auth', 'Invalid Signature');
  const json = parseJson(body);
  const rid = requestIdOf(json);
  if (rid !== undefined) ctx.id = rid;
  const env: Envelope = checkEnvelope(json);
  const p = env.params;
  let data: unknown;
  if (pathname === INSERT_PATH) {
    const modelId = checkModelId(p.modelId);
    if (!mayWrite(creds, modelId)) throw dmError('forbidden', `request forbidden.: app ${creds.app} may not write ${modelId}`);
    data = d.api.insert(creds.app, modelId, p.properties).dataId;
  } else if (pathname === QUERY_PATH) {
    data = d.api.query(creds, p);
  } else {
    if (p.modelId !== undefined) {
      const modelId = checkModelId(p.modelId);
      if (!mayWrite(creds, modelId)) throw dmError('forbidden', `request forbidden.: app ${creds.app} may not write ${modelId}`);
    }
    data = d.api.upload(creds, p);
  }
  sendAnswer(res, 200, success(env.id, data));
}

async function route(req: IncomingMessage, res: ServerResponse, d: RouteDeps, ctx: { id?: string }): Promise<void> {
  const pathname = (req.url ?? '/').split('?')[0] ?? '/';
  if (pathname.startsWith(FILE_PREFIX)) {
    if (req.method === 'PUT') return d.api.putFile(req, res, pathname);
    if (req.method === 'GET' || req.method === 'HEAD') return d.api.getFile(req, res, pathname);
    throw dmError('notFound', `${req.method} is not served on ${FILE_PREFIX}`);
  }
  if (req.method === 'POST' && (pathname === INSERT_PATH || pathname === QUERY_PATH || pathname === UPLOAD_PATH))
    return signedCall(req, res, d, pathname, ctx);
  throw dmError('notFound', 'no such API');
}

export function dataModelRequestHandler(d: RouteDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return answeringHandler(
    (): { id?: string } => ({}),
    (req, res, ctx) => route(req, res, d, ctx),
    (err, req, ctx) => {
      let e: DataModelError;
      if (err instanceof DataModelError) e = err;
      else if (isStorageFailure(err)) e = dmError('full', 'the box cannot store the record now (disk full or failing)');
      else {
        e = dmError('internal', 'System Error');
        // Properties may name people or plates: only the error's text is logged.
        d.log.warn({ err: (err as Error).message, method: req.method }, 'data-model request failed');
      }
      return { status: e.status, answer: e.answer(ctx.id) };
    },
  );
}
