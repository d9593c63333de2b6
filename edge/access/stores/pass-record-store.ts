/**
 * Pass records (`access_pass_records`): the SQL of the pass recorder (passes/pass-recorder.ts),
 * which owns the transactions, the photos on disk and the hand-over to the outbox.
 */
import type { Db } from '../../store/db.js';

export interface RecordRow {
  id: number;
  pass_id: string;
  ref: string | null;
  time: number;
  device_key: string;
  kind: string;
  content: string;
  code: number;
  message: string;
  identity_id: string;
  face_id: string | null;
  score: number | null;
  photo: string | null;
  realtime: number;
  uploaded: number;
  event: string;
}

/** The columns a new record is inserted with (`uploaded` starts at 0, `event` empty). */
export type NewRecordRow = Omit<RecordRow, 'id' | 'uploaded' | 'event'> & { photo_bytes: number };

export interface RecordQuery {
  deviceKey?: string;
  /** Any of these doors (the console's filter by name or alias). */
  deviceKeys?: readonly string[];
  identityId?: string;
  from?: number;
  to?: number;
  limit?: number;
  beforeId?: number;
}

export class PassRecordStore {
  readonly #db: Db;
  readonly #insert;
  readonly #byRef;
  readonly #markQueued;
  readonly #markAcked;

  constructor(db: Db) {
    this.#db = db;
    this.#insert =
      db.prepare(`INSERT INTO access_pass_records (pass_id, ref, time, device_key, kind, content, code, message, identity_id, face_id, score, photo, photo_bytes, realtime, uploaded, event)
      VALUES (@pass_id, @ref, @time, @device_key, @kind, @content, @code, @message, @identity_id, @face_id, @score, @photo, @photo_bytes, @realtime, 0, '')`);
    this.#byRef = db.prepare('SELECT pass_id AS passId, photo FROM access_pass_records WHERE device_key = ? AND ref = ?');
    this.#markQueued = db.prepare('UPDATE access_pass_records SET uploaded = 1, event = ? WHERE id = ?');
    this.#markAcked = db.prepare('UPDATE access_pass_records SET uploaded = 2 WHERE pass_id = ?');
  }

  /** Insert one record; its row id. */
  insert(row: NewRecordRow): number {
    return Number(this.#insert.run(row).lastInsertRowid);
  }

  /** The record a device already reported under its own id `ref`. */
  byRef(deviceKey: string, ref: string): { passId: string; photo: string | null } | undefined {
    return this.#byRef.get(deviceKey, ref) as { passId: string; photo: string | null } | undefined;
  }

  /** Given to the outbox with this event. */
  markQueued(id: number, event: string): void {
    this.#markQueued.run(event, id);
  }

  /** The platform acknowledged the record's upload. */
  markAcked(passId: string): void {
    this.#markAcked.run(passId);
  }

  /** Records never given to an outbox, oldest first. */
  notHandedOver(limit: number): RecordRow[] {
    return this.#db.prepare('SELECT * FROM access_pass_records WHERE uploaded = 0 ORDER BY id LIMIT ?').all(limit) as RecordRow[];
  }

  /** Newest first, filtered by door, person and time (UTC ms, inclusive). */
  list(q: RecordQuery): RecordRow[] {
    return this.#db
      .prepare(`SELECT * FROM access_pass_records WHERE (@dev IS NULL OR device_key = @dev)
      AND (@devs IS NULL OR device_key IN (SELECT value FROM json_each(@devs))) AND (@person IS NULL OR identity_id = @person)
      AND (@from IS NULL OR time >= @from) AND (@to IS NULL OR time <= @to) AND (@before IS NULL OR id < @before) ORDER BY id DESC LIMIT @limit`)
      .all({
        dev: q.deviceKey ?? null,
        devs: q.deviceKeys ? JSON.stringify(q.deviceKeys) : null,
        person: q.identityId ?? null,
        from: q.from ?? null,
        to: q.to ?? null,
        before: q.beforeId ?? null,
        limit: q.limit ?? 100,
      }) as RecordRow[];
  }

  /** Refused passes, newest first. */
  refusals(limit: number): RecordRow[] {
    return this.#db.prepare('SELECT * FROM access_pass_records WHERE code <> 0 ORDER BY id DESC LIMIT ?').all(limit) as RecordRow[];
  }

  photoOf(recordId: number): string | null | undefined {
    return this.#db.prepare('SELECT photo FROM access_pass_records WHERE id = ?').pluck().get(recordId) as string | null | undefined;
  }

  /**
   * Retention, in one transaction: records older than `cutoff` go, then the oldest beyond
   * `maxRecords`, then the oldest photos until their bytes are within `photoQuotaBytes`.
   * Returns the records deleted and the photo files to remove.
   */
  prune(cutoff: number, maxRecords: number, photoQuotaBytes: number): { records: number; photos: string[] } {
    const db = this.#db;
    const photos: string[] = [];
    let records = 0;
    db.transaction(() => {
      photos.push(
        ...(db.prepare('SELECT photo FROM access_pass_records WHERE time < ? AND photo IS NOT NULL').pluck().all(cutoff) as string[]),
      );
      records += db.prepare('DELETE FROM access_pass_records WHERE time < ?').run(cutoff).changes;
      const total = db.prepare('SELECT COUNT(*) FROM access_pass_records').pluck().get() as number;
      if (total > maxRecords) {
        const over = total - maxRecords;
        photos.push(
          ...(db
            .prepare(
              'SELECT photo FROM access_pass_records WHERE photo IS NOT NULL AND id IN (SELECT id FROM access_pass_records ORDER BY id LIMIT ?)',
            )
            .pluck()
            .all(over) as string[]),
        );
        records += db
          .prepare('DELETE FROM access_pass_records WHERE id IN (SELECT id FROM access_pass_records ORDER BY id LIMIT ?)')
          .run(over).changes;
      }
      let bytes = db
        .prepare('SELECT COALESCE(SUM(photo_bytes), 0) FROM access_pass_records WHERE photo IS NOT NULL')
        .pluck()
        .get() as number;
      if (bytes > photoQuotaBytes) {
        const rows = db
          .prepare('SELECT id, photo, photo_bytes FROM access_pass_records WHERE photo IS NOT NULL ORDER BY id')
          .iterate() as IterableIterator<{
          id: number;
          photo: string;
          photo_bytes: number;
        }>;
        const drop: number[] = [];
        for (const r of rows) {
          if (bytes <= photoQuotaBytes) break;
          bytes -= r.photo_bytes;
          drop.push(r.id);
          photos.push(r.photo);
        }
        const clear = db.prepare('UPDATE access_pass_records SET photo = NULL, photo_bytes = 0 WHERE id = ?');
        for (const id of drop) clear.run(id);
      }
    }).immediate();
    return { records, photos };
  }
}
