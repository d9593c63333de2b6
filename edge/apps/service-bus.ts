/**
 * The service bus (seed 001 L33952-33968, R6/R18/R47): `POST /<serviceModelId>/<method>` on port
 * 10060 is routed to `http://127.0.0.1:<port>/<serviceModelId>/<method>` of the app that
 * provides the model, body and content type unchanged, and the app's answer is returned
 * unchanged. What the bus itself refuses is answered `{"code","message","id"}` (the Alibaba IoT
 * answer shape) with a matching HTTP status. The cloud's `InvokeServiceModel` uses `invoke`.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import { edgeError, EdgeError } from '../errors.js';
import { acceptedContentType, checkEnvelope } from './envelope.js';

export interface ServiceProvider {
  app: string;
  port: number;
  /** Undefined when it may be called, else why not (its state, its last error). */
  down(): string | undefined;
}

export interface ServiceBusOptions {
  host: string;
  port: number;
  timeoutMs: number;
  maxBodyKb: number;
  maxConcurrent: number;
}

export interface BusAnswer {
  status: number;
  contentType: string;
  body: Buffer;
  /** Whether the bus answered itself (a refusal or failure) or passes on the app's answer. */
  origin: 'bus' | 'app';
}

/** The largest answer taken from an app; a larger one is cut off as an app failure. */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;
const SEGMENT = /^[A-Za-z0-9_.-]{1,128}$/;

export class ServiceBus {
  readonly #o: ServiceBusOptions;
  readonly #provider: (serviceModelId: string) => ServiceProvider | undefined;
  readonly #log: Logger;
  #server: Server | undefined;
  #inFlight = 0;
  port = 0;
  /** Calls answered, by outcome (the console and /metrics). */
  readonly counts = { ok: 0, refused: 0, failed: 0 };

  constructor(deps: { provider: (serviceModelId: string) => ServiceProvider | undefined; log: Logger }, options: ServiceBusOptions) {
    this.#o = options;
    this.#provider = deps.provider;
    this.#log = deps.log;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => void this.#handle(req, res));
    server.requestTimeout = this.#o.timeoutMs + 30_000;
    server.headersTimeout = 10_000;
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#o.port, this.#o.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.#log.error({ err }, 'service bus listener error'));
    this.#server = server;
    this.port = (server.address() as AddressInfo).port;
    this.#log.info({ host: this.#o.host, port: this.port }, 'service bus listening');
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    const closed = new Promise<void>((r) => server.close(() => r()));
    server.closeAllConnections();
    await closed;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const t0 = performance.now();
    let answer: BusAnswer;
    try {
      answer = await this.#route(req);
    } catch (err) {
      answer = errorAnswer(err, undefined);
    }
    if (!res.headersSent) {
      res.writeHead(answer.status, { 'content-type': answer.contentType, 'content-length': answer.body.length });
      res.end(answer.body);
    }
    // The seed's service monitoring shows request path and time (L34481).
    this.#log.debug({ path: req.url, status: answer.status, ms: Math.round(performance.now() - t0) }, 'service call');
  }

