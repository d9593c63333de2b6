/**
 * The durable outbox: every message bound for the cloud is a row here before it is published,
 * and is deleted only on PUBACK. Rows are sent in `seq` order, so order per device holds; the
 * Alink id is allocated in the same transaction and stored, so a replay after a crash carries
 * the same id and the cloud can de-duplicate.
 *
 * Quota: when the queued payload bytes would exceed the quota, the oldest messages of the
 * cheapest class go first: property (telemetry, superseded by newer values), then event,
 * then record (pass records: the record itself stays in its own table). Counts are kept per
 * class and reported when the link returns.
 *
 * Full disk: a write that fails for lack of room (or a failing disk) loses nothing. Queued
 * messages stay in memory, in order, and are written on a retry every second; acknowledgements
 * that cannot be written are kept and retried too (the rows were delivered; a restart before the
 * retry re-sends them with their ids). Memory is bounded by `maxHeld`: beyond it the same drop
 * order applies to the held messages, and the drops are counted like quota drops.
 */
import type { Db } from '../../store/db.js';
import type { Logger } from '../../log.js';
import { migrate } from '../../store/db.js';
import { isStorageFailure, writeHealthOf, type StoreWriteHealth } from '../../store/write-health.js';
import { cloudMigrations } from './schema.js';
import { type OutboxStatements, outboxStatements } from './statements.js';
import { DROP_ORDER, type DroppedCounts, dropOldest, type OutboxClass, type OutboxInput, type OutboxRow } from './types.js';
import { deviceKey, keyOf } from '../../host/sdk/device-key.js';

export { DROP_ORDER, type DroppedCounts, type OutboxClass, type OutboxInput, type OutboxRow } from './types.js';

const ID_SPACE = 4_294_967_296; // Alink ids are 0..4294967295 (doc 89301)
const RETRY_MS = 1000;

export class Outbox {
  readonly #db: Db;
  readonly #log: Logger;
  readonly #quotaBytes: number;
  readonly #maxHeld: number;
  readonly #health: StoreWriteHealth;
  #pending: OutboxInput[] = [];
  /** Delivered rows whose delete could not be written yet. */
  #unacknowledged: Array<Pick<OutboxRow, 'seq' | 'bytes'> & { ref?: string | null }> = [];
  readonly #ackListeners = new Set<(refs: string[]) => void>();
  /** Held messages dropped by `maxHeld` while the disk was full; counted once writable again. */
  readonly #heldDrops = new Map<OutboxClass, number>();
  #retryTimer: NodeJS.Timeout | undefined;
  readonly #listeners = new Set<() => void>();
  #flushScheduled = false;
  readonly #lastIds = new Map<string, number>();
  #depth = 0;
  #bytes = 0;
  readonly #stmt: OutboxStatements;

