/**
 * Pass records: a pass is answered only after its record is committed, together with its
 * scan-counter update and its outbox row, in one transaction (the WAL commit is the durability
 * point; edge/store/db.ts). Each pass gets one id here, `passId`, carried by the record, the
 * outbox row (`pass:<passId>`), the cloud message and the logs. A commit the disk refuses
 * rolls back and throws `EDGE_ERR_STORE_UNAVAILABLE`: the caller answers the device "busy",
 * never success, and nothing is held in memory to be lost on a kill.
 */
import { randomUUID } from 'node:crypto';
import { edgeError } from '../../errors.js';
import type { Db } from '../../store/db.js';
import type { EdgeEvents } from '../../events.js';
import type { Logger } from '../../log.js';
import type { PictureStore } from '../../files/pictures.js';
import { isStorageFailure, writeHealthOf, type StoreWriteHealth } from '../../store/write-health.js';
import type { OutboxWriter } from '../outbox.js';
import { eventIdentifier, eventParams, type PassRecordInput } from './pass-events.js';
import { PassRecordStore, type RecordQuery, type RecordRow } from '../stores/pass-record-store.js';
import type { PermissionStore } from '../stores/permission-store.js';

export type { RecordRow } from '../stores/pass-record-store.js';

/** A committed pass record: what the device and the logs are told. */
export interface Recorded {
  passId: string;
  photoId?: string;
  /** The device reported this record before (same `ref`): the first one stands. */
  duplicate: boolean;
}

/** A committed pass as the local bus shows it (the cloud gets the same event through the outbox). */
export type CommittedPass = EdgeEvents['access.pass'];

/** Outbox rows of pass records carry this reference; its acknowledgement marks the record uploaded. */
export const PASS_REF_PREFIX = 'pass:';

export class PassRecorder {
  readonly #db: Db;
  readonly #health: StoreWriteHealth;
  readonly #log: Logger;
  readonly #perms: PermissionStore;
  readonly #pictures: PictureStore;
  readonly #onCommitted: ((p: CommittedPass) => void) | undefined;
  #outbox: OutboxWriter | undefined;
  readonly #rows: PassRecordStore;
  written = 0;

  constructor(deps: {
    db: Db;
    log: Logger;
    permissions: PermissionStore;
    /** Where pass photos go: the file service when it runs (with a URL in the record), else the access folder. */
    pictures: PictureStore;
    outbox?: OutboxWriter;
    onCommitted?: (p: CommittedPass) => void;
  }) {
    this.#db = deps.db;
    this.#health = writeHealthOf(deps.db);
    this.#log = deps.log;
    this.#perms = deps.permissions;
    this.#pictures = deps.pictures;
    this.#outbox = deps.outbox;
    this.#onCommitted = deps.onCommitted;
    this.#rows = new PassRecordStore(deps.db);
  }

  set outbox(o: OutboxWriter | undefined) {
    this.#outbox = o;
  }

