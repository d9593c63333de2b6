/**
 * A node:http server's listen/close life cycle, shared by the protocol servers that need no
 * more than a request handler: listen resolves with the bound address (port 0 picks one), close
 * drops open connections first so a stop never waits on an idle keep-alive socket.
 *
 * Devices on the LAN are not trusted: a connection must send its headers within
 * `headersTimeoutMs` and its whole request within `requestTimeoutMs`, headers are at most 8 KiB,
 * and at most `maxConnections` are open at once (more are closed at accept), so slow-header or
 * connection floods cannot pin the box's memory or sockets.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ListenerOptions {
  host: string;
  port: number;
  keepAliveTimeoutMs?: number;
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  maxConnections?: number;
}

/** The defaults, as the door server's (protocols/door-standard/http/server.ts). */
export const LISTENER_LIMITS = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, maxConnections: 1024 };

export class HttpListener {
  readonly #handler: (req: IncomingMessage, res: ServerResponse) => void;
  readonly #options: ListenerOptions & typeof LISTENER_LIMITS;
  #server: Server | undefined;

  constructor(handler: (req: IncomingMessage, res: ServerResponse) => void, options: ListenerOptions) {
    this.#handler = handler;
    this.#options = { ...LISTENER_LIMITS, ...options };
  }

  async listen(): Promise<AddressInfo> {
    const o = this.#options;
    const server = createServer({ headersTimeout: o.headersTimeoutMs, requestTimeout: o.requestTimeoutMs, maxHeaderSize: 8192, connectionsCheckingInterval: Math.min(1000, o.headersTimeoutMs) }, this.#handler);
    server.maxConnections = o.maxConnections;
    if (o.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = o.keepAliveTimeoutMs;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#options.port, this.#options.host, () => resolve());
    });
    this.#server = server;
    return server.address() as AddressInfo;
  }

  get port(): number {
    return (this.#server?.address() as AddressInfo | null)?.port ?? 0;
  }

  async close(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