  constructor(deps: { db: Db; log: Logger }, options: { quotaBytes: number; maxHeld?: number }) {
    this.#db = deps.db;
    this.#log = deps.log;
    this.#quotaBytes = options.quotaBytes;
    this.#maxHeld = options.maxHeld ?? 100_000;
    this.#health = writeHealthOf(deps.db);
    migrate(this.#db, 'cloud', cloudMigrations);
    this.#stmt = outboxStatements(this.#db);
    this.resync();
  }

  get depth(): number {
    return this.#depth;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Messages waiting in memory for a write (none unless the disk refused one). */
  get held(): number {
    return this.#retryTimer ? this.#pending.length : 0;
  }

  /** When the oldest message still queued was queued (UTC ms): how far behind the link is. */
  oldestQueuedAt(): number | undefined {
    return (this.#stmt.oldest.get() as number | undefined) ?? undefined;
  }

  get quotaBytes(): number {
    return this.#quotaBytes;
  }

  /** Re-read depth and bytes from the table (corrects drift from rolled-back caller transactions). */
  resync(): void {
    const t = this.#stmt.totals.get() as { n: number; b: number };
    this.#depth = t.n;
    this.#bytes = t.b;
  }

  /** Called after new rows are committed (the sender pumps). */
  onEnqueued(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /**
   * Queue a message; written with the others of this tick in one transaction (group commit:
   * one fsync for many messages). Use `enqueueInTransaction` when the message must be
   * atomic with a record of your own.
   */
  enqueue(input: OutboxInput): void {
    this.#pending.push(input);
    if (this.#retryTimer) {
      // The disk refused the last write: hold in memory until the retry, within the bound.
      if (this.#pending.length > this.#maxHeld) this.#dropHeld();
      return;
    }
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Write queued messages now (and any acknowledgements a full disk held back). */
  flush(): void {
    this.#flushScheduled = false;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    if (this.#unacknowledged.length > 0) this.acknowledge([]);
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    // Ids come from a per-device cache inside this transaction; the last id of each device is
    // written once at its end (same transaction), not once per message.
    const touched = new Map<string, number>();
    try {
      this.#db
        .transaction(() => {
          for (const input of batch) this.#insert(input, touched);
          for (const [device, last] of touched) this.#stmt.saveId.run(device, last);
          for (const [cls, n] of this.#heldDrops) this.#stmt.countDrop.run(cls, n, Date.now());
        })
        .immediate();
    } catch (err) {
      // Rolled back: ids are allocated again from the table, counts re-read; nothing is lost.
      for (const device of touched.keys()) this.#lastIds.delete(device);
      this.#pending = batch.concat(this.#pending);
      this.resync();
      if (!isStorageFailure(err)) throw err;
      this.#health.failed('cloud outbox', err);
      this.#retryLater();
      return;
    }
    this.#heldDrops.clear();
    this.#health.ok('cloud outbox');
    this.#notify();
  }

  #retryLater(): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => this.flush(), RETRY_MS);
    this.#retryTimer.unref();
  }

  /** Over `maxHeld` while the disk is full: drop the oldest held messages, cheapest class first. */
  #dropHeld(): void {
    this.#pending = dropOldest(this.#pending, this.#pending.length - Math.floor(this.#maxHeld * 0.9), (cls, dropped) => {
      this.#heldDrops.set(cls, (this.#heldDrops.get(cls) ?? 0) + dropped);
      this.#log.warn({ class: cls, dropped, maxHeld: this.#maxHeld }, 'disk full and too many messages held in memory; oldest dropped');
    });
  }

  /**
   * Write one message inside the caller's open `db.transaction`, so a record and its upload
   * are one write: either both are committed or neither. Returns the Alink id it carries.
   * Must be called synchronously inside the transaction function.
   */
  enqueueInTransaction(input: OutboxInput): string {
    if (!this.#db.inTransaction) throw new Error('enqueueInTransaction must be called inside db.transaction()');
    const id = this.#insert(input);
    // The caller's transaction may still roll back: re-read this device's last id next time.
    this.#lastIds.delete(keyOf(input));
    setImmediate(() => this.#notify());
    return id;
  }

  #insert(input: OutboxInput, touched?: Map<string, number>): string {
    const device = keyOf(input);
    let last: number;
    if (touched) {
      last = (this.#lastIds.get(device) ?? (this.#stmt.lastId.get(device) as number | undefined) ?? 0) + 1;
      this.#lastIds.set(device, last);
      touched.set(device, last);
    } else {
      last = (this.#stmt.nextId.get(device) as { last: number }).last;
    }
    const alinkId = String(last % ID_SPACE);
    const payload = input.payload(alinkId);
    const bytes = Buffer.byteLength(payload) + input.topic.length;
    if (this.#bytes + bytes > this.#quotaBytes) this.#makeRoom(bytes);
    this.#stmt.insert.run(device, input.class, alinkId, input.topic, payload, Date.now(), bytes, input.ref ?? null);
    this.#depth++;
    this.#bytes += bytes;
    return alinkId;
  }

  /** Drop oldest messages, cheapest class first, down to 90 % of the quota (chunked so a full box is not re-dropping on every message). */
  #makeRoom(incoming: number): void {
    const target = this.#quotaBytes * 0.9 - incoming;
    const now = Date.now();
    for (const cls of DROP_ORDER) {
      let dropped = 0;
      while (this.#bytes > target) {
        const rows = this.#stmt.oldestOfClass.all(cls, 500) as Array<{ seq: number; bytes: number }>;
        if (rows.length === 0) break;
        for (const r of rows) {
          if (this.#bytes <= target) break;
          this.#stmt.remove.run(r.seq);
          this.#depth--;
          this.#bytes -= r.bytes;
          dropped++;
        }
      }
      if (dropped > 0) {
        this.#stmt.countDrop.run(cls, dropped, now);
        this.#log.warn({ class: cls, dropped, quotaBytes: this.#quotaBytes }, 'outbox full; oldest messages dropped');
      }
      if (this.#bytes <= target) return;
    }
  }

  /** The next rows after `seq`, in send order. */
  after(seq: number, limit: number): OutboxRow[] {
    return this.#stmt.after.all(seq, limit) as OutboxRow[];
  }

  /**
   * Delete acknowledged rows in one transaction. A row the quota already dropped is a no-op.
   * If the disk refuses the delete, the rows are kept for the retry (they are not sent again
   * by this process; a restart before the retry re-sends them with the same ids).
   */
  acknowledge(rows: ReadonlyArray<Pick<OutboxRow, 'seq' | 'bytes'> & { ref?: string | null }>): void {
    const all = this.#unacknowledged.length > 0 ? this.#unacknowledged.concat(rows) : rows;
    if (all.length === 0) return;
    this.#unacknowledged = [];
    try {
      this.#db
        .transaction(() => {
          const refs: string[] = [];
          for (const r of all) {
            if (this.#stmt.remove.run(r.seq).changes > 0) {
              this.#depth--;
              this.#bytes -= r.bytes;
              if (r.ref) refs.push(r.ref);
            }
          }
          // In the same transaction: a row is gone exactly when its owner knows it was delivered.
          if (refs.length > 0) for (const fn of this.#ackListeners) fn(refs);
        })
        .immediate();
    } catch (err) {
      this.#unacknowledged = [...all];
      this.resync();
      if (!isStorageFailure(err)) throw err;
      this.#health.failed('cloud outbox', err);
      if (!this.#retryTimer) this.#retryLater();
      return;
    }
    this.#health.ok('cloud outbox');
  }

  /** Called inside the acknowledging transaction with the refs of the rows the platform acknowledged. */
  onAcknowledged(fn: (refs: string[]) => void): () => void {
    this.#ackListeners.add(fn);
    return () => this.#ackListeners.delete(fn);
  }

  /** Forget everything queued for a device (the platform deleted it). */
  dropDevice(productKey: string, deviceName: string): number {
    const n = this.#stmt.dropDevice.run(deviceKey(productKey, deviceName)).changes;
    this.resync();
    return n;
  }

  dropped(): DroppedCounts {
    const out: DroppedCounts = { property: 0, event: 0, record: 0, since: 0 };
    for (const r of this.#stmt.dropped.all() as Array<{ class: OutboxClass; count: number; since: number }>) {
      out[r.class] = r.count;
      if (r.count > 0 && (out.since === 0 || r.since < out.since)) out.since = r.since;
    }
    return out;
  }

  /** The report of these counts reached the cloud: subtract them (drops since then stay). */
  clearDropped(reported: DroppedCounts): void {
    this.#db
      .transaction(() => {
        for (const cls of DROP_ORDER) if (reported[cls] > 0) this.#stmt.unDrop.run(reported[cls], cls);
      })
      .immediate();
  }

  #notify(): void {
    for (const fn of this.#listeners) fn();
  }
}
