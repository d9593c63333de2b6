/**
 * Downloading sync files and face images: http(s) only, a time limit per attempt, a few
 * retries with a pause, a size cap enforced while streaming (a 10× oversized file is cut off,
 * never buffered whole) and an optional MD5 check.
 */
import { createHash } from 'node:crypto';

export type DownloadFailure = 'bad-url' | 'unreachable' | 'timeout' | 'http-status' | 'too-large' | 'md5-mismatch';

export class DownloadError extends Error {
  readonly failure: DownloadFailure;
  constructor(failure: DownloadFailure, message: string) {
    super(message);
    this.name = 'DownloadError';
    this.failure = failure;
  }
}

export interface DownloadOptions {
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
  maxBytes: number;
  /** Expected MD5 (hex) of the body; a mismatch is refused and not retried. */
  md5?: string;
}

export function md5Hex(data: Uint8Array | string): string {
  return createHash('md5').update(data).digest('hex');
}

async function once(url: string, o: DownloadOptions): Promise<Buffer> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(o.timeoutMs), redirect: 'follow' });
  } catch (err) {
    const e = err as Error;
    if (e.name === 'TimeoutError' || e.name === 'AbortError')
      throw new DownloadError('timeout', `no answer from ${redact(url)} within ${o.timeoutMs} ms`);
    throw new DownloadError('unreachable', `cannot reach ${redact(url)}: ${(e.cause as Error | undefined)?.message ?? e.message}`);
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    throw new DownloadError('http-status', `${redact(url)} answered HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > o.maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new DownloadError('too-large', `${redact(url)} is ${declared} bytes, the limit is ${o.maxBytes}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body ?? []) {
      size += (chunk as Uint8Array).byteLength;
      if (size > o.maxBytes) throw new DownloadError('too-large', `${redact(url)} exceeds the limit of ${o.maxBytes} bytes`);
      chunks.push(Buffer.from(chunk as Uint8Array));
    }
  } catch (err) {
    if (err instanceof DownloadError) throw err;
    const e = err as Error;
    if (e.name === 'TimeoutError' || e.name === 'AbortError')
      throw new DownloadError('timeout', `${redact(url)} did not finish within ${o.timeoutMs} ms`);
    throw new DownloadError('unreachable', `download of ${redact(url)} broke off: ${e.message}`);
  }
  return Buffer.concat(chunks, size);
}

export async function download(url: string, o: DownloadOptions): Promise<Buffer> {
  if (!/^https?:\/\//i.test(url)) throw new DownloadError('bad-url', `not an http(s) URL: ${redact(url)}`);
  let last: DownloadError | undefined;
  for (let attempt = 0; attempt <= o.retries; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, o.retryDelayMs * attempt));
    try {
      const body = await once(url, o);
      if (o.md5 && md5Hex(body) !== o.md5.toLowerCase())
        throw new DownloadError('md5-mismatch', `MD5 of ${redact(url)} is ${md5Hex(body)}, expected ${o.md5.toLowerCase()}`);
      return body;
    } catch (err) {
      last = err instanceof DownloadError ? err : new DownloadError('unreachable', (err as Error).message);
      // Size and checksum problems will not heal by asking again.
      if (last.failure === 'too-large' || last.failure === 'md5-mismatch' || last.failure === 'bad-url') throw last;
    }
  }
  throw last!;
}

/** Signed OSS URLs carry credentials in the query string: never log them. */
export function redact(url: string): string {
  const q = url.indexOf('?');
  return (q >= 0 ? url.slice(0, q) : url).slice(0, 200);
}
