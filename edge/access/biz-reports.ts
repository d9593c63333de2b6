/**
 * Business reports of the box upward (BizDataPushModel v1.1 [seed 001 L23449-23576]):
 * FACE_SYNC_STATUS when a face's deployment status changes, DEVICE_SYNC_ERROR when a sync file
 * fails. They go to the cloud link's outbox; before one is attached they are kept in the
 * backlog table and handed over by `attachOutbox`.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../store/db.js';
import { REPORTED } from './deploy/sync-status.js';
import type { OutboxWriter } from './outbox.js';
import type { BizBacklogStore } from './stores/biz-backlog-store.js';
import type { StatusChange } from './stores/deploy-store.js';
import type { FaceStore } from './stores/face-store.js';

/** Business reports kept for a cloud that is not attached yet; the oldest go beyond this. */
const BIZ_BACKLOG_MAX = 20_000;

export interface BizReportsDeps {
  db: Db;
  backlog: BizBacklogStore;
  faces: FaceStore;
  outbox: OutboxWriter | undefined;
  now: () => number;
}

export class BizReports {
  readonly #d: BizReportsDeps;
  #outbox: OutboxWriter | undefined;

  constructor(deps: BizReportsDeps) {
    this.#d = deps;
    this.#outbox = deps.outbox;
  }

  /** Use this outbox from now on and move the backlog into it, in one transaction. */
  attachOutbox(outbox: OutboxWriter): void {
    this.#outbox = outbox;
    const { db, backlog } = this.#d;
    db.transaction(() => {
      for (const r of backlog.all()) {
        const payload = JSON.parse(r.payload) as Record<string, unknown>;
        outbox.enqueue({
          topicKind: 'bizData',
          deviceKey: r.deviceKey,
          identifier: r.bizType,
          payload,
          time: r.time,
          dedupKey: `biz:${String(payload.eventId)}`,
        });
      }
      backlog.clear();
    }).immediate();
  }

  /** A deployment status change; faces in a reported status become FACE_SYNC_STATUS. */
  statusChanged(c: StatusChange): void {
    if (c.kind !== 'face' || !REPORTED.includes(c.status)) return;
    const face = this.#d.faces.get(c.groupId, c.item);
    const data = { identityId: face?.user_id ?? '', faceId: c.item, status: c.status, ...(c.preStatus ? { preStatus: c.preStatus } : {}) };
    this.#biz(c.deviceKey, 'FACE_SYNC_STATUS', c.item, 'FACE_ID', data, c.status === 'needManual' ? 'ERROR' : 'INFO', c.error ?? '');
  }

  deviceSyncError(deviceKey: string, result: string, message: string): void {
    const data = { iotId: deviceKey, result, code: result === 'PARSE_FAILED' ? 3 : 2, message: message.slice(0, 1500) };
    this.#biz(deviceKey, 'DEVICE_SYNC_ERROR', deviceKey, 'IOT_ID', data, 'ERROR', message.slice(0, 2048));
  }

  /** BizDataPushModel v1.1 [seed 001 L23449-23576]; `iotId` is the door's key, the cloud link maps it. */
  #biz(
    deviceKey: string,
    bizType: string,
    bizId: string,
    bizIdType: string,
    data: Record<string, unknown>,
    eventLevel: string,
    eventText: string,
  ): void {
    const time = this.#d.now();
    const payload = {
      eventId: randomUUID(),
      eventTime: time,
      bizType,
      bizId: bizId.slice(0, 64),
      bizIdType,
      data: JSON.stringify(data).slice(0, 2048),
      eventLevel,
      eventText: eventText.slice(0, 2048),
    };
    const outbox = this.#outbox;
    const put = outbox
      ? (): void =>
          outbox.enqueue({ topicKind: 'bizData', deviceKey, identifier: bizType, payload, time, dedupKey: `biz:${payload.eventId}` })
      : (): void => this.#d.backlog.add(deviceKey, bizType, JSON.stringify(payload), time, BIZ_BACKLOG_MAX);
    // The outbox contract: enqueue inside a transaction (its own one when the caller has none).
    if (this.#d.db.inTransaction) put();
    else this.#d.db.transaction(put).immediate();
  }
}
