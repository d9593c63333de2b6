/** A local firmware server for OTA tests: Range support, and a switch that cuts connections midway. */
import { createHash } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Firmware } from '../../edge/ota/messages.js';

export interface FirmwareServer {
  url(name: string): string;
  put(name: string, data: Buffer): void;
  /** Cut the next `n` responses after `afterBytes` bytes of body. */
  cut(n: number, afterBytes: number): void;
  /** Requests seen: name and Range header. */
  requests: Array<{ name: string; range: string | undefined }>;
  close(): Promise<void>;
}

export async function firmwareServer(): Promise<FirmwareServer> {
  const files = new Map<string, Buffer>();
  const requests: FirmwareServer['requests'] = [];
  let cuts = 0;
  let cutAfter = 0;
  const server: Server = createServer((req, res: ServerResponse) => {
    const name = decodeURIComponent((req.url ?? '/').split('?')[0]!.slice(1));
    requests.push({ name, range: req.headers.range });
    const data = files.get(name);
    if (!data) {
      res.statusCode = 404;
      return void res.end();
    }
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    const body = data.subarray(start);
    res.writeHead(m ? 206 : 200, {
      'content-length': String(body.length),
      ...(m ? { 'content-range': `bytes ${start}-${data.length - 1}/${data.length}` } : {}),
    });
    if (cuts > 0 && body.length > cutAfter) {
      cuts--;
      res.write(body.subarray(0, cutAfter), () => res.socket?.destroy());
      return;
    }
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (name) => `http://127.0.0.1:${port}/${encodeURIComponent(name)}?token=secret-token`,
    put: (name, data) => void files.set(name, data),
    cut(n, afterBytes) {
      cuts = n;
      cutAfter = afterBytes;
    },
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export function firmwareOf(data: Buffer, url: string, over: Partial<Firmware> = {}): Firmware {
  return {
    module: 'default',
    version: '2.0.0',
    url,
    size: data.length,
    signMethod: 'SHA256',
    sign: createHash('sha256').update(data).digest('hex'),
    extData: {},
    ...over,
  };
}
