/**
 * File attributes of records (`plateNumberImage`, …) [seed 001 L33862-33893; digest 001g R49]: the
 * upload call hands out a file name and a URL; the app PUTs the raw bytes to the URL, and the
 * same URL then serves them (GET/HEAD, with Range and ETag). The bytes live in the edge file
 * service (edge/files: its quota, size cap, expiry and sweeper) under
 * `datamodel/<app>/<token>/<fileName>`. The URL is capability-like, as the platform's pre-signed
 * OSS URL is: its 128-bit random token allows one PUT before `uploadUrlTtlS` runs out. Bytes are
 * streamed to disk, never held whole.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Db } from '../store/db.js';
import { FileServiceError } from '../files/codes.js';
import { serveFile } from '../files/download.js';
import { checkFilePath, urlPathOf } from '../files/paths.js';
import type { FileService } from '../files/service.js';
import { TempWriter } from '../files/temp-writer.js';
import { dmError, type DataModelError } from './codes.js';

export const FILE_PREFIX = '/data/model/file/';
const TOKEN = /^[0-9a-f]{32}$/;
const EXT = /^[A-Za-z0-9]{1,10}$/;

interface UploadRow {
  token: string;
  app: string;
  file_name: string;
  file_path: string;
  put_until: number;
  stored: number;
}

/** A file name as an app may give it: one path segment of the file service's rules (no `/`, `..`, `%`, control characters). */
export function checkFileName(raw: unknown): string {
  if (typeof raw !== 'string' || raw === '') throw dmError('param', 'fileName is blank');
  if (raw.includes('/')) throw dmError('param', 'fileName must be a name, not a path');
  try {
    return checkFilePath(raw);
  } catch (err) {
    throw err instanceof FileServiceError ? dmError('param', err.message.replace(/filePath/g, 'fileName')) : err;
  }
}

/** A file service error as the data-model API answers it. */
export function fromFileError(err: FileServiceError): DataModelError {
  const kind = ({ param: 'param', notFound: 'notFound', tooLarge: 'tooLarge', full: 'full', busy: 'busy', internal: 'internal' } as const)[
    err.kind
  ];
  return dmError(kind, err.message);
}

export class Uploads {
  readonly #db: Db;
  readonly #now: () => number;
  readonly #stmt;

  constructor(db: Db, now: () => number) {
    this.#db = db;
    this.#now = now;
    this.#stmt = {
      add: db.prepare('INSERT INTO datamodel_uploads (token, app, file_name, file_path, put_until, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
      get: db.prepare('SELECT token, app, file_name, file_path, put_until, stored FROM datamodel_uploads WHERE token = ?'),
      stored: db.prepare('UPDATE datamodel_uploads SET stored = 1 WHERE token = ?'),
      storedPath: db
        .prepare('SELECT file_path FROM datamodel_uploads WHERE app = ? AND file_name = ? AND stored = 1 ORDER BY created_at DESC LIMIT 1')
        .pluck(),
      prune: db.prepare('DELETE FROM datamodel_uploads WHERE (stored = 0 AND put_until < ?) OR created_at < ?'),
    };
  }

  /** Where the file an app uploaded under `fileName` lies in the file service (the newest such), if it was stored. */
  storedPath(app: string, fileName: string): string | undefined {
    return this.#stmt.storedPath.get(app, fileName) as string | undefined;
  }

  /** A new upload slot: its token and file path; the URL is the caller's (it knows its address). */
  create(p: { app: string; fileName?: unknown; fileType?: unknown; ttlMs: number }): { token: string; fileName: string } {
    let fileName: string;
    const token = randomBytes(16).toString('hex');
    if (p.fileName !== undefined) fileName = checkFileName(p.fileName);
    else {
      // The platform's call names only a type: the box names the file, as the platform does.
      const ext = p.fileType === undefined ? 'bin' : String(p.fileType).replace(/^\./, '');
      if (!EXT.test(ext)) throw dmError('param', 'fileType must be an extension such as jpg');
      fileName = `${token.slice(0, 12)}.${ext.toLowerCase()}`;
    }
    const now = this.#now();
    this.#stmt.add.run(token, p.app, fileName, `datamodel/${safeSegment(p.app)}/${token}/${fileName}`, now + p.ttlMs, now);
    return { token, fileName };
  }

