/**
 * One JSON request from the box to a device's own HTTP server (an indoor alarm unit, a camera
 * vendor's event adapter): node:http without an agent and with `Connection: close` (fetch may not
 * set that header, and no socket outlives the call), the answer read under a cap and a time limit
 * because the device is on the LAN but not trusted. The time limit is on the whole exchange, not
 * on silence: a device that drips its answer byte by byte does not hold the call open past it.
 * A body that is not JSON reads as undefined.
 */
import { request } from 'node:http';

export interface JsonTarget {
  ip: string;
  port: number;
}

export interface JsonCallResult {
  status: number;
  body: unknown;
}

export function callJson(
  t: JsonTarget,
  method: 'GET' | 'POST',
  path: string,
  body: unknown,
  timeoutMs: number,
  maxAnswerBytes: number,
): Promise<JsonCallResult> {
  const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: t.ip,
        port: t.port,
        method,
        path,
        agent: false,
        headers: { 'Content-Type': 'application/json', Connection: 'close', ...(data ? { 'Content-Length': data.length } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxAnswerBytes) req.destroy(new Error('answer too large'));
          else chunks.push(c);
        });
        res.on('end', () => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('error', reject);
    req.end(data);
  });
}
