/**
 * The box database: one better-sqlite3 connection, owned here, in the host process only.
 * Drivers never open it. Each area brings its own numbered migrations (`migrate(db, area, migrations)`),
 * applied in order inside one transaction per step and recorded per area, so areas never
 * collide on migration numbers.
 *
 * Durability: WAL with synchronous=NORMAL. A commit is in the WAL file when it returns, so a
 * crashed or killed process (kill -9) loses nothing committed; the WAL is fsynced at checkpoints,
 * which `Checkpointer` runs off the event loop every 250 ms, so a power cut can lose at most that
 * window. FULL (an fsync per commit) measured p50 0.7 ms / p99 13 ms per commit on this class of
 * machine: too slow for a pass record per decision or an outbox row per uplink message.
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

export interface Migration {
  version: number;
  /** SQL run with db.exec, or a function for data migrations. */
  up: string | ((db: Db) => void);
}

export function openDatabase(file: string): Db {
  if (file !== ':memory:') {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // Created private before SQLite opens it: SQLite gives the WAL and shm files the database's mode.
    closeSync(openSync(file, 'a', 0o600));
    chmodSync(file, 0o600);
  }
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    area TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    applied_at INTEGER NOT NULL
  )`);
  return db;
}

/** Apply the pending migrations of one area. Idempotent; each step is atomic. */
export function migrate(db: Db, area: string, migrations: readonly Migration[]): number {
  const row = db.prepare('SELECT version FROM schema_migrations WHERE area = ?').get(area) as { version: number } | undefined;
  let current = row?.version ?? 0;
  const pending = [...migrations].filter((m) => m.version > current).sort((a, b) => a.version - b.version);
  const record = db.prepare(
    'INSERT INTO schema_migrations (area, version, applied_at) VALUES (?, ?, ?) ON CONFLICT(area) DO UPDATE SET version = excluded.version, applied_at = excluded.applied_at',
  );
  for (const m of pending) {
    db.transaction(() => {
      if (typeof m.up === 'string') db.exec(m.up);
      else m.up(db);
      record.run(area, m.version, Date.now());
    }).immediate();
    current = m.version;
  }
  return current;
}
