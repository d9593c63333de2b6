/**
 * The one node:http listener of every device-facing protocol server (door standard, face push,
 * face OpenAPI, and any later one). Devices on the LAN are not trusted, so it owns the
 * hostile-input limits and the servers only see requests that passed them:
 *
 * - a connection must send its headers within `headersTimeoutMs` and its whole request within
 *   `requestTimeoutMs` (slow-loris), headers are at most 8 KiB, malformed requests get a bare
 *   400/408/431 and are closed;
 * - at most `maxConnections` are open at once and at most `perSourceConnections` from one
 *   address (more are closed at accept), so a connection flood cannot take the box's sockets;
 * - one address may make `perSourceRequestsPerS` requests per second (bursts of
 *   `perSourceBurst`); beyond that it is answered 429 with Retry-After, in the protocol's own
 *   shape (`refusal`), without reading its body, and the connection is closed;
 * - bodies are read with `readBody` (./body.ts) under `maxBodyBytes`.
 *
 * listen resolves with the bound address (port 0 picks one); close drops open connections first
 * so a stop never waits on an idle keep-alive socket.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { peerAddress } from './source-address.js';
import { SourceLimits } from './source-limits.js';

export interface ListenerLimits {
  /** Time to receive a request's headers, ms (also how long a silent connection is kept). */
  headersTimeoutMs: number;
  /** Time to receive a whole request, ms. */
  requestTimeoutMs: number;
  /** Connections open at once, all sources together. */
  maxConnections: number;
  /** Largest request body, bytes (a server may hold a path to a smaller cap of its protocol). */
  maxBodyBytes: number;
  /** Connections one source address may hold open at once. */
  perSourceConnections: number;
  /** Requests per second one source address may make, sustained. */
  perSourceRequestsPerS: number;
  /** Requests one source address may make at once after a quiet spell. */
  perSourceBurst: number;
  /** Source addresses whose request rate is remembered (the table's memory bound). */
  trackedSources: number;
}

/**
 * Defaults for a box with hundreds of doors and terminals on one LAN, each its own address: a
 * device sends a few requests a second at its busiest (passes, polls, keep-alives), so 50/s with
 * bursts of 100 never touches one, while a flooding address is held to that and cannot starve
 * the others. 32 connections per address leave room for a device's parallel requests.
 */
export const LISTENER_LIMITS: ListenerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxConnections: 1024,
  maxBodyBytes: 2 * 1024 * 1024,
  perSourceConnections: 32,
  perSourceRequestsPerS: 50,
  perSourceBurst: 100,
  trackedSources: 4096,
};

/** For servers that are not the box's (simulated devices, test peers): no per-source limits. */
export const NO_SOURCE_LIMITS: Pick<ListenerLimits, 'perSourceConnections' | 'perSourceRequestsPerS' | 'perSourceBurst'> = {
  perSourceConnections: Infinity,
  perSourceRequestsPerS: Infinity,
  perSourceBurst: Infinity,
};

/** Why the listener refused a request itself. */
export interface Refusal {
  status: 429;
  reason: 'too many requests';
  retryAfterS: number;
}

/** A refusal in the protocol's own shape. */
export interface RefusalBody {
  contentType: string;
  body: string;
}

export interface ListenerLog {
  debug(o: object, msg: string): void;
  warn(o: object, msg: string): void;
}

export interface ListenerOptions extends Partial<ListenerLimits> {
  host: string;
  port: number;
  keepAliveTimeoutMs?: number;
  /** The body of a refused request, in the protocol's error shape (default: `{"error": reason}`). */
  refusal?: (r: Refusal) => RefusalBody;
  log?: ListenerLog;
}

/** What the listener refused, by reason: tests, benchmarks and logs read it. */
export interface ListenerStats {
  rateLimited: number;
  connectionsRefused: number;
  clientErrors: number;
}

const jsonRefusal = (r: Refusal): RefusalBody => ({ contentType: 'application/json', body: JSON.stringify({ error: r.reason }) });
const noLog: ListenerLog = { debug() {}, warn() {} };
const LIMIT_KEYS = Object.keys(LISTENER_LIMITS) as (keyof ListenerLimits)[];

