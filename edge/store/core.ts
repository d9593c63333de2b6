/** The runtime's own tables: key/value metadata and deployment history (for rollback and audit). */
import type { Db, Migration } from './db.js';

export const coreMigrations: Migration[] = [
  {
    version: 1,
    up: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE deployments (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        source TEXT NOT NULL,
        ok INTEGER NOT NULL,
        config TEXT NOT NULL,
        diff TEXT,
        error TEXT
      );
    `,
  },
];

export class MetaRepository {
  readonly #get;
  readonly #set;

  constructor(db: Db) {
    this.#get = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
    this.#set = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  }

  get(key: string): string | undefined {
    return this.#get.get(key)?.value;
  }

  set(key: string, value: string): void {
    this.#set.run(key, value);
  }
}

export interface DeploymentRecord {
  id: number;
  at: number;
  source: string;
  ok: boolean;
  config: string;
  diff: string | null;
  error: string | null;
}

export class DeploymentRepository {
  readonly #insert;
  readonly #recent;
  readonly #lastGood;

  constructor(db: Db) {
    this.#insert = db.prepare('INSERT INTO deployments (at, source, ok, config, diff, error) VALUES (?, ?, ?, ?, ?, ?)');
    this.#recent = db.prepare<[number], DeploymentRecord>('SELECT id, at, source, ok, config, diff, error FROM deployments ORDER BY id DESC LIMIT ?');
    this.#lastGood = db.prepare<[], DeploymentRecord>('SELECT id, at, source, ok, config, diff, error FROM deployments WHERE ok = 1 ORDER BY id DESC LIMIT 1');
  }

  record(source: string, ok: boolean, config: unknown, diff?: unknown, error?: string): void {
    this.#insert.run(Date.now(), source, ok ? 1 : 0, JSON.stringify(config), diff === undefined ? null : JSON.stringify(diff), error ?? null);
  }

  recent(limit = 20): DeploymentRecord[] {
    return this.#recent.all(limit).map((r) => ({ ...r, ok: Boolean(r.ok) }));
  }

  lastGood(): DeploymentRecord | undefined {
    const r = this.#lastGood.get();
    return r ? { ...r, ok: Boolean(r.ok) } : undefined;
  }
}
