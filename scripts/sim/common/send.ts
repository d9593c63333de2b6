/**
 * One HTTP request of a simulated device to the box: from the device's own address
 * (`localAddress`, so the box's source-address checks see it), `Connection: close`, no agent,
 * the answer parsed as JSON (`{}` when it is not; the status tells).
 */
import { request } from 'node:http';

export interface SimAnswer {
  status: number;
  body: Record<string, unknown>;
}

export function send(
  base: string,
  localAddress: string,
  method: 'GET' | 'POST',
  path: string,
  body: string | undefined,
): Promise<SimAnswer> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method,
        localAddress,
        agent: false,
        headers: {
          Connection: 'close',
          'Content-Type': 'application/json',
          ...(body === undefined ? {} : { 'Content-Length': Buffer.byteLength(body) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let parsed: Record<string, unknown> = {};
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
          } catch {
            // not JSON: the status tells
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
