/**
 * A stand-in for the box's data-model API (insert, upload + PUT) for the parking tests. It checks
 * every request's APPSIGN signature with its own implementation of the Alibaba rules (not the
 * SDK's signer), so a signer bug cannot agree with itself. `stop()` then `start()` again keeps
 * the port: "the API is down" is a refused connection, as on the box.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Inserted {
  modelId: string;
  properties: Record<string, unknown>;
  dataId: string;
}

function independentSignature(secret: string, req: IncomingMessage, body: Buffer): string {
  const h = (n: string): string => {
    const v = req.headers[n];
    return Array.isArray(v) ? v.join(',') : (v ?? '');
  };
  const names = h('x-ca-signature-headers')
    .split(',')
    .map((n) => n.trim().toLowerCase())
    .filter(Boolean)
    .sort();
  let s = `${req.method}\n${h('accept')}\n${h('content-md5')}\n${h('content-type')}\n${h('date')}\n`;
  for (const n of names) s += `${n}:${h(n)}\n`;
  s += (req.url ?? '').split('?')[0];
  const md5 = createHash('md5').update(body).digest('base64');
  if (md5 !== h('content-md5')) return 'content-md5 mismatch';
  return createHmac('sha256', secret).update(s).digest('base64');
}

export class DataModelStandIn {
  readonly inserted: Inserted[] = [];
  readonly files = new Map<string, Buffer>();
  readonly badSignatures: string[] = [];
  /** Answer inserts with this code instead of 200 (a refusing API that is up). */
  insertCode = 200;
  #server: Server | undefined;
  #port = 0;
  #seq = 0;

  constructor(
    readonly appKey: string,
    readonly appSecret: string,
  ) {}

  get domain(): string {
    return `127.0.0.1:${this.#port}`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((r) => server.listen(this.#port, '127.0.0.1', r));
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  async stop(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const send = (o: unknown, status = 200): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(o));
    };
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (req.method === 'PUT' && path.startsWith('/files/')) {
      this.files.set(decodeURIComponent(path.slice('/files/'.length)), body);
      res.writeHead(200);
      return void res.end();
    }
    if (req.headers['x-ca-key'] !== this.appKey || independentSignature(this.appSecret, req, body) !== req.headers['x-ca-signature']) {
      this.badSignatures.push(path);
      return send({ code: 401, message: 'signature mismatch' });
    }
    const envelope = JSON.parse(body.toString('utf8')) as { id: string; request: { apiVer: string }; params: Record<string, unknown> };
    if (path === '/data/model/data/insert') {
      if (this.insertCode !== 200) return send({ code: this.insertCode, message: 'refused', id: envelope.id });
      const dataId = String(++this.#seq);
      this.inserted.push({
        modelId: String(envelope.params.modelId),
        properties: envelope.params.properties as Record<string, unknown>,
        dataId,
      });
      return send({ code: 200, message: 'success', id: envelope.id, data: dataId });
    }
    if (path === '/data/model/data/upload') {
      const fileName = `${++this.#seq}-${String(envelope.params.fileName)}`;
      return send({
        code: 200,
        message: 'success',
        id: envelope.id,
        data: { fileName, url: `http://${this.domain}/files/${encodeURIComponent(fileName)}` },
      });
    }
    send({ code: 404, message: 'no such API' }, 404);
  }
}
