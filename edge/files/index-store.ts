/**
 * The file index in the box database: one row per stored file with its size, ETag, type and
 * expiry. It is the authority on what exists (a file on disk without a row is not served, and is
 * removed at the next start) and it survives restarts, so a file keeps its expiry whatever
 * happens to the daemon [seed 001 L39755-39756: no file is removed before its expire time].
 */
import { migrate, type Db, type Migration } from '../store/db.js';

export interface FileRow {
  path: string;
  size: number;
  etag: string;
  content_type: string;
  created_ms: number;
  expires_ms: number;
}

const migrations: Migration[] = [
  {
    version: 1,
    up: `CREATE TABLE files_index (
      path TEXT PRIMARY KEY,
      size INTEGER NOT NULL,
      etag TEXT NOT NULL,
      content_type TEXT NOT NULL,
      created_ms INTEGER NOT NULL,
      expires_ms INTEGER NOT NULL
    );
    CREATE INDEX files_index_expiry ON files_index(expires_ms);`,
  },
];

export class FileIndex {
  readonly #get;
  readonly #put;
  readonly #delete;
  readonly #expired;
  readonly #total;
  readonly #oldest;
  /** Bytes and files in the index, counted once and then kept by `put` and `delete` (the quota check is per upload). */
  #usage: { bytes: number; files: number } | undefined;

  constructor(db: Db) {
    migrate(db, 'files', migrations);
    this.#get = db.prepare('SELECT * FROM files_index WHERE path = ?');
    this.#put = db.prepare(`INSERT INTO files_index (path, size, etag, content_type, created_ms, expires_ms)
      VALUES (@path, @size, @etag, @content_type, @created_ms, @expires_ms)
      ON CONFLICT(path) DO UPDATE SET size = excluded.size, etag = excluded.etag, content_type = excluded.content_type,
        created_ms = excluded.created_ms, expires_ms = excluded.expires_ms`);
    this.#delete = db.prepare('DELETE FROM files_index WHERE path = ? RETURNING size').pluck();
    this.#expired = db.prepare('SELECT path FROM files_index WHERE expires_ms <= ? ORDER BY expires_ms LIMIT ?').pluck();
    this.#total = db.prepare('SELECT COALESCE(SUM(size), 0) AS bytes, COUNT(*) AS files FROM files_index');
    this.#oldest = db.prepare('SELECT path, expires_ms FROM files_index ORDER BY expires_ms, path LIMIT ?');
  }

  get(path: string): FileRow | undefined {
    return this.#get.get(path) as FileRow | undefined;
  }

  put(row: FileRow): void {
    const old = this.get(row.path);
    this.#put.run(row);
    if (this.#usage) {
      this.#usage.bytes += row.size - (old?.size ?? 0);
      if (!old) this.#usage.files++;
    }
  }

  delete(path: string): boolean {
    const size = this.#delete.get(path) as number | undefined;
    if (size === undefined) return false;
    if (this.#usage) {
      this.#usage.bytes -= size;
      this.#usage.files--;
    }
    return true;
  }

  /** Paths whose expiry has passed, the longest expired first. */
  expired(now: number, limit: number): string[] {
    return this.#expired.all(now, limit) as string[];
  }

  usage(): { bytes: number; files: number } {
    this.#usage ??= this.#total.get() as { bytes: number; files: number };
    return { ...this.#usage };
  }

  /** The files that expire first (what an installer could remove to make room). */
  oldestExpiring(limit: number): { path: string; expires_ms: number }[] {
    return this.#oldest.all(limit) as { path: string; expires_ms: number }[];
  }

  has(path: string): boolean {
    return this.get(path) !== undefined;
  }
}
