/**
 * AutoElevatorCallRecord (人梯联动数据模型 v1.0, seed 001 L26496-26540): one per linkage
 * execution, stored with its cloud upload in one transaction — the record row and its outbox
 * row (the elevator gateway's `AutoElevatorCallRecord` event, class `record`, ref
 * `elevator:<eventId>`) commit together, and the job that produced it is deleted in the same
 * transaction, so a restart neither repeats nor loses it. The platform's acknowledgement marks
 * the row uploaded. Identifiers are the seed's, casing included (`identityID`, `mediaID`,
 * `StartRoomNumber`; spec 001d §5.13). The record carries card numbers and QR codes because the
 * model asks for them (`mediaID`); they are never logged.
 */
import type { OutboxWriter } from '../access/outbox.js';
import type { Db } from '../store/db.js';

export const RECORD_EVENT = 'AutoElevatorCallRecord';
export const RECORD_REF_PREFIX = 'elevator:';

/** Every field of the model (R9); `eventTime` is the thing model's date: UTC ms as a string. */
export interface AutoElevatorCallRecord {
  eventId: string;
  eventTime: string;
  identityID: string;
  mediaType: 'FACE' | 'QRCODE' | 'CARD';
  mediaID: string;
  entranceProductKey: string;
  entranceDeviceName: string;
  elevatorProductKey: string;
  elevatorDeviceName: string;
  startFloor: string;
  StartRoomNumber: string;
  /** JSON text of the targets acted on: `[{"targetFloor":"10","targetRoomNo":"01"}]` (format not in the seed). */
  targetList: string;
  /** 200 success; otherwise the failure's code (docs/elevators.md). */
  callResultCode: number;
  /** `success` or `failed + <detail>` (L26531-26533). */
  callResultMsg: string;
  deviceExtInfo: string;
  userExtInfo: string;
  eventExtInfo: string;
}

export interface StoredRecord {
  record: AutoElevatorCallRecord;
  dataId: string;
  elevatorKey: string;
  uploaded: number;
}

export class CallRecords {
  readonly #db: Db;
  #outbox: OutboxWriter | undefined;
  readonly #insert;
  readonly #markQueued;
  readonly #markAcked;
  readonly #deleteJob;

  constructor(db: Db) {
    this.#db = db;
    this.#insert = db.prepare(
      'INSERT INTO elevator_records (event_id, time, data_id, elevator_key, result_code, record, uploaded) VALUES (?, ?, ?, ?, ?, ?, 0)',
    );
    this.#markQueued = db.prepare('UPDATE elevator_records SET uploaded = 1 WHERE event_id = ?');
    this.#markAcked = db.prepare('UPDATE elevator_records SET uploaded = 2 WHERE event_id = ?');
    this.#deleteJob = db.prepare('DELETE FROM elevator_jobs WHERE event_id = ?');
  }

  /** Store the record, queue its upload and drop its job: all or nothing. */
  commit(r: AutoElevatorCallRecord, dataId: string, elevatorKey: string): void {
    this.#db
      .transaction(() => {
        this.#deleteJob.run(r.eventId);
        this.#insert.run(r.eventId, Number(r.eventTime), dataId, elevatorKey, r.callResultCode, JSON.stringify(r));
        if (this.#outbox) this.#handOver(r, elevatorKey);
      })
      .immediate();
  }

  #handOver(r: AutoElevatorCallRecord, elevatorKey: string): void {
    const realtime = this.#outbox!.isOnline?.() ?? true;
    this.#outbox!.enqueue({
      topicKind: realtime ? 'event' : 'eventHistory',
      deviceKey: elevatorKey,
      identifier: RECORD_EVENT,
      payload: { ...r },
      time: Number(r.eventTime),
      dedupKey: `${RECORD_REF_PREFIX}${r.eventId}`,
    });
    this.#markQueued.run(r.eventId);
  }

  /**
   * Attach the cloud outbox; records made without one (no cloud yet, or none configured) are
   * handed over now, as history (they missed realtime). Returns how many.
   */
  attachOutbox(o: OutboxWriter | undefined, limit = 10_000): number {
    this.#outbox = o;
    if (!o) return 0;
    const rows = this.#db
      .prepare('SELECT record, elevator_key FROM elevator_records WHERE uploaded = 0 ORDER BY time LIMIT ?')
      .all(limit) as Array<{ record: string; elevator_key: string }>;
    this.#db
      .transaction(() => {
        for (const row of rows) {
          const r = JSON.parse(row.record) as AutoElevatorCallRecord;
          o.enqueue({
            topicKind: 'eventHistory',
            deviceKey: row.elevator_key,
            identifier: RECORD_EVENT,
            payload: { ...r },
            time: Number(r.eventTime),
            dedupKey: `${RECORD_REF_PREFIX}${r.eventId}`,
          });
          this.#markQueued.run(r.eventId);
        }
      })
      .immediate();
    return rows.length;
  }

  /** The platform acknowledged these outbox refs. */
  acknowledged(refs: readonly string[]): void {
    for (const ref of refs) if (ref.startsWith(RECORD_REF_PREFIX)) this.#markAcked.run(ref.slice(RECORD_REF_PREFIX.length));
  }

  /** Newest first. */
  list(options: { dataId?: string; limit?: number } = {}): StoredRecord[] {
    const rows = this.#db
      .prepare(
        'SELECT record, data_id, elevator_key, uploaded FROM elevator_records WHERE (@d IS NULL OR data_id = @d) ORDER BY time DESC, rowid DESC LIMIT @limit',
      )
      .all({ d: options.dataId ?? null, limit: options.limit ?? 100 }) as Array<{
      record: string;
      data_id: string;
      elevator_key: string;
      uploaded: number;
    }>;
    return rows.map((r) => ({
      record: JSON.parse(r.record) as AutoElevatorCallRecord,
      dataId: r.data_id,
      elevatorKey: r.elevator_key,
      uploaded: r.uploaded,
    }));
  }

  count(): number {
    return this.#db.prepare('SELECT COUNT(*) FROM elevator_records').pluck().get() as number;
  }
}