/** An HTTP endpoint a listener serves (`{x}` marks a path parameter); the listener registry lists them. */
export interface Endpoint {
  method: 'GET' | 'POST';
  path: string;
}

export class HttpListener {
  readonly #handler: (req: IncomingMessage, res: ServerResponse) => void;
  readonly #o: ListenerOptions & ListenerLimits;
  readonly #sources: SourceLimits;
  readonly #log: ListenerLog;
  #server: Server | undefined;
  readonly stats: ListenerStats = { rateLimited: 0, connectionsRefused: 0, clientErrors: 0 };

  constructor(handler: (req: IncomingMessage, res: ServerResponse) => void, options: ListenerOptions) {
    this.#handler = handler;
    this.#o = { ...LISTENER_LIMITS, ...options };
    this.#log = options.log ?? noLog;
    this.#sources = new SourceLimits({
      connections: this.#o.perSourceConnections,
      requestsPerS: this.#o.perSourceRequestsPerS,
      burst: this.#o.perSourceBurst,
      trackedSources: this.#o.trackedSources,
    });
  }

  /** The limits in force (defaults filled in): every key of LISTENER_LIMITS, none of the other options. */
  get limits(): ListenerLimits {
    const o = this.#o;
    return Object.fromEntries(LIMIT_KEYS.map((k) => [k, o[k]])) as unknown as ListenerLimits;
  }

  async listen(): Promise<AddressInfo> {
    const o = this.#o;
    const server = createServer(
      {
        headersTimeout: o.headersTimeoutMs,
        // Node refuses a request time limit below the header time limit.
        requestTimeout: Math.max(o.requestTimeoutMs, o.headersTimeoutMs),
        maxHeaderSize: 8192,
        connectionsCheckingInterval: Math.min(1000, o.headersTimeoutMs),
      },
      (req, res) => this.#onRequest(req, res),
    );
    server.maxConnections = o.maxConnections;
    if (o.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = o.keepAliveTimeoutMs;
    server.on('connection', (s: Socket) => this.#onConnection(s));
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => this.#onClientError(err, socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port, o.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    return server.address() as AddressInfo;
  }

  get address(): AddressInfo {
    return (this.#server?.address() as AddressInfo | null) ?? { address: this.#o.host, family: 'IPv4', port: 0 };
  }

  get port(): number {
    return this.address.port;
  }

  async close(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  #onConnection(socket: Socket): void {
    const source = peerAddress(socket);
    if (!this.#sources.opened(source)) {
      if (this.stats.connectionsRefused++ % 1000 === 0)
        this.#log.warn(
          { peer: source, limit: this.#o.perSourceConnections, refused: this.stats.connectionsRefused },
          'too many connections from one address; closed at accept',
        );
      socket.destroy();
      return;
    }
    socket.once('close', () => this.#sources.closed(source));
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const source = peerAddress(req.socket);
    const admission = this.#sources.take(source);
    if (admission.ok) {
      this.#handler(req, res);
      return;
    }
    this.stats.rateLimited++;
    // Once per flood, not per request: a flood must not become a log flood.
    if (admission.first)
      this.#log.warn({ peer: source, limit: this.#o.perSourceRequestsPerS }, 'request rate limit reached; refusing this address');
    const refusal: Refusal = {
      status: 429,
      reason: 'too many requests',
      retryAfterS: Math.max(1, Math.ceil(admission.retryAfterMs / 1000)),
    };
    const { contentType, body } = (this.#o.refusal ?? jsonRefusal)(refusal);
    // The body is never read: the connection closes after the answer.
    res.writeHead(429, {
      'Content-Type': contentType,
      'Content-Length': Buffer.byteLength(body),
      'Retry-After': String(refusal.retryAfterS),
      Connection: 'close',
    });
    res.end(body);
  }

  #onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
    this.stats.clientErrors++;
    this.#log.debug({ err: err.code ?? err.message, peer: peerAddress(socket) }, 'client error, connection closed');
    const status =
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? '408 Request Timeout'
        : err.code === 'HPE_HEADER_OVERFLOW'
          ? '431 Request Header Fields Too Large'
          : '400 Bad Request';
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    else socket.destroy();
  }
}
