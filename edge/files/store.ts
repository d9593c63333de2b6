/**
 * The files on disk: `<dir>/oss/<filePath>` for the stored ones, `<dir>/.tmp/` for uploads in
 * progress. A file appears under `oss/` only whole: it is written to `.tmp`, flushed (fsync),
 * renamed into place (atomic within one file system) and its folder flushed, then indexed. A kill
 * mid-upload leaves a file in `.tmp` only, which the next start removes; files without an index
 * row (a kill between the rename and the index) are removed at start too.
 *
 * Every method that changes the tree is synchronous, so the sweeper, a delete and a commit never
 * interleave (a folder emptied by one is never the target of another's rename).
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  close,
  closeSync,
  constants,
  fstat,
  fsyncSync,
  mkdirSync,
  open,
  openSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmdirSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { Logger } from '../log.js';
import type { Db } from '../store/db.js';
import { fileError, type FileServiceError } from './codes.js';
import { contentTypeOf } from './content-type.js';
import { FolderFlusher } from './dir-flush.js';
import { FileIndex, type FileRow } from './index-store.js';

export interface FileStoreOptions {
  /** The service's folder (holds `oss/` and `.tmp/`). */
  dir: string;
  maxFileBytes: number;
  quotaBytes: number;
}

export interface Committed {
  path: string;
  size: number;
  etag: string;
  expiresMs: number;
}

/** A stored file opened for reading: its descriptor (the reader closes it), size from the open file, and its index row. */
export interface OpenFile {
  fd: number;
  size: number;
  row: FileRow;
}

export const etagOf = (md5Hex: string): string => `"${md5Hex}"`;

export class FileStore {
  readonly index: FileIndex;
  readonly options: FileStoreOptions;
  readonly #files: string;
  readonly #tmp: string;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #folders = new FolderFlusher();
  #realFiles = '';

  constructor(deps: { db: Db; log: Logger; now?: () => number }, options: FileStoreOptions) {
    this.index = new FileIndex(deps.db);
    this.options = options;
    this.#log = deps.log;
    this.#now = deps.now ?? Date.now;
    this.#files = join(options.dir, 'oss');
    this.#tmp = join(options.dir, '.tmp');
  }

