/** Plain HTTP over real sockets, from a chosen loopback source address (127.0.0.x), for hostile-client tests. */
import { request } from 'node:http';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: { error?: { code: string; message: string; problems?: string[]; retryAfterS?: number }; csrf?: string; user?: string };
  cookie: string | undefined;
}

export interface SendOptions {
  from: string;
  cookie?: string | undefined;
  csrf?: string | undefined;
  /** Called once the request is fully handed to the kernel. */
  onSent?: () => void;
}

export function send(baseUrl: string, method: 'GET' | 'POST', path: string, body: unknown, opts: SendOptions): Promise<Reply> {
  const url = new URL(path, baseUrl);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = {};
  if (payload !== undefined) headers['content-type'] = 'application/json';
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.csrf) headers['x-csrf-token'] = opts.csrf;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method, headers, localAddress: opts.from, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const set = res.headers['set-cookie']?.find((c) => c.startsWith('pe_console='));
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text ? (JSON.parse(text) as Reply['body']) : {},
            cookie: set?.split(';')[0],
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.on('finish', () => opts.onSent?.());
    req.end(payload);
  });
}
