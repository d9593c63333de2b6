/**
 * The records of the data-model API in the box database: insert (the caller owns the
 * transaction, so the record, its cloud upload and its deliveries commit together), queries, the
 * cloud state (0 not queued, 1 queued, 2 acknowledged) and retention. Retention keeps the table
 * inside its budget: records older than `retentionDays`, and the oldest beyond `maxRecords` or
 * `maxBytes` of properties, are removed (their pending deliveries with them); the box is not the
 * archive (the cloud keeps records 30 days, digest 001g R46).
 */
import type { Db } from '../store/db.js';
import { migrate } from '../store/db.js';
import { conditionSql, type RecordQuery } from './query.js';
import { dataModelMigrations } from './schema.js';

export interface DataRecord {
  dataId: number;
  modelId: string;
  app: string;
  properties: Record<string, unknown>;
  /** UTC ms. */
  createdAt: number;
}

interface Row {
  data_id: number;
  model_id: string;
  app: string;
  properties: string;
  created_at: number;
}

export interface Budget {
  retentionMs: number;
  maxRecords: number;
  maxBytes: number;
}

export interface QueryPage {
  pageNum: number;
  pageSize: number;
  total: number;
  hasNext: boolean;
  items: DataRecord[];
}

const PRUNE_BATCH = 1000;

export const recordOf = (r: Row): DataRecord => ({
  dataId: r.data_id,
  modelId: r.model_id,
  app: r.app,
  properties: JSON.parse(r.properties) as Record<string, unknown>,
  createdAt: r.created_at,
});

export class RecordStore {
  readonly #db: Db;
  readonly #budget: Budget;
  #count = 0;
  #bytes = 0;
  readonly #insert;
  readonly #byId;
  readonly #markQueued;
  readonly #markAcked;
  readonly #unqueued;

  constructor(db: Db, budget: Budget) {
    this.#db = db;
    this.#budget = budget;
    migrate(db, 'datamodel', dataModelMigrations);
    this.#insert = db.prepare(
      'INSERT INTO datamodel_records (model_id, app, properties, bytes, created_at, cloud) VALUES (?, ?, ?, ?, ?, ?) RETURNING data_id',
    );
    this.#byId = db.prepare('SELECT data_id, model_id, app, properties, created_at FROM datamodel_records WHERE data_id = ?');
    this.#markQueued = db.prepare('UPDATE datamodel_records SET cloud = 1 WHERE data_id = ?');
    this.#markAcked = db.prepare('UPDATE datamodel_records SET cloud = 2 WHERE data_id = ? AND cloud = 1');
    this.#unqueued = db.prepare(
      'SELECT data_id, model_id, app, properties, created_at FROM datamodel_records WHERE cloud = 0 AND data_id > ? ORDER BY data_id LIMIT ?',
    );
    const t = db.prepare('SELECT COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS b FROM datamodel_records').get() as { n: number; b: number };
    this.#count = t.n;
    this.#bytes = t.b;
  }

  get count(): number {
    return this.#count;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Insert one record; call inside a transaction. `queued` marks it already handed to the cloud outbox. */
  insert(r: { modelId: string; app: string; json: string; createdAt: number; queued: boolean }): number {
    const bytes = Buffer.byteLength(r.json);
    const { data_id } = this.#insert.get(r.modelId, r.app, r.json, bytes, r.createdAt, r.queued ? 1 : 0) as { data_id: number };
    this.#count++;
    this.#bytes += bytes;
    return data_id;
  }

  get(dataId: number): DataRecord | undefined {
    const row = this.#byId.get(dataId) as Row | undefined;
    return row ? recordOf(row) : undefined;
  }

  query(q: Extract<RecordQuery, { kind: 'conditions' }>): QueryPage {
    const where = conditionSql(q.conditions);
    const args = [q.modelId, ...where.args];
    const total = (
      this.#db.prepare(`SELECT COUNT(*) AS n FROM datamodel_records WHERE model_id = ?${where.sql}`).get(...args) as { n: number }
    ).n;
    const offset = (q.pageNum - 1) * q.pageSize;
    const rows = this.#db
      .prepare(
        `SELECT data_id, model_id, app, properties, created_at FROM datamodel_records WHERE model_id = ?${where.sql} ORDER BY data_id ${q.desc ? 'DESC' : 'ASC'} LIMIT ? OFFSET ?`,
      )
      .all(...args, q.pageSize, offset) as Row[];
    return { pageNum: q.pageNum, pageSize: q.pageSize, total, hasNext: offset + rows.length < total, items: rows.map(recordOf) };
  }

  markQueued(dataId: number): void {
    this.#markQueued.run(dataId);
  }

  acknowledged(dataIds: readonly number[]): void {
    this.#db.transaction(() => {
      for (const id of dataIds) this.#markAcked.run(id);
    })();
  }

  /** Records made while no cloud outbox was attached, oldest first, a batch after `after`. */
  unqueued(after: number, limit: number): DataRecord[] {
    return (this.#unqueued.all(after, limit) as Row[]).map(recordOf);
  }

  /** Remove what is beyond the budget; how many records went. */
  prune(now: number): number {
    let removed = 0;
    const cutoff = now - this.#budget.retentionMs;
    const oldest = this.#db.prepare('SELECT data_id, bytes, created_at FROM datamodel_records ORDER BY data_id LIMIT ?');
    const del = this.#db.prepare('DELETE FROM datamodel_records WHERE data_id <= ?');
    for (;;) {
      const batch = oldest.all(PRUNE_BATCH) as Array<{ data_id: number; bytes: number; created_at: number }>;
      let upTo = 0;
      let n = 0;
      let b = 0;
      for (const r of batch) {
        const aged = r.created_at < cutoff;
        if (!aged && !(this.#count - n > this.#budget.maxRecords || this.#bytes - b > this.#budget.maxBytes)) break;
        upTo = r.data_id;
        n++;
        b += r.bytes;
      }
      if (n === 0) break;
      this.#db.transaction(() => del.run(upTo))();
      this.#count -= n;
      this.#bytes -= b;
      removed += n;
    }
    return removed;
  }
}
