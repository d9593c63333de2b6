/**
 * An app's own HTTP port that answers JSON: the service-model provider (service-server.ts) and
 * any other port an app serves (a push receiver) share it. The handler answers every request;
 * one that throws is answered by `onError`, never left hanging.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type JsonHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** Write `body` as the JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export class JsonServer {
  readonly #handle: JsonHandler;
  readonly #onError: (err: unknown, res: ServerResponse) => void;
  #server: Server | undefined;

  constructor(handle: JsonHandler, onError: (err: unknown, res: ServerResponse) => void = (_err, res) => res.destroy()) {
    this.#handle = handle;
    this.#onError = onError;
  }

  get port(): number {
    return (this.#server?.address() as AddressInfo | null | undefined)?.port ?? 0;
  }

  async listen(port: number, host = '127.0.0.1'): Promise<void> {
    const server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        if (res.headersSent) res.destroy();
        else this.#onError(err, res);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.#server = server;
  }

  async close(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
