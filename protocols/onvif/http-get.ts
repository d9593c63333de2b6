/**
 * One HTTP GET of a camera resource (the snapshot URI) with Digest or Basic authentication when
 * the camera asks for it, a bounded body and a deadline for the whole exchange: a camera that
 * hangs or streams without end costs at most `timeoutMs` and `maxBytes`.
 */
import { request } from 'node:http';
import { authorization, parseChallenge } from './http-digest.js';

export interface GetOptions {
  username?: string;
  password?: string;
  timeoutMs: number;
  maxBytes: number;
}

export interface GetResult {
  status: number;
  contentType: string | undefined;
  body: Buffer;
}

export class HttpGetError extends Error {}

function once(
  url: URL,
  o: GetOptions,
  auth: string | undefined,
  deadline: number,
): Promise<GetResult & { challenge?: string | undefined }> {
  return new Promise((resolve, reject) => {
    const left = deadline - Date.now();
    if (left <= 0) return reject(new HttpGetError(`no answer within ${o.timeoutMs} ms`));
    const req = request(url, { method: 'GET', headers: auth ? { authorization: auth } : {}, timeout: left }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > o.maxBytes) {
          req.destroy(new HttpGetError(`the answer is larger than ${o.maxBytes} bytes`));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: res.headers['content-type'],
          body: Buffer.concat(chunks),
          challenge: res.headers['www-authenticate'],
        }),
      );
      res.on('error', reject);
    });
    const timer = setTimeout(() => req.destroy(new HttpGetError(`no answer within ${o.timeoutMs} ms`)), left);
    req.on('close', () => clearTimeout(timer));
    req.on('timeout', () => req.destroy(new HttpGetError(`no answer within ${o.timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** GET `href`; a 401 with a Digest (or Basic) challenge is answered once with the credentials. */
export async function httpGet(href: string, o: GetOptions): Promise<GetResult> {
  const url = new URL(href);
  if (url.protocol !== 'http:') throw new HttpGetError(`only http: is fetched, not ${url.protocol}`);
  const deadline = Date.now() + o.timeoutMs;
  const first = await once(url, o, undefined, deadline);
  if (first.status !== 401 || o.username === undefined || o.password === undefined) return first;
  const user = { username: o.username, password: o.password };
  const digest = parseChallenge(first.challenge);
  const path = `${url.pathname}${url.search}`;
  if (digest) return once(url, o, authorization(digest, user, 'GET', path), deadline);
  if (/^\s*Basic\b/i.test(first.challenge ?? ''))
    return once(url, o, `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`, deadline);
  return first;
}
