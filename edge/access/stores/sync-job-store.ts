/**
 * Sync-file jobs (`access_sync_jobs`): one row per permission or face file a door was sent,
 * from download to done or failed. The sync jobs (sync/sync-jobs.ts) drive the states; this is
 * their SQL.
 */
import type { Db } from '../../store/db.js';

export interface InterruptedJob {
  id: number;
  deviceKey: string;
  kind: string;
}

export interface LastSyncJob {
  device: string;
  state: string;
  error: string | null;
  at: number;
}

export class SyncJobStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  start(deviceKey: string, kind: string, url: string, now: number): number {
    return Number(
      this.#db
        .prepare('INSERT INTO access_sync_jobs (device_key, kind, url, state, started_at) VALUES (?, ?, ?, ?, ?)')
        .run(deviceKey, kind, url.slice(0, 2048), 'downloading', now).lastInsertRowid,
    );
  }

  finish(id: number, state: string, status: number, error: string | null, now: number, counts?: { total?: number; md5?: string }): void {
    this.#db
      .prepare(
        'UPDATE access_sync_jobs SET state = ?, sync_pic_status = ?, error = ?, total = COALESCE(?, total), file_md5 = COALESCE(?, file_md5), finished_at = ? WHERE id = ?',
      )
      .run(state, status, error, counts?.total ?? null, counts?.md5 ?? null, now, id);
  }

  /** A permission file applied in full: `total` entries, all done. */
  permissionsDone(id: number, total: number, md5: string, now: number): void {
    this.#db
      .prepare(
        "UPDATE access_sync_jobs SET state = 'done', sync_pic_status = 0, total = ?, done = ?, file_md5 = ?, finished_at = ? WHERE id = ?",
      )
      .run(total, total, md5, now, id);
  }

  /** A face file stored; its pictures and features may still be fetched. */
  facesApplied(id: number, groupId: string, total: number, md5: string): void {
    this.#db
      .prepare("UPDATE access_sync_jobs SET state = 'applied', group_id = ?, total = ?, file_md5 = ? WHERE id = ?")
      .run(groupId, total, md5, id);
  }

  /** Face files whose faces were stored go on deploying (call in a transaction). */
  resumeApplied(deployingStatus: number): void {
    this.#db.prepare("UPDATE access_sync_jobs SET state = 'deploying', sync_pic_status = ? WHERE state = 'applied'").run(deployingStatus);
  }

  /** Jobs still downloading or parsing: a restart interrupted them. */
  downloading(): InterruptedJob[] {
    return this.#db
      .prepare("SELECT id, device_key AS deviceKey, kind FROM access_sync_jobs WHERE state = 'downloading'")
      .all() as InterruptedJob[];
  }

  /** Whether a config seed file with this md5 was applied to the door already. */
  seedApplied(deviceKey: string, md5: string): boolean {
    return !!this.#db
      .prepare("SELECT 1 FROM access_sync_jobs WHERE device_key = ? AND url = '(config seed)' AND file_md5 = ? AND state = 'done'")
      .pluck()
      .get(deviceKey, md5);
  }

  /** The latest job of each door. */
  lastOfEachDevice(): LastSyncJob[] {
    return this.#db
      .prepare(
        'SELECT device_key AS device, state, error, COALESCE(finished_at, started_at) AS at FROM access_sync_jobs WHERE id IN (SELECT MAX(id) FROM access_sync_jobs GROUP BY device_key)',
      )
      .all() as LastSyncJob[];
  }
}