  /** Create the folders, drop what a killed upload left, and files the index does not know. */
  open(): { partial: number; orphans: number; missing: number } {
    mkdirSync(this.#files, { recursive: true, mode: 0o750 });
    this.#realFiles = realpathSync(this.#files);
    let partial = 0;
    try {
      partial = readdirSync(this.#tmp).length;
    } catch {
      // no uploads were under way
    }
    rmSync(this.#tmp, { recursive: true, force: true });
    mkdirSync(this.#tmp, { recursive: true, mode: 0o700 });
    const seen = new Set<string>();
    let orphans = 0;
    for (const rel of this.#walk(this.#files)) {
      if (this.index.has(rel)) seen.add(rel);
      else {
        rmSync(join(this.#files, rel), { force: true });
        orphans++;
      }
    }
    let missing = 0;
    for (const { path } of this.index.oldestExpiring(Number.MAX_SAFE_INTEGER))
      if (!seen.has(path)) missing += this.index.delete(path) ? 1 : 0;
    if (partial + orphans + missing > 0) this.#log.info({ partial, orphans, missing }, 'file store tidied at start');
    return { partial, orphans, missing };
  }

  /** A fresh temporary file name for an upload. */
  tempFile(): string {
    return join(this.#tmp, `${randomUUID()}.part`);
  }

  /** Bytes left under the quota (one more file of the same path would free its old bytes too). */
  room(replacing?: string): number {
    const old = replacing ? (this.index.get(replacing)?.size ?? 0) : 0;
    return this.options.quotaBytes - this.index.usage().bytes + old;
  }

  /** The error of a full store: how full, and the files that expire first (they go first). */
  fullError(needed: number): FileServiceError {
    const u = this.index.usage();
    const next = this.index
      .oldestExpiring(5)
      .map((f) => `${f.path} (expires ${new Date(f.expires_ms).toISOString()})`)
      .join(', ');
    return fileError(
      'full',
      `storage full: ${u.bytes} of ${this.options.quotaBytes} bytes used by ${u.files} files, ${needed} more needed; ` +
        `the oldest-expiring files: ${next || 'none'}`,
    );
  }

  /**
   * Move a flushed temporary file into place and index it; the temporary file is gone either way.
   * The rename and the index row happen together (synchronously: nothing interleaves); flushing
   * the folder is left to `flush` so it does not hold the event loop.
   */
  commit(tmp: string, filePath: string, size: number, md5Hex: string, expireMs: number): Committed {
    try {
      if (size > this.room(filePath)) throw this.fullError(size);
      renameSync(tmp, this.#target(filePath));
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
    const now = this.#now();
    const row: FileRow = {
      path: filePath,
      size,
      etag: etagOf(md5Hex),
      content_type: contentTypeOf(filePath),
      created_ms: now,
      expires_ms: now + expireMs,
    };
    this.index.put(row);
    return { path: filePath, size, etag: row.etag, expiresMs: row.expires_ms };
  }

  /** Flush the folder of a committed file to disk (an upload is answered after it). */
  flush(filePath: string): Promise<void> {
    return this.#folders.flush(dirname(join(this.#files, filePath)));
  }

  /**
   * Store bytes held in memory (pictures of the box's own parts): the same way as an upload, the
   * content flushed, the folder not (a power cut may lose the picture, never serve it half).
   */
  putBytes(filePath: string, bytes: Buffer, expireMs: number): Committed {
    if (bytes.length > this.options.maxFileBytes) throw fileError('tooLarge', `file larger than ${this.options.maxFileBytes} bytes`);
    if (bytes.length > this.room(filePath)) throw this.fullError(bytes.length);
    const tmp = this.tempFile();
    const fd = openSync(tmp, 'wx', 0o640);
    try {
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
      fsyncSync(fd);
    } catch (err) {
      closeSync(fd);
      rmSync(tmp, { force: true });
      throw err;
    }
    closeSync(fd);
    return this.commit(tmp, filePath, bytes.length, createHash('md5').update(bytes).digest('hex'), expireMs);
  }

  /** Where a stored file lies on disk (for the box's own readers; clients go through `read`). */
  pathOf(filePath: string): string {
    return join(this.#files, filePath);
  }

  /** Remove a file and its index row; false when there was none. */
  remove(filePath: string): boolean {
    const had = this.index.delete(filePath);
    const full = join(this.#files, filePath);
    rmSync(full, { force: true });
    this.#pruneDirs(dirname(full));
    return had;
  }

  /** Open a stored file for reading; undefined when it is not in the store (or is not a plain file in it). */
  async read(filePath: string): Promise<OpenFile | undefined> {
    const row = this.index.get(filePath);
    if (!row) return undefined;
    const full = join(this.#files, filePath);
    if (!this.#inside(dirname(full), dirname(filePath))) return undefined;
    return new Promise((resolve) => {
      // Callbacks, not fs/promises: two thread-pool trips per download and no promise per read.
      open(full, constants.O_RDONLY | constants.O_NOFOLLOW, (err, fd) => {
        if (err) return resolve(undefined);
        fstat(fd, (e, st) => {
          if (!e && st.isFile()) return resolve({ fd, size: st.size, row });
          close(fd, () => resolve(undefined));
        });
      });
    });
  }

  /** Remove files whose expiry has passed, at most `limit`; returns how many. */
  sweep(now = this.#now(), limit = 1000): number {
    const paths = this.index.expired(now, limit);
    for (const p of paths) this.remove(p);
    if (paths.length > 0) this.#log.debug({ files: paths.length }, 'expired files removed');
    return paths.length;
  }

  /** The folder for `filePath`, created, and checked to be inside the store (no symlinked folder on the way). */
  #target(filePath: string): string {
    const full = join(this.#files, filePath);
    mkdirSync(dirname(full), { recursive: true, mode: 0o750 });
    if (!this.#inside(dirname(full), dirname(filePath))) throw fileError('param', 'filePath leads outside the store');
    return full;
  }

  /** True when `dir`, resolved, is exactly `<store>/<relDir>`: no symlink on the way. */
  #inside(dir: string, relDir: string): boolean {
    try {
      return realpathSync(dir) === (relDir === '.' ? this.#realFiles : join(this.#realFiles, relDir));
    } catch {
      return false;
    }
  }

  /** Remove empty folders from `dir` up to the store's root. */
  #pruneDirs(dir: string): void {
    for (let d = dir; d.startsWith(this.#files + sep); d = dirname(d)) {
      try {
        rmdirSync(d);
      } catch {
        return;
      }
    }
  }

  /** Every plain file and symlink under `dir`, as `/`-joined paths relative to the store. */
  *#walk(dir: string): Generator<string> {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) yield* this.#walk(p);
      else yield relative(this.#files, p).split(sep).join('/');
    }
  }
}
