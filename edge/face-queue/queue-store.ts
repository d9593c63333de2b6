/**
 * The durable per-device command queue of the face-terminal push protocol (seed 003). The
 * terminal polls each service at its interval and takes at most one command at a time: "云端每次
 * 只需要下发 1 条给设备，等待设备返回操作结果之后，再下发下一条" (L3781-3783). The queue lives in the
 * box database (a driver never opens it) and is reached by the driver through host services.
 *
 *   queued ──next()──▶ sent ──result 100──▶ done
 *     │                 │ ──result other──▶ failed
 *     │                 │ no result within resultTimeout: sent again (attempts+1), failed after maxAttempts
 *     └──expiresAt──────┴──▶ expired          (a remote open must not fire minutes late)
 *
 * Every transition is one synchronous immediate transaction.
 */
import { randomUUID } from 'node:crypto';
import { migrate, type Db } from '../store/db.js';
import { PersonLedger } from './person-ledger.js';
import {
  ACTIVE,
  MIGRATIONS,
  QUEUE_DEFAULTS,
  toCommand,
  type Command,
  type CommandState,
  type EnqueueInput,
  type NextResult,
  type QueueOptions,
  type ResultOutcome,
  type Row,
} from './command.js';

export { QUEUE_DEFAULTS } from './command.js';
export type { Command, CommandState, EnqueueInput, NextResult, QueueOptions, ResultOutcome } from './command.js';

export class FaceCommandQueue {
  readonly #db: Db;
  readonly #opts: QueueOptions;
  readonly #s;
  /** Persons each terminal holds (kept with the person commands' results). */
  readonly persons: PersonLedger;

