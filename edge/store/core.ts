/** The runtime's own tables: deployment history (audit of every deploy, refused ones too); `meta` is reserved for box-wide keys. */
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

  constructor(db: Db) {
    this.#insert = db.prepare('INSERT INTO deployments (at, source, ok, config, diff, error) VALUES (?, ?, ?, ?, ?, ?)');
    this.#recent = db.prepare<[number], DeploymentRecord>(
      'SELECT id, at, source, ok, config, diff, error FROM deployments ORDER BY id DESC LIMIT ?',
    );
  }

  record(source: string, ok: boolean, config: unknown, diff?: unknown, error?: string): void {
    this.#insert.run(
      Date.now(),
      source,
      ok ? 1 : 0,
      JSON.stringify(config),
      diff === undefined ? null : JSON.stringify(diff),
      error ?? null,
    );
  }

  recent(limit = 20): DeploymentRecord[] {
    return this.#recent.all(limit).map((r) => ({ ...r, ok: Boolean(r.ok) }));
  }
}
