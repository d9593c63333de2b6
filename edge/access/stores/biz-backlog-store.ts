/** Business reports (`access_biz_backlog`) kept while no cloud outbox is attached yet. */
import type { Db } from '../../store/db.js';

export interface BacklogRow {
  id: number;
  deviceKey: string;
  bizType: string;
  payload: string;
  time: number;
}

export class BizBacklogStore {
  readonly #db: Db;
  readonly #insert;
  readonly #trim;

  constructor(db: Db) {
    this.#db = db;
    this.#insert = db.prepare('INSERT INTO access_biz_backlog (device_key, biz_type, payload, time) VALUES (?, ?, ?, ?)');
    this.#trim = db.prepare('DELETE FROM access_biz_backlog WHERE id <= (SELECT MAX(id) FROM access_biz_backlog) - ?');
  }

  /** Keep one report; beyond `max` the oldest go. */
  add(deviceKey: string, bizType: string, payload: string, time: number, max: number): void {
    this.#insert.run(deviceKey, bizType, payload, time);
    this.#trim.run(max);
  }

  all(): BacklogRow[] {
    return this.#db
      .prepare('SELECT id, device_key AS deviceKey, biz_type AS bizType, payload, time FROM access_biz_backlog ORDER BY id')
      .all() as BacklogRow[];
  }

  clear(): void {
    this.#db.prepare('DELETE FROM access_biz_backlog').run();
  }
}
