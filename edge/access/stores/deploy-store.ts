/**
 * Which door must receive (or drop) which permission, and where that stands. Door drivers
 * take pending work (`take`), push it to their device, and report back (`complete`); every
 * status change goes through the status machine and is passed to `onChange` inside the
 * same transaction (the access core turns it into FACE_SYNC_STATUS reports).
 */
import type { Db } from '../../store/db.js';
import type { SyncStatus } from '../codes.js';
import { checkTransition, RETRYABLE } from '../deploy/sync-status.js';

export type DeployKind = 'face' | 'tradCard' | 'bleCard' | 'password';

export interface DeployRow {
  device_key: string;
  kind: DeployKind;
  item: string;
  group_id: string;
  is_delete: number;
  status: SyncStatus;
  pre_status: SyncStatus | null;
  attempts: number;
  error: string | null;
}

export interface StatusChange {
  deviceKey: string;
  kind: DeployKind;
  item: string;
  groupId: string;
  isDelete: boolean;
  status: SyncStatus;
  preStatus: SyncStatus | null;
  error?: string;
}

export interface DeployResult {
  kind: DeployKind;
  item: string;
  ok: boolean;
  /** On failure: the cause in the seed's vocabulary (default facePushError / deleteFailed). */
  status?: SyncStatus;
  message?: string;
}

export class DeployStore {
  readonly #db: Db;
  readonly #maxAttempts: number;
  readonly #onChange: (c: StatusChange) => void;
  readonly #get;
  readonly #upsert;
  readonly #setStatus;
  readonly #pending;
  readonly #byDevice;
  readonly #remove;

