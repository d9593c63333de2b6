/**
 * The console's tables in the box DB (area `console`): the local administrator account and
 * the audit trail. There is no default password: until one is set the account row is absent.
 */
import type { Db, Migration } from '../../store/db.js';

export const consoleMigrations: Migration[] = [
  {
    version: 1,
    up: `
      CREATE TABLE console_users (
        username TEXT PRIMARY KEY,
        password_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE console_audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        user TEXT NOT NULL,
        ip TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT,
        ok INTEGER NOT NULL,
        detail TEXT
      );
      CREATE INDEX console_audit_at ON console_audit (at);
    `,
  },
];

export const ADMIN = 'admin';

export class AccountStore {
  readonly #get;
  readonly #upsert;
  readonly #count;

  constructor(db: Db) {
    this.#get = db.prepare<[string], { password_hash: string }>('SELECT password_hash FROM console_users WHERE username = ?');
    this.#upsert = db.prepare(
      'INSERT INTO console_users (username, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(username) DO UPDATE SET password_hash = excluded.password_hash, updated_at = excluded.updated_at',
    );
    this.#count = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM console_users');
  }

  hasAnyUser(): boolean {
    return (this.#count.get()?.n ?? 0) > 0;
  }

  passwordHash(username: string): string | undefined {
    return this.#get.get(username)?.password_hash;
  }

  setPasswordHash(username: string, hash: string): void {
    const now = Date.now();
    this.#upsert.run(username, hash, now, now);
  }
}