  constructor(db: Db, opts: Partial<QueueOptions> = {}) {
    this.#db = db;
    this.#opts = { ...QUEUE_DEFAULTS, ...opts };
    migrate(db, 'face-queue', MIGRATIONS);
    this.persons = new PersonLedger(db);
    this.#s = {
      insert:
        db.prepare(`INSERT INTO face_commands (device_key, service, msg_id, ref, payload, state, attempts, max_attempts, created_at, expires_at, updated_at, result_timeout_ms)
        VALUES (?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?, ?)`),
      byId: db.prepare('SELECT * FROM face_commands WHERE id = ?'),
      byMsg: db.prepare('SELECT * FROM face_commands WHERE msg_id = ? AND device_key = ?'),
      supersede: db.prepare(
        `UPDATE face_commands SET state = 'superseded', updated_at = ? WHERE device_key = ? AND service = ? AND ref = ? AND state = 'queued'`,
      ),
      expire: db.prepare(
        `UPDATE face_commands SET state = 'expired', updated_at = ? WHERE device_key = ? AND service = ? AND state IN ('queued','sent') AND expires_at IS NOT NULL AND expires_at <= ? RETURNING *`,
      ),
      activeOf: db.prepare(`SELECT * FROM face_commands WHERE device_key = ? AND service = ? AND state IN ('queued','sent') ORDER BY id`),
      inFlight: db.prepare(`SELECT * FROM face_commands WHERE device_key = ? AND service = ? AND state = 'sent' ORDER BY id LIMIT 1`),
      oldestQueued: db.prepare(`SELECT * FROM face_commands WHERE device_key = ? AND service = ? AND state = 'queued' ORDER BY id LIMIT 1`),
      markSent: db.prepare(`UPDATE face_commands SET state = 'sent', attempts = attempts + 1, sent_at = ?, updated_at = ? WHERE id = ?`),
      finish: db.prepare(`UPDATE face_commands SET state = ?, error_code = ?, result = ?, updated_at = ? WHERE id = ?`),
      touch: db.prepare(`UPDATE face_commands SET sent_at = ?, result = ?, updated_at = ? WHERE id = ?`),
      list: db.prepare(
        `SELECT * FROM face_commands WHERE device_key = ? AND (? IS NULL OR service = ?) AND state IN ('queued','sent') ORDER BY id LIMIT ?`,
      ),
      prune: db.prepare(`DELETE FROM face_commands WHERE state NOT IN ('queued','sent') AND updated_at < ?`),
    };
  }

  enqueue(input: EnqueueInput, now = Date.now()): Command {
    return this.#db
      .transaction(() => {
        if (input.ref) this.#s.supersede.run(now, input.deviceKey, input.service, input.ref);
        const msgId = randomUUID();
        const info = this.#s.insert.run(
          input.deviceKey,
          input.service,
          msgId,
          input.ref ?? null,
          JSON.stringify(input.payload),
          input.maxAttempts ?? this.#opts.maxAttempts,
          now,
          input.expiresAt ?? null,
          now,
          input.resultTimeoutMs ?? null,
        );
        return toCommand(this.#s.byId.get(info.lastInsertRowid) as Row);
      })
      .immediate();
  }

  /** The command to hand to the terminal on this poll, if any (one in flight per device and service). */
  next(deviceKey: string, service: string, now = Date.now()): NextResult {
    return this.#db
      .transaction((): NextResult => {
        const ended = (this.#s.expire.all(now, deviceKey, service, now) as Row[]).map(toCommand);
        const out = (r: { command: Command } | { busy: Command } | { empty: true }): NextResult => (ended.length > 0 ? { ...r, ended } : r);
        for (;;) {
          const sent = this.#s.inFlight.get(deviceKey, service) as Row | undefined;
          if (!sent) break;
          if ((sent.sent_at ?? 0) + (sent.result_timeout_ms ?? this.#opts.resultTimeoutMs) > now) return out({ busy: toCommand(sent) });
          if (sent.attempts >= sent.max_attempts) {
            this.#s.finish.run('failed', '', JSON.stringify({ reason: `no result after ${sent.attempts} attempts` }), now, sent.id);
            ended.push(toCommand(this.#s.byId.get(sent.id) as Row));
            continue;
          }
          this.#s.markSent.run(now, now, sent.id); // the terminal did not answer: hand it out again
          return out({ command: toCommand(this.#s.byId.get(sent.id) as Row) });
        }
        const q = this.#s.oldestQueued.get(deviceKey, service) as Row | undefined;
        if (!q) return out({ empty: true });
        this.#s.markSent.run(now, now, q.id);
        return out({ command: toCommand(this.#s.byId.get(q.id) as Row) });
      })
      .immediate();
  }

  /**
   * The terminal's result for `msgId`. `final: false` is one item of a multi-item answer
   * (info/get extraction): it is appended and the command stays in flight.
   */
  result(
    deviceKey: string,
    msgId: string,
    errorCode: string,
    body: Record<string, unknown>,
    opts: { final?: boolean; inProgress?: boolean } = {},
    now = Date.now(),
  ): ResultOutcome {
    return this.#db
      .transaction((): ResultOutcome => {
        const row = this.#s.byMsg.get(msgId, deviceKey) as Row | undefined;
        if (!row) return { status: 'unknown' };
        if (!ACTIVE.includes(row.state)) return { status: 'duplicate', command: toCommand(row) };
        const prev = row.result ? (JSON.parse(row.result) as Record<string, unknown>) : {};
        if (opts.inProgress || opts.final === false) {
          const items = Array.isArray(prev.items) ? (prev.items as unknown[]) : [];
          if (opts.final === false && items.length < this.#opts.maxItems) items.push(body);
          const next = opts.final === false ? { ...prev, items } : { ...prev, progress: body };
          this.#s.touch.run(now, JSON.stringify(next), now, row.id);
          return { status: 'progress', command: toCommand(this.#s.byId.get(row.id) as Row) };
        }
        const state: CommandState = errorCode === '100' ? 'done' : 'failed';
        const items =
          opts.final === true && Array.isArray(prev.items)
            ? { items: [...(prev.items as unknown[]), body].slice(0, this.#opts.maxItems) }
            : {};
        // The last progress stays with the outcome: a reader that polls (OTA) still sees each step.
        const progress = prev.progress !== undefined ? { progress: prev.progress } : {};
        this.#s.finish.run(state, errorCode, JSON.stringify({ ...body, ...items, ...progress }), now, row.id);
        if (state === 'done') this.#keepLedger(row, items.items ?? [body], now);
        return { status: state, command: toCommand(this.#s.byId.get(row.id) as Row) };
      })
      .immediate();
  }

  /** A confirmed person command or a complete person extraction updates the person ledger (same transaction). */
  #keepLedger(row: Row, items: unknown[], now: number): void {
    if (row.service === 'person') {
      const person = (JSON.parse(row.payload) as { person?: unknown }).person;
      if (person && typeof person === 'object') this.persons.applyConfirmed(row.device_key, [person as Record<string, unknown>], now);
    } else if (row.service === 'info') {
      const list = items.filter((i): i is Record<string, unknown> => !!i && typeof i === 'object');
      const total = Number(list.at(-1)?.personNum);
      // Only a complete list replaces the ledger (items are capped at maxItems).
      if (Number.isInteger(total) && (total === 0 || list.length === total))
        this.persons.replace(row.device_key, total === 0 ? [] : list.map((i) => String(i.idNumber ?? '').trim()), now);
    }
  }

  /** Cancel every waiting command of one service (the terminal went away); the cancelled ones. */
  cancelService(deviceKey: string, service: string, now = Date.now()): Command[] {
    return this.#db
      .transaction(() => {
        const rows = this.#s.activeOf.all(deviceKey, service) as Row[];
        for (const r of rows) this.#s.finish.run('cancelled', '', r.result, now, r.id);
        return rows.map((r) => ({ ...toCommand(r), state: 'cancelled' as const }));
      })
      .immediate();
  }

  get(deviceKey: string, msgId: string): Command | undefined {
    const r = this.#s.byMsg.get(msgId, deviceKey) as Row | undefined;
    return r ? toCommand(r) : undefined;
  }

  /** Commands still waiting (queued or in flight), oldest first. */
  active(deviceKey: string, service?: string, limit = 100): Command[] {
    return (this.#s.list.all(deviceKey, service ?? null, service ?? null, limit) as Row[]).map(toCommand);
  }

  cancel(deviceKey: string, msgId: string, now = Date.now()): boolean {
    return this.#db
      .transaction(() => {
        const row = this.#s.byMsg.get(msgId, deviceKey) as Row | undefined;
        if (!row || !ACTIVE.includes(row.state)) return false;
        this.#s.finish.run('cancelled', '', row.result, now, row.id);
        return true;
      })
      .immediate();
  }

  prune(now = Date.now()): number {
    return this.#s.prune.run(now - this.#opts.keepFinishedMs).changes;
  }
}
