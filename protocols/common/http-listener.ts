/**
 * A node:http server's listen/close life cycle, shared by the protocol servers that need no
 * more than a request handler: listen resolves with the bound address (port 0 picks one), close
 * drops open connections first so a stop never waits on an idle keep-alive socket.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export class HttpListener {
  readonly #handler: (req: IncomingMessage, res: ServerResponse) => void;
  readonly #options: { host: string; port: number; keepAliveTimeoutMs?: number };
  #server: Server | undefined;

  constructor(handler: (req: IncomingMessage, res: ServerResponse) => void, options: { host: string; port: number; keepAliveTimeoutMs?: number }) {
    this.#handler = handler;
    this.#options = options;
  }

  async listen(): Promise<AddressInfo> {
    const server = createServer(this.#handler);
    if (this.#options.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = this.#options.keepAliveTimeoutMs;
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
