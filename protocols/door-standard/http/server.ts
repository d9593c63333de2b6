/**
 * The HTTP server core of the standard protocol, used by both sides: the box on port 10000 and
 * each (simulated) door on its vendor port. It keeps the transport rules; the hostile-input
 * limits (time limits, connection caps, per-source rate limits, body caps) are the shared
 * device-facing listener's (protocols/common/http-listener.ts). Routes only see validated shapes.
 *
 * - Only POST; JSON except the multipart paths (seed 001 L34929, L35428, L35791).
 * - `Connection: close` on every response; a message never carries Keep-Alive (L34927).
 * - Refusals (body too large, too many requests) answer with the protocol's JSON code.
 * - A route that throws never crashes the server: `DoorProtocolError` becomes its code,
 *   anything else code 99.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, readBody } from '../../common/body.js';
import { LISTENER_LIMITS, type ListenerLimits } from '../../common/http-listener.js';
import { DeviceHttpServer } from '../../common/device-http-server.js';
import { peerAddress } from '../../common/source-address.js';
import { DoorCode, DoorProtocolError, failure, type DoorReply } from '../errors.js';
import { LIMITS, MULTIPART_PATHS } from '../endpoints.js';
import { isObj, type Obj } from '../validate.js';
import { silentLog, type DoorLog } from './log.js';
import { MultipartError, boundaryOf, parseMultipart, type MultipartForm } from './multipart.js';

export interface DoorRequest {
  path: string;
  /** The peer's address as the socket sees it (IPv4-mapped prefix removed). */
  remoteAddress: string;
  /** The JSON body (JSON paths). */
  json: Obj;
  /** The form (multipart paths); its text fields are also copied into `json`. */
  form?: MultipartForm;
}

export type DoorRoute = (req: DoorRequest) => DoorReply | Promise<DoorReply>;

export interface DoorServerOptions extends ListenerLimits {
  host: string;
  port: number;
  /** Largest multipart body: a 1 MB photo (L35444) plus the form fields; JSON bodies take `maxBodyBytes`. */
  maxMultipartBytes: number;
  log: DoorLog;
}

export const serverDefaults: Omit<DoorServerOptions, 'host' | 'port'> = {
  ...LISTENER_LIMITS,
  // 50 faces of 512 floats fit easily (L35527).
  maxBodyBytes: 2 * 1024 * 1024,
  maxMultipartBytes: LIMITS.photoMaxBytes + 64 * 1024,
  // Every request of every door is a connection of its own (Connection: close).
  maxConnections: 4096,
  log: silentLog,
};

function send(res: ServerResponse, status: number, body: DoorReply): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    Connection: 'close',
  });
  res.end(text);
}

export class DoorHttpServer extends DeviceHttpServer {
  readonly #routes: Map<string, DoorRoute>;
  readonly #opts: DoorServerOptions;
  /** Requests answered, by path; for metrics and the benchmark. */
  requests = 0;

  constructor(routes: Record<string, DoorRoute>, options: Partial<DoorServerOptions> & { host: string; port: number }) {
    const opts = { ...serverDefaults, ...options };
    super({
      ...opts,
      // No keep-alive wait: every answer closes its connection.
      keepAliveTimeoutMs: 0,
      refusal: (r) => ({ contentType: 'application/json; charset=utf-8', body: JSON.stringify(failure(DoorCode.OTHER, r.reason)) }),
      log: opts.log,
    });
    this.#routes = new Map(Object.entries(routes));
    this.#opts = opts;
  }

  protected async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const peer = peerAddress(req.socket);
    const log = this.#opts.log;
    const route = this.#routes.get(path);
    if (!route) {
      log.warn({ peer, path }, 'unknown path');
      req.resume();
      send(res, 404, failure(DoorCode.OTHER, `unknown path ${path.slice(0, 64)}`));
      return;
    }
    if (req.method !== 'POST') {
      req.resume();
      send(res, 405, failure(DoorCode.OTHER, 'only POST is supported'));
      return;
    }
    const multipart = MULTIPART_PATHS.has(path);
    let request: DoorRequest;
    try {
      const body = await readBody(
        req,
        multipart ? Math.min(this.#opts.maxMultipartBytes, this.#opts.maxBodyBytes) : this.#opts.maxBodyBytes,
      );
      request = multipart ? this.#multipartRequest(path, peer, req, body) : this.#jsonRequest(path, peer, body);
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        log.warn({ peer, path, limit: err.limit }, 'body too large, connection closed');
        send(res, 413, failure(DoorCode.PARAM_ERROR, 'body too large'));
        return;
      }
      if (err instanceof SyntaxError || err instanceof MultipartError || err instanceof TypeError) {
        log.warn({ peer, path, reason: err.message }, 'malformed body');
        send(res, 200, failure(DoorCode.PARAM_ERROR, err.message));
        return;
      }
      log.debug({ peer, path, err: (err as Error).message }, 'request aborted');
      res.destroy();
      return;
    }
    let reply: DoorReply;
    try {
      reply = await route(request);
    } catch (err) {
      if (err instanceof DoorProtocolError) reply = { code: err.code, message: err.message };
      else {
        log.error({ peer, path, err }, 'route failed');
        reply = failure(DoorCode.OTHER, 'internal error');
      }
    }
    this.requests++;
    send(res, 200, reply);
  }

  #jsonRequest(path: string, peer: string, body: Buffer): DoorRequest {
    const json: unknown = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    if (!isObj(json)) throw new TypeError('body must be a JSON object');
    return { path, remoteAddress: peer, json };
  }

  #multipartRequest(path: string, peer: string, req: IncomingMessage, body: Buffer): DoorRequest {
    const boundary = boundaryOf(req.headers['content-type']);
    if (!boundary) throw new MultipartError('multipart/form-data with a boundary expected');
    const form = parseMultipart(body, boundary);
    return { path, remoteAddress: peer, json: { ...form.fields }, form };
  }
}