  async #route(req: IncomingMessage): Promise<BusAnswer> {
    const [model, method, ...rest] = (req.url ?? '').split('?')[0]?.split('/').slice(1) ?? [];
    if (req.method !== 'POST')
      return this.#refused(edgeError('EDGE_ERR_APP_ENVELOPE_INVALID', 'only POST /<serviceModelId>/<method>'), undefined, 405);
    if (!model || !method || rest.length > 0 || !SEGMENT.test(model) || !SEGMENT.test(method))
      return this.#refused(edgeError('EDGE_ERR_APP_ENVELOPE_INVALID', 'the path must be /<serviceModelId>/<method>'), undefined);
    const contentType = acceptedContentType(req.headers['content-type']);
    if (!contentType) {
      req.resume();
      return this.#refused(
        edgeError('EDGE_ERR_APP_ENVELOPE_INVALID', 'Content-Type must be application/json or application/octet-stream'),
        undefined,
        415,
      );
    }
    const max = this.#o.maxBodyKb * 1024;
    if (Number(req.headers['content-length'] ?? 0) > max) {
      req.resume();
      return this.#refused(edgeError('EDGE_ERR_APP_BODY_TOO_LARGE', max), undefined);
    }
    const body = await readBody(req, max);
    if (!body) return this.#refused(edgeError('EDGE_ERR_APP_BODY_TOO_LARGE', max), undefined);
    return this.invoke(model, method, body, contentType);
  }

  #refused(err: EdgeError, id: string | undefined, status?: number): BusAnswer {
    this.counts.refused++;
    return errorAnswer(err, id, status);
  }

  /** One call through the bus: envelope checked, routed to its provider, the answer as the app gave it. */
  async invoke(model: string, method: string, body: Buffer, contentType = 'application/json'): Promise<BusAnswer> {
    // A flood of calls to a slow app must not pile up sockets and memory without bound.
    if (this.#inFlight >= this.#o.maxConcurrent)
      return this.#refused(edgeError('EDGE_ERR_BUSY', `${this.#inFlight} service calls in flight`), undefined);
    this.#inFlight++;
    try {
      return await this.#invoke(model, method, body, contentType);
    } finally {
      this.#inFlight--;
    }
  }

  async #invoke(model: string, method: string, body: Buffer, contentType: string): Promise<BusAnswer> {
    const envelope = checkEnvelope(body);
    if (!envelope.ok) return this.#refused(edgeError('EDGE_ERR_APP_ENVELOPE_INVALID', envelope.reason), envelope.id);
    const id = envelope.id;
    const provider = this.#provider(model);
    if (!provider) return this.#refused(edgeError('EDGE_ERR_APP_MODEL_UNKNOWN', model), id);
    const down = provider.down();
    if (down) return this.#failed(edgeError('EDGE_ERR_APP_DOWN', provider.app, model, down), id);
    try {
      const answer = await this.#forward(provider.port, `/${model}/${method}`, body, contentType);
      if (answer.status === 404) return this.#refused(edgeError('EDGE_ERR_APP_METHOD_UNKNOWN', model, method), id);
      this.counts.ok++;
      return answer;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ETIMEDOUT')
        return this.#failed(edgeError('EDGE_ERR_APP_TIMEOUT', provider.app, model, method, this.#o.timeoutMs), id);
      return this.#failed(edgeError('EDGE_ERR_APP_DOWN', provider.app, model, e.code ?? e.message), id);
    }
  }

  #failed(err: EdgeError, id: string): BusAnswer {
    this.counts.failed++;
    this.#log.warn({ code: err.code, reason: err.message }, 'service call failed');
    return errorAnswer(err, id);
  }

  #forward(port: number, path: string, body: Buffer, contentType: string): Promise<BusAnswer> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path,
          method: 'POST',
          agent: false,
          headers: { 'content-type': contentType, 'content-length': body.length },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_ANSWER_BYTES) req.destroy(Object.assign(new Error('answer too large'), { code: 'EANSWERTOOLARGE' }));
            else chunks.push(c);
          });
          res.on('end', () => {
            clearTimeout(timer);
            resolve({
              status: res.statusCode ?? 502,
              contentType: res.headers['content-type'] ?? 'application/octet-stream',
              body: Buffer.concat(chunks),
              origin: 'app',
            });
          });
          res.on('error', reject);
        },
      );
      const timer = setTimeout(() => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })), this.#o.timeoutMs);
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      req.end(body);
    });
  }
}

/** `{"code","message","id"}` with the code's HTTP status. */
export function errorAnswer(err: unknown, id: string | undefined, status?: number): BusAnswer {
  const e = err instanceof EdgeError ? err : edgeError('EDGE_ERR_INTERNAL', (err as Error).message);
  const body = Buffer.from(JSON.stringify({ code: e.alink, message: e.message, id: id ?? null }));
  return { status: status ?? e.status, contentType: 'application/json; charset=utf-8', body, origin: 'bus' };
}

/** The body, or undefined once it grows past `max` (the rest is drained, not kept). */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
