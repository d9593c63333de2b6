/** A file service on a temporary folder and an ephemeral port, and a small HTTP client for it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Value } from '@sinclair/typebox/value';
import { FilesConfigSchema, type FilesConfig } from '../../edge/files/config.js';
import { FileService } from '../../edge/files/service.js';
import { silentLogger } from '../../edge/log.js';
import { openDatabase, type Db } from '../../edge/store/db.js';

export interface TestFiles {
  service: FileService;
  db: Db;
  dir: string;
  clock: { now: number };
  base: string;
  /** Stop the service and close the database (the folder stays: `restart` reuses it). */
  stop(): Promise<void>;
  /** Stop, then start a new service on the same folder and database file. */
  restart(): Promise<TestFiles>;
  close(): Promise<void>;
}

export function filesConfig(over: Partial<FilesConfig> = {}): FilesConfig {
  return { ...(Value.Default(FilesConfigSchema, {}) as FilesConfig), host: '127.0.0.1', port: 0, ...over };
}

export async function startFiles(
  over: Partial<FilesConfig> = {},
  dir = mkdtempSync(join(tmpdir(), 'pe-files-')),
  now = Date.UTC(2026, 0, 1),
): Promise<TestFiles> {
  const clock = { now };
  const db = openDatabase(join(dir, 'edge.db'));
  const service = new FileService({ db, log: silentLogger(), dataDir: dir, now: () => clock.now }, filesConfig(over));
  await service.start();
  const stop = async (): Promise<void> => {
    await service.stop();
    db.close();
  };
  const t: TestFiles = {
    service,
    db,
    dir,
    clock,
    base: `http://127.0.0.1:${service.port}`,
    stop,
    async restart() {
      await stop();
      return startFiles(over, dir, clock.now);
    },
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return t;
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  json(): Record<string, unknown>;
}

/** One HTTP request; `body` may be a stream. A reset after the answer came still returns the answer. */
export function http(
  url: string,
  o: { method?: string; headers?: Record<string, string | number>; body?: Buffer | string | Readable } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: o.method ?? 'GET', headers: o.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body.toString('utf8')) });
      });
    });
    req.on('error', reject);
    if (o.body instanceof Readable) {
      o.body.on('error', () => req.destroy());
      o.body.pipe(req);
    } else req.end(o.body);
  });
}

export const BOUNDARY = '----pe-test-boundary-7MA4YWxkTrZu0gW';

/** A form-data body: text fields, then an optional file part. */
export function form(fields: Record<string, string>, file?: { name?: string; filename?: string; bytes: Buffer }): Buffer {
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    parts.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file)
    parts.push(
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${file.name ?? 'file'}"; filename="${file.filename ?? 'x.jpg'}"\r\nContent-Type: image/jpeg\r\n\r\n`,
      ),
      file.bytes,
      Buffer.from('\r\n'),
    );
  parts.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(parts);
}

export const FORM_TYPE = `multipart/form-data; boundary=${BOUNDARY}`;

export function upload(base: string, fields: Record<string, string>, bytes?: Buffer): Promise<Answer> {
  const body = form(fields, bytes ? { bytes } : undefined);
  return http(`${base}/home/paas/file/add`, {
    method: 'POST',
    headers: { 'Content-Type': FORM_TYPE, 'Content-Length': body.length },
    body,
  });
}

export function remove(base: string, filePath: unknown): Promise<Answer> {
  return http(`${base}/home/paas/file/delete`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ filePath }),
  });
}

/** Bytes that differ at every offset (a shifted or truncated copy never compares equal). */
export function pattern(size: number, seed = 1): Buffer {
  const b = Buffer.allocUnsafe(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}