  urlPath(token: string, fileName: string): string {
    return `${FILE_PREFIX}${token}/${encodeURIComponent(fileName)}`;
  }

  /** The slot a `/data/model/file/<token>/<fileName>` URL names, or a 404. */
  #slot(pathname: string): UploadRow {
    const rest = pathname.slice(FILE_PREFIX.length).split('/');
    if (rest.length !== 2 || !TOKEN.test(rest[0]!)) throw dmError('notFound', 'no such file');
    let name: string;
    try {
      name = decodeURIComponent(rest[1]!);
    } catch {
      throw dmError('notFound', 'no such file');
    }
    const row = this.#stmt.get.get(rest[0]) as UploadRow | undefined;
    if (!row || row.file_name !== name) throw dmError('notFound', 'no such file');
    return row;
  }

  /** `PUT <url>`: the bytes, streamed into the file service; one PUT per slot, before it runs out. */
  async put(req: IncomingMessage, res: ServerResponse, files: FileService, pathname: string, keepMs: number): Promise<void> {
    const row = this.#slot(pathname);
    if (row.stored) throw dmError('forbidden', 'this upload URL was already used');
    if (this.#now() > row.put_until) throw dmError('forbidden', 'this upload URL has expired; ask for a new one');
    const store = files.store;
    const max = store.options.maxFileBytes;
    const cap = Math.min(max, store.room(row.file_path));
    const declared = Number(req.headers['content-length']);
    if (declared > max) throw dmError('tooLarge', `file larger than ${max} bytes`);
    if (declared > cap) throw fromFileError(store.fullError(declared));
    const writer = new TempWriter(store.tempFile());
    try {
      await new Promise<void>((resolve, reject) => {
        const done = (err?: unknown): void => {
          req.off('data', onData).off('end', onEnd).off('error', done).off('close', onClose);
          if (err === undefined) return resolve();
          req.pause();
          reject(err);
        };
        const onData = (d: Buffer): void => {
          if (writer.bytes + d.length > cap) {
            done(
              cap < max ? fromFileError(store.fullError(writer.bytes + d.length)) : dmError('tooLarge', `file larger than ${max} bytes`),
            );
            return;
          }
          if (!writer.write(d)) {
            req.pause();
            writer.onDrain(() => req.resume());
          }
        };
        const onEnd = (): void => done();
        const onClose = (): void => {
          if (!req.complete) done(dmError('param', 'the request ended before its body did'));
        };
        req.on('data', onData).on('end', onEnd).on('error', done).on('close', onClose);
      });
      if (writer.bytes === 0) throw dmError('param', 'the file is empty');
      const md5 = await writer.finish();
      const given = req.headers['content-md5'];
      if (typeof given === 'string' && given !== Buffer.from(md5, 'hex').toString('base64'))
        throw dmError('param', 'Content-MD5 does not match the body');
      // The slot may have been used by a parallel PUT while this one streamed.
      const again = this.#stmt.get.get(row.token) as UploadRow | undefined;
      if (!again || again.stored) throw dmError('forbidden', 'this upload URL was already used');
      const committed = this.#db.transaction(() => {
        const c = store.commit(writer.file, row.file_path, writer.bytes, md5, keepMs);
        this.#stmt.stored.run(row.token);
        return c;
      })();
      await store.flush(row.file_path);
      res.writeHead(200, { ETag: committed.etag, 'Content-Length': 0 }).end();
    } catch (err) {
      await writer.abort();
      throw err instanceof FileServiceError ? fromFileError(err) : err;
    }
  }

  /** `GET`/`HEAD <url>`: the stored bytes, as the file service serves them. */
  async get(req: IncomingMessage, res: ServerResponse, files: FileService, pathname: string): Promise<void> {
    const row = this.#slot(pathname);
    if (!row.stored) throw dmError('notFound', 'nothing was uploaded to this URL yet');
    try {
      await serveFile(req, res, files.store, urlPathOf(row.file_path));
    } catch (err) {
      throw err instanceof FileServiceError ? fromFileError(err) : err;
    }
  }

  /** Forget slots never used in time, and those whose files have expired. */
  prune(keepMs: number): number {
    const now = this.#now();
    return this.#stmt.prune.run(now, now - keepMs).changes;
  }
}

/** An app name as one path segment (app names are the apps part's; anything else is replaced). */
const safeSegment = (app: string): string => app.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64) || '_';
