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

/**
 * Rows kept. Every failed login is audited, so a LAN attacker could otherwise grow the table
 * (and the disk) without bound; the newest rows are kept, checked every PRUNE_EVERY inserts.
 */
export const AUDIT_KEEP_ROWS = 50_000;
const PRUNE_EVERY = 100;

export class Audit {
  readonly #insert;
  readonly #recent;
  readonly #prune;
  readonly #log: Logger;
  readonly #keep: number;
  #sincePrune = 0;

  constructor(db: Db, log: Logger, keepRows = AUDIT_KEEP_ROWS) {
    this.#log = log;
    this.#keep = keepRows;
    this.#prune = db.prepare<[number]>(
      'DELETE FROM console_audit WHERE id <= (SELECT id FROM console_audit ORDER BY id DESC LIMIT 1 OFFSET ?)',
    );
    this.#insert = db.prepare('INSERT INTO console_audit (at, user, ip, action, target, ok, detail) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.#recent = db.prepare<[number], Omit<AuditRow, 'ok'> & { ok: number }>(
      'SELECT id, at, user, ip, action, target, ok, detail FROM console_audit ORDER BY id DESC LIMIT ?',
    );
  }

  record(e: AuditEntry): void {
    this.#log.info(
      { audit: true, user: e.user, ip: e.ip, action: e.action, target: e.target, ok: e.ok, detail: e.detail },
      'console action',
    );
    try {
      this.#insert.run(Date.now(), e.user, e.ip, e.action, e.target ?? null, e.ok ? 1 : 0, e.detail ?? null);
      if (++this.#sincePrune >= PRUNE_EVERY) {
        this.#sincePrune = 0;
        this.#prune.run(this.#keep);
      }
    } catch (err) {
      this.#log.error({ err, action: e.action }, 'audit row not written');
    }
  }

  recent(limit: number): AuditRow[] {
    return this.#recent.all(limit).map((r) => ({ ...r, ok: Boolean(r.ok) }));
  }
}