  /**
   * Commit one pass record (with the QR scan it uses, `scan` = [code, deviceKey]) and its
   * upload; returns its id. `ref`: the device's own record id, to store a resent record once.
   */
  record(given: PassRecordInput, options: { scan?: [string, string]; ref?: string } = {}): Recorded {
    const input = given.identityId ? given : { ...given, ...this.#holderOf(given) };
    if (options.ref) {
      const seen = this.#rows.byRef(input.deviceKey, options.ref);
      if (seen) return { passId: seen.passId, ...(seen.photo ? { photoId: seen.photo } : {}), duplicate: true };
    }
    const passId = randomUUID();
    const photo = input.photo && input.photo.byteLength > 0 ? this.#storePhoto(input.time, input.photo) : undefined;
    const realtime = this.#outbox ? (this.#outbox.isOnline?.() ?? true) : false;
    let committed: CommittedPass | undefined;
    try {
      this.#db
        .transaction(() => {
          const id = this.#rows.insert({
            pass_id: passId,
            ref: options.ref ?? null,
            time: input.time,
            device_key: input.deviceKey,
            kind: input.kind,
            content: input.content,
            code: input.code,
            message: input.message,
            identity_id: input.identityId ?? '',
            face_id: input.faceId ?? null,
            score: input.score ?? null,
            photo: photo ?? null,
            photo_bytes: photo ? input.photo!.byteLength : 0,
            realtime: realtime ? 1 : 0,
          });
          if (options.scan) this.#perms.countScans(options.scan[0], options.scan[1], 1);
          committed = this.#handOver(id, passId, input, realtime, photo);
        })
        .immediate();
    } catch (err) {
      if (photo) this.#pictures.remove(photo);
      if (!isStorageFailure(err)) throw err;
      this.#health.failed('pass records', err);
      throw edgeError('EDGE_ERR_STORE_UNAVAILABLE', (err as Error).message);
    }
    this.written++;
    this.#health.ok('pass records');
    if (committed) this.#onCommitted?.(committed);
    return { passId, ...(photo ? { photoId: photo } : {}), duplicate: false };
  }

  /**
   * A door that decides a card or QR code itself reports the credential without its holder: the
   * box's permission for that door names the person, so the record (and the cloud's event) does.
   */
  #holderOf(r: PassRecordInput): { identityId?: string } {
    if (!r.content) return {};
    const row =
      r.kind === 'tradCard' || r.kind === 'bleCard'
        ? this.#perms.credential(r.kind, r.content, r.deviceKey)
        : r.kind === 'qrCode'
          ? this.#perms.qr(r.deviceKey, r.content)
          : undefined;
    return row?.identity_id ? { identityId: row.identity_id } : {};
  }

  #storePhoto(time: number, bytes: Buffer): string | undefined {
    try {
      return this.#pictures.store(bytes, time).id;
    } catch (err) {
      // The record matters more than its photo: keep going without it.
      this.#log.warn({ err: (err as Error).message }, 'pass photo not stored');
      return undefined;
    }
  }

  /** Queue the record's cloud event in the caller's transaction; undefined without an outbox. */
  #handOver(id: number, passId: string, r: PassRecordInput, realtime: boolean, photo: string | undefined): CommittedPass {
    const identifier = eventIdentifier(r);
    const params = eventParams(r, passId, realtime, photo, photo ? this.#pictures.urlOf(photo) : undefined);
    if (this.#outbox) {
      this.#outbox.enqueue({
        topicKind: realtime ? 'event' : 'eventHistory',
        deviceKey: r.deviceKey,
        identifier,
        payload: params,
        time: r.time,
        dedupKey: `${PASS_REF_PREFIX}${passId}`,
      });
      this.#rows.markQueued(id, JSON.stringify({ identifier, params }));
    }
    return {
      passId,
      deviceKey: r.deviceKey,
      identifier,
      params,
      time: r.time,
      kind: r.kind,
      code: r.code,
      identityId: r.identityId ?? '',
      content: r.content,
      ...(r.faceId ? { faceId: r.faceId } : {}),
    };
  }

  /** The platform acknowledged these outbox references; pass records among them are uploaded. */
  acknowledged(refs: readonly string[]): void {
    for (const ref of refs) if (ref.startsWith(PASS_REF_PREFIX)) this.#rows.markAcked(ref.slice(PASS_REF_PREFIX.length));
  }

  /** Hand every record not yet given to an outbox over, as history (they missed realtime). */
  handOverBacklog(limit = 10_000): number {
    if (!this.#outbox) return 0;
    const rows = this.#rows.notHandedOver(limit);
    this.#db
      .transaction(() => {
        for (const row of rows) {
          const input: PassRecordInput = {
            deviceKey: row.device_key,
            kind: row.kind as PassRecordInput['kind'],
            content: row.content,
            code: row.code,
            message: row.message,
            time: row.time,
            identityId: row.identity_id,
            ...(row.face_id ? { faceId: row.face_id } : {}),
            ...(row.score !== null ? { score: row.score } : {}),
          };
          this.#handOver(row.id, row.pass_id, input, false, row.photo ?? undefined);
        }
      })
      .immediate();
    if (rows.length > 0) this.#log.info({ records: rows.length }, 'pass records queued for the cloud');
    return rows.length;
  }

  /** Newest first, filtered by door, person and time (UTC ms, inclusive). */
  list(options: RecordQuery = {}): RecordRow[] {
    return this.#rows.list(options);
  }

  /** Refused passes, newest first (the console's alarms). */
  refusals(limit: number): RecordRow[] {
    return this.#rows.refusals(limit);
  }

  /** The stored photo id of a record, if it has one. */
  photoOf(recordId: number): string | undefined {
    return this.#rows.photoOf(recordId) ?? undefined;
  }

  /** Retention: records older than the age limit go; then the oldest photos until under quota. */
  prune(now: number, o: { retentionDays: number; photoQuotaBytes: number; maxRecords: number }): { records: number; photos: number } {
    const { records, photos } = this.#rows.prune(now - o.retentionDays * 86_400_000, o.maxRecords, o.photoQuotaBytes);
    for (const p of photos) this.#pictures.remove(p);
    return { records, photos: photos.length };
  }

  photoPath(photo: string): string {
    return this.#pictures.pathOf(photo);
  }

  photoExists(photo: string): boolean {
    return this.#pictures.exists(photo);
  }

  /** The download URL of a record's photo, when the file service holds it. */
  photoUrl(photo: string): string | undefined {
    return this.#pictures.urlOf(photo);
  }
}
