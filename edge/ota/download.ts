/**
 * Fetch one firmware over HTTP(S) into a `.part` file, resuming with `Range` after a broken
 * connection, then check its size and digest before anyone uses it. Refused before the first
 * byte when the disk has less room than the caller says the upgrade needs.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat, statfs } from 'node:fs/promises';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import { RetryTimer } from '../../protocols/common/backoff.js';
import { type Firmware, OTA_STEP, OtaError, safeUrl } from './messages.js';

export interface DownloadOptions {
  /** Folder for the partial and the finished file. */
  dir: string;
  /** Bytes the whole upgrade needs on that disk (download + unpacked copy); checked first. */
  needBytes: number;
  /** Free bytes where `dir` lives (injectable for tests; default statfs). */
  freeBytes?: (dir: string) => Promise<number>;
  /** Attempts without progress before giving up (a resumed attempt that moved on resets the count). */
  attempts?: number;
  retry?: { minMs: number; maxMs: number };
  /** No byte for this long ends the attempt (a stalled connection is a broken one). */
  idleMs?: number;
  onProgress?: (received: number, total: number) => void;
}

export async function diskFree(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

/** Download, resume, verify; resolves the path of the verified file or throws an OtaError (-1/-2/-3). */
export async function download(fw: Firmware, o: DownloadOptions): Promise<string> {
  const free = await (o.freeBytes ?? diskFree)(o.dir);
  if (free < o.needBytes) throw new OtaError(OTA_STEP.UPGRADE_FAILED, `not enough disk: ${o.needBytes} bytes needed, ${free} free`);
  const base = join(o.dir, `${fw.module}-${fw.version}`);
  const part = `${base}.part`;
  const timer = new RetryTimer(o.retry ?? { minMs: 500, maxMs: 10_000 });
  const attempts = o.attempts ?? 5;
  let failures = 0;
  for (;;) {
    const have = await sizeOf(part);
    if (have >= fw.size) break;
    try {
      await fetchFrom(fw, part, have, o);
      timer.reset();
      failures = 0;
    } catch (err) {
      if (err instanceof OtaError) throw err;
      const now = await sizeOf(part);
      if (now > have) failures = 0; // it moved on: a cut connection, not a dead server
      if (++failures >= attempts)
        throw new OtaError(OTA_STEP.DOWNLOAD_FAILED, `download from ${safeUrl(fw.url)} failed: ${(err as Error).message}`);
      await new Promise<void>((resolve) => timer.schedule(resolve));
    }
  }
  await verify(part, fw);
  await rename(part, base);
  return base;
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** One HTTP attempt from byte `from`; appends to `part`. Rejects on any break. */
function fetchFrom(fw: Firmware, part: string, from: number, o: DownloadOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const get = fw.url.startsWith('https:') ? httpsGet : httpGet;
    const headers: Record<string, string> = from > 0 ? { range: `bytes=${from}-` } : {};
    const req = get(fw.url, { headers }, (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      let start: number;
      if (status === 206) {
        const m = /^bytes (\d+)-/.exec(String(res.headers['content-range'] ?? ''));
        start = m ? Number(m[1]) : -1;
        if (start !== from) {
          res.resume();
          return reject(new Error(`server resumed at ${start}, not ${from}`));
        }
      } else if (status === 200)
        start = 0; // no Range support: from the start again
      else {
        res.resume();
        // A 4xx will not get better by retrying (expired signed URL, gone): stop now.
        const err = new Error(`HTTP ${status}`);
        return reject(
          status >= 400 && status < 500 ? new OtaError(OTA_STEP.DOWNLOAD_FAILED, `download ${safeUrl(fw.url)}: HTTP ${status}`) : err,
        );
      }
      const out = createWriteStream(part, { flags: start === 0 ? 'w' : 'a' });
      let received = start;
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > fw.size) {
          req.destroy();
          out.destroy();
          reject(new OtaError(OTA_STEP.VERIFY_FAILED, `file is larger than the announced ${fw.size} bytes`));
          return;
        }
        o.onProgress?.(received, fw.size);
      });
      res.pipe(out);
      const broken = (err: Error) => {
        out.end();
        out.once('close', () => reject(err));
      };
      res.once('aborted', () => broken(new Error('connection broken')));
      res.once('error', broken);
      out.once('error', reject);
      out.once('finish', () =>
        received >= fw.size ? resolve() : reject(new Error(`connection closed at ${received} of ${fw.size} bytes`)),
      );
    });
    req.setTimeout(o.idleMs ?? 30_000, () => req.destroy(new Error('no data (idle timeout)')));
    req.once('error', reject);
  });
}

async function verify(path: string, fw: Firmware): Promise<void> {
  const size = await sizeOf(path);
  if (size !== fw.size) {
    await rm(path, { force: true });
    throw new OtaError(OTA_STEP.VERIFY_FAILED, `size ${size} is not the announced ${fw.size}`);
  }
  const hash = createHash(fw.signMethod === 'Md5' ? 'md5' : 'sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  const digest = hash.digest('hex');
  if (digest !== fw.sign) {
    await rm(path, { force: true });
    throw new OtaError(OTA_STEP.VERIFY_FAILED, `${fw.signMethod} ${digest} is not the announced ${fw.sign}`);
  }
}