  constructor(db: Db, options: { maxAttempts?: number; onChange?: (c: StatusChange) => void } = {}) {
    this.#db = db;
    this.#maxAttempts = options.maxAttempts ?? 3;
    this.#onChange = options.onChange ?? (() => undefined);
    this.#get = db.prepare('SELECT * FROM access_deploy WHERE device_key = ? AND kind = ? AND item = ?');
    this.#upsert =
      db.prepare(`INSERT INTO access_deploy (device_key, kind, item, group_id, is_delete, status, pre_status, attempts, error, updated_at)
      VALUES (?, ?, ?, ?, ?, 'toBeTransferred', ?, 0, NULL, ?)
      ON CONFLICT(device_key, kind, item) DO UPDATE SET group_id = excluded.group_id, is_delete = excluded.is_delete, status = 'toBeTransferred',
        pre_status = excluded.pre_status, attempts = 0, error = NULL, updated_at = excluded.updated_at`);
    this.#setStatus = db.prepare(
      'UPDATE access_deploy SET status = ?, pre_status = ?, attempts = ?, error = ?, updated_at = ? WHERE device_key = ? AND kind = ? AND item = ?',
    );
    const retryable = RETRYABLE.map((s) => `'${s}'`).join(',');
    this.#pending = db.prepare(
      `SELECT * FROM access_deploy WHERE device_key = ? AND status IN (${retryable}) AND attempts < ? ORDER BY is_delete DESC, updated_at, item LIMIT ?`,
    );
    this.#byDevice = db.prepare('SELECT * FROM access_deploy WHERE device_key = ? AND kind = ? ORDER BY item');
    this.#remove = db.prepare('DELETE FROM access_deploy WHERE device_key = ? AND kind = ? AND item = ?');
  }

  get(deviceKey: string, kind: DeployKind, item: string): DeployRow | undefined {
    return this.#get.get(deviceKey, kind, item) as DeployRow | undefined;
  }

  /** A new change for a door: (re)start its delivery. */
  enqueue(deviceKey: string, kind: DeployKind, item: string, groupId: string, isDelete: boolean, now: number): void {
    const old = this.get(deviceKey, kind, item);
    // A permission the door never received and that is now deleted needs no delivery.
    if (isDelete && old && old.is_delete === 0 && (old.status === 'toBeTransferred' || old.status === 'deviceOffline')) {
      this.#remove.run(deviceKey, kind, item);
      return;
    }
    if (isDelete && !old) return;
    checkTransition(old ? old.status : 'none', 'toBeTransferred');
    this.#upsert.run(deviceKey, kind, item, groupId, isDelete ? 1 : 0, old?.status ?? null, now);
    this.#onChange({ deviceKey, kind, item, groupId, isDelete, status: 'toBeTransferred', preStatus: old?.status ?? null });
  }

  /** Move one permission to a new status (checked against the status machine). */
  move(row: DeployRow, to: SyncStatus, now: number, error?: string, attempts = row.attempts): void {
    checkTransition(row.status, to);
    this.#setStatus.run(to, row.status, attempts, error ?? null, now, row.device_key, row.kind, row.item);
    this.#onChange({
      deviceKey: row.device_key,
      kind: row.kind,
      item: row.item,
      groupId: row.group_id,
      isDelete: row.is_delete === 1,
      status: to,
      preStatus: row.status,
      ...(error ? { error } : {}),
    });
  }

  /** Up to `limit` pending items of a door, marked `transferring`; deletions first. */
  take(deviceKey: string, limit: number, now: number, accept: (row: DeployRow) => boolean = () => true): DeployRow[] {
    return this.#db
      .transaction(() => {
        const rows = (this.#pending.all(deviceKey, this.#maxAttempts, limit * 2) as DeployRow[]).filter(accept).slice(0, limit);
        for (const r of rows) this.move(r, 'transferring', now);
        return rows.map((r) => ({ ...r, pre_status: r.status, status: 'transferring' as const }));
      })
      .immediate();
  }

  /** The driver's results for items it took. Unknown or not-in-flight items are ignored. */
  complete(deviceKey: string, results: DeployResult[], now: number): { done: number; failed: number; ignored: number } {
    return this.#db
      .transaction(() => {
        let done = 0,
          failed = 0,
          ignored = 0;
        for (const r of results) {
          const row = this.get(deviceKey, r.kind, r.item);
          if (row?.status !== 'transferring') {
            ignored++;
            continue;
          }
          if (r.ok) {
            this.move(row, row.is_delete ? 'transferDeleted' : 'transferred', now);
            done++;
            continue;
          }
          failed++;
          if (r.status === 'deviceOffline') {
            // Not the data's fault: waits for the door without using up an attempt.
            this.move(row, 'deviceOffline', now, r.message);
            continue;
          }
          const attempts = row.attempts + 1;
          const cause: SyncStatus = r.status ?? (row.is_delete ? 'deleteFailed' : 'facePushError');
          if (attempts >= this.#maxAttempts) {
            // [seed 000 L672] still failing after several retries: a person must look.
            this.move(row, cause, now, r.message, attempts);
            this.move({ ...row, status: cause }, 'needManual', now, r.message, attempts);
          } else this.move(row, cause, now, r.message, attempts);
        }
        return { done, failed, ignored };
      })
      .immediate();
  }

  /** The door went offline: what waits or is in flight becomes deviceOffline (retried later). */
  deviceOffline(deviceKey: string, now: number): number {
    return this.#db
      .transaction(() => {
        const rows = this.#db
          .prepare("SELECT * FROM access_deploy WHERE device_key = ? AND status IN ('toBeTransferred','transferring')")
          .all(deviceKey) as DeployRow[];
        for (const r of rows) this.move(r, 'deviceOffline', now);
        return rows.length;
      })
      .immediate();
  }

  /** A person asked to try again (console / cloud redeploy of needManual items). */
  retry(deviceKey: string, kind: DeployKind, item: string, now: number): boolean {
    const row = this.get(deviceKey, kind, item);
    if (!row || row.status === 'transferring') return false;
    this.enqueue(deviceKey, kind, item, row.group_id, row.is_delete === 1, now);
    return true;
  }

  list(deviceKey: string, kind: DeployKind): DeployRow[] {
    return this.#byDevice.all(deviceKey, kind) as DeployRow[];
  }

  counts(deviceKey: string): Record<string, number> {
    const rows = this.#db
      .prepare('SELECT status, COUNT(*) AS n FROM access_deploy WHERE device_key = ? GROUP BY status')
      .all(deviceKey) as Array<{ status: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  /** Rows per door and status, with the latest change and an error (the console's sync overview). */
  statusByDevice(): Array<{ device: string; status: SyncStatus; n: number; at: number; error: string | null }> {
    return this.#db
      .prepare(
        'SELECT device_key AS device, status, COUNT(*) AS n, MAX(updated_at) AS at, MAX(error) AS error FROM access_deploy GROUP BY device_key, status',
      )
      .all() as Array<{ device: string; status: SyncStatus; n: number; at: number; error: string | null }>;
  }

  /** Items of a door that ended in a failure state (what "retry" re-queues). */
  failedOf(deviceKey: string): Array<{ kind: DeployKind; item: string }> {
    return this.#db
      .prepare(
        "SELECT kind, item FROM access_deploy WHERE device_key = ? AND status NOT IN ('transferred', 'transferDeleted', 'toBeTransferred', 'transferring')",
      )
      .all(deviceKey) as Array<{ kind: DeployKind; item: string }>;
  }

  /** Forget rows of a door (a face group cleaned and delivered, a door removed). */
  forget(deviceKey: string, kind: DeployKind, item: string): void {
    this.#remove.run(deviceKey, kind, item);
  }
}
