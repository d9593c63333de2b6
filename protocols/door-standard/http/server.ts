/**
 * The HTTP server core of the standard protocol, used by both sides: the box on port 10000 and
 * each (simulated) door on its vendor port. It owns the transport rules and the hostile-input
 * limits; routes only see validated shapes.
 *
 * - Only POST; JSON except the multipart paths (seed 001 L34929, L35428, L35791).
 * - `Connection: close` on every response; a message never carries Keep-Alive (L34927).
 * - Bodies are bounded; headers and bodies must arrive in time (slow-loris), connections capped.
 * - A route that throws never crashes the server: `DoorProtocolError` becomes its code,
 *   anything else code 99.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { DoorCode, DoorProtocolError, failure, type DoorReply } from '../errors.js';
import { MULTIPART_PATHS } from '../endpoints.js';
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

export interface DoorServerOptions {
  host: string;
  port: number;
  /** Largest JSON body; 50 faces of 512 floats fit easily (L35527). */
  maxJsonBytes: number;
  /** Largest multipart body: a 1 MB photo (L35444) plus the form fields. */
  maxMultipartBytes: number;
  /** Time to receive all headers (slow-loris guard). */
  headersTimeoutMs: number;
  /** Time to receive the whole request. */
  requestTimeoutMs: number;
  maxConnections: number;
  log: DoorLog;
}

export const serverDefaults: Omit<DoorServerOptions, 'host' | 'port'> = {
  maxJsonBytes: 2 * 1024 * 1024,
  maxMultipartBytes: 1024 * 1024 + 64 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxConnections: 4096,
  log: silentLog,
};

function clientAddress(req: IncomingMessage): string {
  const a = req.socket.remoteAddress ?? '';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

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

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > limit) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('request aborted')));
  });
}

export class DoorHttpServer {
  readonly #routes: Map<string, DoorRoute>;
  readonly #opts: DoorServerOptions;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  /** Requests answered, by path; for metrics and the benchmark. */
  requests = 0;

  constructor(routes: Record<string, DoorRoute>, options: Partial<DoorServerOptions> & { host: string; port: number }) {
    this.#routes = new Map(Object.entries(routes));
    this.#opts = { ...serverDefaults, ...options };
    this.#server = createServer(
      { headersTimeout: this.#opts.headersTimeoutMs, requestTimeout: this.#opts.requestTimeoutMs, keepAlive: false, maxHeaderSize: 8192, connectionsCheckingInterval: 1000 },
      (req, res) => void this.#handle(req, res),
    );
    this.#server.maxConnections = this.#opts.maxConnections;
    this.#server.keepAliveTimeout = 0;
    this.#server.on('connection', (s: Socket) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    this.#server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
      this.#opts.log.debug({ err: err.code ?? err.message, peer: socket.remoteAddress }, 'client error, connection closed');
      const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
      if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      else socket.destroy();
    });
  }

  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#opts.port, this.#opts.host, () => {
        this.#server.off('error', reject);
        resolve(this.#server.address() as AddressInfo);
      });
    });
  }

  get address(): AddressInfo {
    return this.#server.address() as AddressInfo;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      for (const s of this.#sockets) s.destroy();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const peer = clientAddress(req);
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
      const body = await readBody(req, multipart ? this.#opts.maxMultipartBytes : this.#opts.maxJsonBytes);
      request = multipart ? this.#multipartRequest(path, peer, req, body) : this.#jsonRequest(path, peer, body);
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        log.warn({ peer, path }, 'body too large, connection closed');
        send(res, 413, failure(DoorCode.PARAM_ERROR, 'body too large'));
        req.socket.destroySoon?.();
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
