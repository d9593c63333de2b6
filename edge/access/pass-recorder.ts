/**
 * Pass records: every decision's record is committed before the decision returns, together with
 * its scan-counter update and its outbox message, in one transaction. With the store's
 * synchronous=NORMAL a commit costs microseconds (no fsync; edge/store/db.ts), so a killed box
 * loses no record. `flushMs` > 0 groups commits instead (bench comparisons only). A commit that
 * fails (disk full) keeps its records queued and retries; pending scans stay visible to the next
 * decision through `pendingScans`.
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../store/db.js';
import type { Logger } from '../log.js';
import { writeHealthOf, type StoreWriteHealth } from '../store/write-health.js';
import type { OutboxWriter } from './outbox.js';
import { eventIdentifier, eventParams, type PassRecordInput } from './pass-events.js';
import type { PermissionStore } from './permission-store.js';

interface Queued {
  input: PassRecordInput;
  photo: string | null;
  photoBytes: number;
  realtime: boolean;
  /** A successful QR scan to count: [code, deviceKey]. */
  scan?: [string, string];
}

export interface RecordRow {
  id: number;
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

export class PassRecorder {
  readonly #db: Db;
  readonly #health: StoreWriteHealth;
  readonly #log: Logger;
  readonly #perms: PermissionStore;
  readonly #photoDir: string;
  readonly #flushMs: number;
  #outbox: OutboxWriter | undefined;
  #queue: Queued[] = [];
  #timer: NodeJS.Timeout | undefined;
  readonly #shared = new Map<string, number>();
  readonly #perDevice = new Map<string, number>();
  readonly #insert;
  readonly #markUploaded;
  /** A commit failed and records wait in memory (logged once per episode). */
  #holding = false;
  written = 0;

