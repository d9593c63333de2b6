/**
 * The provider side of a service model: the box's service bus forwards
 * `POST /<serviceModelId>/<method>` unchanged to the app's `provides` port, with the envelope
 * `{"id","version":"1.0","request":{"apiVer"},"params":{…}}` as JSON or as octet-stream
 * (seed 001 L33952-33968, R6, R7). This helper checks the envelope, finds the method, and writes
 * the handler's `{code, message, data}` answer. An envelope that is not one — not JSON, no
 * `params` object — is answered `460 request parameter error.` before any handler runs; each
 * handler checks its own params with its service model's codes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, parseJson, readBody } from './http-body.js';
import { JsonServer, sendJson as send } from './json-server.js';

export interface ServiceAnswer {
  code: number;
  message: string | null;
  data?: unknown;
  localizedMsg?: string;
}

export interface ServiceEnvelope {
  id: string;
  version: string;
  apiVer: string | undefined;
  params: Record<string, unknown>;
}

export type ServiceHandler = (params: Record<string, unknown>, envelope: ServiceEnvelope) => Promise<ServiceAnswer>;

/** Thrown by a handler to answer with a code (its message is sent, so it must hold nothing private). */
export class ServiceError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export const ENVELOPE_ERROR: ServiceAnswer = { code: 460, message: 'request parameter error.', data: null };

export interface ServiceServerOptions {
  serviceModelId: string;
  methods: Record<string, ServiceHandler>;
  /** The answer for a handler that threw something other than a ServiceError. */
  internalError: ServiceAnswer;
  /** Told about every call (path and time, seed L34481) and every handler failure. */
  onCall?: (info: { method: string; code: number; ms: number; err?: unknown }) => void;
  maxBodyBytes?: number;
}

/** The envelope, or undefined when the body is not one. `id` and `version` may be absent (answered anyway). */
export function parseEnvelope(body: unknown): ServiceEnvelope | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  const params = b.params ?? {};
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return undefined;
  if (b.id !== undefined && typeof b.id !== 'string' && typeof b.id !== 'number') return undefined;
  const request = b.request;
  const apiVer = typeof request === 'object' && request !== null ? (request as Record<string, unknown>).apiVer : undefined;
  return {
    id: b.id === undefined ? '' : String(b.id),
    version: typeof b.version === 'string' ? b.version : '',
    apiVer: typeof apiVer === 'string' ? apiVer : undefined,
    params: params as Record<string, unknown>,
  };
}

export class ServiceServer extends JsonServer {
  readonly #o: ServiceServerOptions;

  constructor(options: ServiceServerOptions) {
    super((req, res) => this.handle(req, res));
    this.#o = options;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const path = (req.url ?? '/').split('?')[0]!;
    const prefix = `/${this.#o.serviceModelId}/`;
    const method = path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
    const handler = method !== undefined && Object.hasOwn(this.#o.methods, method) ? this.#o.methods[method] : undefined;
    if (!handler || method === undefined) return send(res, 404, { code: 404, message: 'service method not found', data: null });
    if (req.method !== 'POST') return send(res, 405, { code: 405, message: 'POST only', data: null });
    let bytes: Buffer;
    try {
      bytes = await readBody(req, this.#o.maxBodyBytes ?? 1024 * 1024);
    } catch (err) {
      if (err instanceof BodyTooLargeError) return send(res, 413, ENVELOPE_ERROR);
      return;
    }
    const envelope = parseEnvelope(parseJson(bytes));
    if (!envelope) {
      this.#o.onCall?.({ method, code: ENVELOPE_ERROR.code, ms: Date.now() - started });
      return send(res, 200, ENVELOPE_ERROR);
    }
    let answer: ServiceAnswer;
    let failure: unknown;
    try {
      answer = await handler(envelope.params, envelope);
    } catch (err) {
      failure = err instanceof ServiceError ? undefined : err;
      answer = err instanceof ServiceError ? { code: err.code, message: err.message, data: null } : this.#o.internalError;
    }
    this.#o.onCall?.({ method, code: answer.code, ms: Date.now() - started, ...(failure ? { err: failure } : {}) });
    send(res, 200, answer);
  }
}
