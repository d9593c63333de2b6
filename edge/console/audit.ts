/**
 * The audit trail: every console action with the user, the client address, the target and
 * the outcome — one log line (comp=console, audit=true) and one row in `console_audit`.
 * Details never carry secrets: callers pass only ids, names and counts.
 */
import type { Logger } from '../log.js';
import type { Db } from '../store/db.js';

export interface AuditEntry {
  user: string;
  ip: string;
  action: string;
  target?: string | undefined;
  ok: boolean;
  detail?: string | undefined;
}

export interface AuditRow extends AuditEntry {
  id: number;
  at: number;
}

export class Audit {
  readonly #insert;
  readonly #recent;
  readonly #log: Logger;

  constructor(db: Db, log: Logger) {
    this.#log = log;
    this.#insert = db.prepare('INSERT INTO console_audit (at, user, ip, action, target, ok, detail) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.#recent = db.prepare<[number], Omit<AuditRow, 'ok'> & { ok: number }>('SELECT id, at, user, ip, action, target, ok, detail FROM console_audit ORDER BY id DESC LIMIT ?');
  }

  record(e: AuditEntry): void {
    this.#log.info({ audit: true, user: e.user, ip: e.ip, action: e.action, target: e.target, ok: e.ok, detail: e.detail }, 'console action');
    try {
      this.#insert.run(Date.now(), e.user, e.ip, e.action, e.target ?? null, e.ok ? 1 : 0, e.detail ?? null);
    } catch (err) {
      this.#log.error({ err, action: e.action }, 'audit row not written');
    }
  }

  recent(limit: number): AuditRow[] {
    return this.#recent.all(limit).map((r) => ({ ...r, ok: Boolean(r.ok) }));
  }
}