  constructor(deps: { db: Db; log: Logger; permissions: PermissionStore; photoDir: string; outbox?: OutboxWriter }, options: { flushMs?: number } = {}) {
    this.#db = deps.db;
    this.#health = writeHealthOf(deps.db);
    this.#log = deps.log;
    this.#perms = deps.permissions;
    this.#photoDir = deps.photoDir;
    this.#outbox = deps.outbox;
    this.#flushMs = options.flushMs ?? 0;
    this.#insert = this.#db.prepare(`INSERT INTO access_pass_records (time, device_key, kind, content, code, message, identity_id, face_id, score, photo, photo_bytes, realtime, uploaded, event)
      VALUES (@time, @device_key, @kind, @content, @code, @message, @identity_id, @face_id, @score, @photo, @photo_bytes, @realtime, 0, '')`);
    this.#markUploaded = this.#db.prepare('UPDATE access_pass_records SET uploaded = 1, event = ? WHERE id = ?');
  }

  set outbox(o: OutboxWriter | undefined) {
    this.#outbox = o;
  }

  /** Scans of a QR code decided but not yet committed: [shared, on this door]. */
  pendingScans(code: string, deviceKey: string): [number, number] {
    return [this.#shared.get(code) ?? 0, this.#perDevice.get(`${code}\u0000${deviceKey}`) ?? 0];
  }

  /** Queue a record; returns the stored photo's id (its path under the records folder), if any. */
  record(input: PassRecordInput, scan?: [string, string]): string | undefined {
    let photo: string | null = null;
    let photoBytes = 0;
    if (input.photo && input.photo.byteLength > 0) {
      try {
        const day = new Date(input.time).toISOString().slice(0, 10);
        mkdirSync(join(this.#photoDir, day), { recursive: true });
        photo = join(day, `${input.time}-${Math.random().toString(36).slice(2, 10)}.jpg`);
        writeFileSync(join(this.#photoDir, photo), input.photo);
        photoBytes = input.photo.byteLength;
      } catch (err) {
        // The record matters more than its photo: keep going without it.
        this.#log.warn({ err: (err as Error).message }, 'pass photo not stored');
        photo = null;
      }
    }
    const realtime = this.#outbox ? (this.#outbox.isOnline?.() ?? true) : false;
    this.#queue.push({ input, photo, photoBytes, realtime, ...(scan ? { scan } : {}) });
    if (scan) {
      this.#shared.set(scan[0], (this.#shared.get(scan[0]) ?? 0) + 1);
      const k = `${scan[0]}\u0000${scan[1]}`;
      this.#perDevice.set(k, (this.#perDevice.get(k) ?? 0) + 1);
    }
    if (this.#queue.length >= 256 || this.#flushMs === 0) this.flush();
    else if (!this.#timer) this.#timer = setTimeout(() => this.flush(), this.#flushMs);
    return photo ?? undefined;
  }

  /** Commit everything queued: records, scan counters and outbox messages in one transaction. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#queue.length === 0) return;
    const batch = this.#queue;
    this.#queue = [];
    try {
      this.#db.transaction(() => {
        for (const q of batch) {
          const r = q.input;
          const id = Number(this.#insert.run({
            time: r.time, device_key: r.deviceKey, kind: r.kind, content: r.content, code: r.code, message: r.message,
            identity_id: r.identityId ?? '', face_id: r.faceId ?? null, score: r.score ?? null, photo: q.photo, photo_bytes: q.photoBytes,
            realtime: q.realtime ? 1 : 0,
          }).lastInsertRowid);
          if (q.scan) this.#perms.countScans(q.scan[0], q.scan[1], 1);
          this.#handOver(id, r, q.realtime, q.photo);
        }
      }).immediate();
      this.written += batch.length;
      this.#health.ok();
      if (this.#holding) this.#log.info({ records: batch.length }, 'held pass records committed');
      this.#holding = false;
    } catch (err) {
      // Keep the batch for the next try rather than drop passes (disk full, busy). The store's
      // write health logs the episode; this line says how many records wait.
      this.#queue = batch.concat(this.#queue);
      this.#health.failed('pass records', err);
      if (!this.#holding) this.#log.warn({ err: (err as Error).message, records: this.#queue.length }, 'pass records not committed; held in memory, retried every second');
      this.#holding = true;
      if (!this.#timer) this.#timer = setTimeout(() => this.flush(), 1000);
      return;
    }
    for (const q of batch) {
      if (!q.scan) continue;
      this.#decrement(this.#shared, q.scan[0]);
      this.#decrement(this.#perDevice, `${q.scan[0]}\u0000${q.scan[1]}`);
    }
  }

  #decrement(map: Map<string, number>, key: string): void {
    const n = (map.get(key) ?? 0) - 1;
    if (n <= 0) map.delete(key);
    else map.set(key, n);
  }

  #handOver(id: number, r: PassRecordInput, realtime: boolean, photo: string | null): void {
    if (!this.#outbox) return;
    const identifier = eventIdentifier(r);
    const params = eventParams(r, id, realtime, photo ?? undefined);
    this.#outbox.enqueue({ topicKind: realtime ? 'event' : 'eventHistory', deviceKey: r.deviceKey, identifier, payload: params, time: r.time, dedupKey: `pass:${id}` });
    this.#markUploaded.run(JSON.stringify({ identifier, params }), id);
  }

  /** Hand every record not yet given to an outbox over, as history (they missed realtime). */
  handOverBacklog(limit = 10_000): number {
    if (!this.#outbox) return 0;
    const rows = this.#db.prepare('SELECT * FROM access_pass_records WHERE uploaded = 0 ORDER BY id LIMIT ?').all(limit) as RecordRow[];
    this.#db.transaction(() => {
      for (const row of rows) {
        const input: PassRecordInput = { deviceKey: row.device_key, kind: row.kind as PassRecordInput['kind'], content: row.content, code: row.code, message: row.message, time: row.time, identityId: row.identity_id, ...(row.face_id ? { faceId: row.face_id } : {}), ...(row.score !== null ? { score: row.score } : {}) };
        this.#handOver(row.id, input, false, row.photo);
      }
    }).immediate();
    return rows.length;
  }

  /** Newest first, filtered by door, person and time (UTC ms, inclusive). */
  list(options: { deviceKey?: string; identityId?: string; from?: number; to?: number; limit?: number; beforeId?: number } = {}): RecordRow[] {
    return this.#db.prepare(`SELECT * FROM access_pass_records WHERE (@dev IS NULL OR device_key = @dev) AND (@person IS NULL OR identity_id = @person)
      AND (@from IS NULL OR time >= @from) AND (@to IS NULL OR time <= @to) AND (@before IS NULL OR id < @before) ORDER BY id DESC LIMIT @limit`)
      .all({ dev: options.deviceKey ?? null, person: options.identityId ?? null, from: options.from ?? null, to: options.to ?? null, before: options.beforeId ?? null, limit: options.limit ?? 100 }) as RecordRow[];
  }

  /** Refused passes, newest first (the console's alarms). */
  refusals(limit: number): RecordRow[] {
    return this.#db.prepare('SELECT * FROM access_pass_records WHERE code <> 0 ORDER BY id DESC LIMIT ?').all(limit) as RecordRow[];
  }

  /** The stored photo id of a record, if it has one. */
  photoOf(recordId: number): string | undefined {
    return (this.#db.prepare('SELECT photo FROM access_pass_records WHERE id = ?').pluck().get(recordId) as string | null | undefined) ?? undefined;
  }

  /** Retention: records older than the age limit go; then the oldest photos until under quota. */
  prune(now: number, o: { retentionDays: number; photoQuotaBytes: number; maxRecords: number }): { records: number; photos: number } {
    this.flush();
    const cutoff = now - o.retentionDays * 86_400_000;
    const photos: string[] = [];
    let records = 0;
    this.#db.transaction(() => {
      photos.push(...(this.#db.prepare('SELECT photo FROM access_pass_records WHERE time < ? AND photo IS NOT NULL').pluck().all(cutoff) as string[]));
      records += this.#db.prepare('DELETE FROM access_pass_records WHERE time < ?').run(cutoff).changes;
      const total = this.#db.prepare('SELECT COUNT(*) FROM access_pass_records').pluck().get() as number;
      if (total > o.maxRecords) {
        const over = total - o.maxRecords;
        photos.push(...(this.#db.prepare('SELECT photo FROM access_pass_records WHERE photo IS NOT NULL AND id IN (SELECT id FROM access_pass_records ORDER BY id LIMIT ?)').pluck().all(over) as string[]));
        records += this.#db.prepare('DELETE FROM access_pass_records WHERE id IN (SELECT id FROM access_pass_records ORDER BY id LIMIT ?)').run(over).changes;
      }
      let bytes = this.#db.prepare('SELECT COALESCE(SUM(photo_bytes), 0) FROM access_pass_records WHERE photo IS NOT NULL').pluck().get() as number;
      if (bytes > o.photoQuotaBytes) {
        const rows = this.#db.prepare('SELECT id, photo, photo_bytes FROM access_pass_records WHERE photo IS NOT NULL ORDER BY id').iterate() as IterableIterator<{ id: number; photo: string; photo_bytes: number }>;
        const drop: number[] = [];
        for (const r of rows) {
          if (bytes <= o.photoQuotaBytes) break;
          bytes -= r.photo_bytes;
          drop.push(r.id);
          photos.push(r.photo);
        }
        const clear = this.#db.prepare('UPDATE access_pass_records SET photo = NULL, photo_bytes = 0 WHERE id = ?');
        for (const id of drop) clear.run(id);
      }
    }).immediate();
    for (const p of photos) rmSync(join(this.#photoDir, p), { force: true });
    return { records, photos: photos.length };
  }

  photoPath(photo: string): string {
    return join(this.#photoDir, photo);
  }

  photoExists(photo: string): boolean {
    try {
      return statSync(join(this.#photoDir, photo)).isFile();
    } catch {
      return false;
    }
  }
}
