/**
 * Security alarms reported by device drivers (the indoor alarm units' `Alarm`, issue 18): each is
 * stored with its cloud upload in one transaction — the alarm row and its outbox row (the
 * device's thing event, class `record`, ref `secalarm:<alarmId>`) commit together, before the
 * driver is answered and so before the device is. A restart neither loses nor repeats one; the
 * platform's acknowledgement marks it uploaded. Without a cloud link alarms stay `uploaded = 0`
 * and go up as history once one is attached (as pass records, edge/access/outbox.ts).
 */
import { randomUUID } from 'node:crypto';
import type { OutboxWriter } from '../access/outbox.js';
import type { EventBus } from '../events.js';
import { migrate, type Db, type Migration } from '../store/db.js';

export const ALARM_REF_PREFIX = 'secalarm:';

const migrations: readonly Migration[] = [
  {
    version: 1,
    up: `
CREATE TABLE security_alarms (
  alarm_id TEXT PRIMARY KEY,
  device_key TEXT NOT NULL,
  event_id TEXT NOT NULL,
  params TEXT NOT NULL,
  time INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  uploaded INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX security_alarms_time ON security_alarms (time);
`,
  },
  {
    // A device's report sent again after it was stored in part: the elements already stored are
    // known by the key the driver gives them (indoor units: zone, time and event), per device.
    version: 2,
    up: `
ALTER TABLE security_alarms ADD COLUMN dedup_key TEXT;
CREATE UNIQUE INDEX security_alarms_dedup ON security_alarms (device_key, dedup_key) WHERE dedup_key IS NOT NULL;
`,
  },
];

/** An alarm to store; `dedupKey` names it among its device's alarms, so that sending it again stores nothing. */
export interface NewAlarm {
  deviceKey: string;
  eventId: string;
  params: Record<string, unknown>;
  time: number;
  dedupKey?: string;
}

export interface StoredAlarm {
  alarmId: string;
  deviceKey: string;
  eventId: string;
  params: Record<string, unknown>;
  time: number;
  uploaded: number;
}

export class SecurityAlarms {
  readonly #db: Db;
  readonly #events: EventBus | undefined;
  #outbox: OutboxWriter | undefined;
  readonly #insert;
  readonly #byDedupKey;
  readonly #markQueued;
  readonly #markAcked;

  constructor(db: Db, events?: EventBus) {
    this.#db = db;
    this.#events = events;
    migrate(db, 'security', migrations);
    this.#insert = db.prepare(
      'INSERT INTO security_alarms (alarm_id, device_key, event_id, params, time, received_at, uploaded, dedup_key) VALUES (?, ?, ?, ?, ?, ?, 0, ?)',
    );
    this.#byDedupKey = db.prepare('SELECT alarm_id FROM security_alarms WHERE device_key = ? AND dedup_key = ?').pluck();
    this.#markQueued = db.prepare('UPDATE security_alarms SET uploaded = 1 WHERE alarm_id = ?');
    this.#markAcked = db.prepare('UPDATE security_alarms SET uploaded = 2 WHERE alarm_id = ?');
  }

  /**
   * Store one alarm and queue its upload: all or nothing. Returns its id. An alarm whose
   * `dedupKey` its device already stored is not stored again: the first one's id is returned.
   */
  record(a: NewAlarm): string {
    const { dedupKey, ...alarm } = a;
    const alarmId = randomUUID();
    const stored = this.#db
      .transaction((): string | undefined => {
        const prior = dedupKey === undefined ? undefined : (this.#byDedupKey.get(a.deviceKey, dedupKey) as string | undefined);
        if (prior !== undefined) return prior;
        this.#insert.run(alarmId, a.deviceKey, a.eventId, JSON.stringify(a.params), a.time, Date.now(), dedupKey ?? null);
        if (this.#outbox) this.#handOver(alarmId, alarm, (this.#outbox.isOnline?.() ?? true) ? 'event' : 'eventHistory');
        return undefined;
      })
      .immediate();
    if (stored !== undefined) return stored;
    this.#events?.emit('security.alarm', { alarmId, ...alarm });
    return alarmId;
  }

  #handOver(
    alarmId: string,
    a: { deviceKey: string; eventId: string; params: Record<string, unknown>; time: number },
    topicKind: 'event' | 'eventHistory',
  ): void {
    this.#outbox!.enqueue({
      topicKind,
      deviceKey: a.deviceKey,
      identifier: a.eventId,
      payload: a.params,
      time: a.time,
      dedupKey: `${ALARM_REF_PREFIX}${alarmId}`,
    });
    this.#markQueued.run(alarmId);
  }

  /** Attach the cloud outbox; alarms stored without one are handed over now, as history. Returns how many. */
  attachOutbox(o: OutboxWriter | undefined, limit = 10_000): number {
    this.#outbox = o;
    if (!o) return 0;
    const rows = this.#db
      .prepare('SELECT alarm_id, device_key, event_id, params, time FROM security_alarms WHERE uploaded = 0 ORDER BY time LIMIT ?')
      .all(limit) as Array<{ alarm_id: string; device_key: string; event_id: string; params: string; time: number }>;
    this.#db
      .transaction(() => {
        for (const r of rows)
          this.#handOver(
            r.alarm_id,
            { deviceKey: r.device_key, eventId: r.event_id, params: JSON.parse(r.params) as Record<string, unknown>, time: r.time },
            'eventHistory',
          );
      })
      .immediate();
    return rows.length;
  }

  acknowledged(refs: readonly string[]): void {
    for (const ref of refs) if (ref.startsWith(ALARM_REF_PREFIX)) this.#markAcked.run(ref.slice(ALARM_REF_PREFIX.length));
  }

  /** Newest first. */
  list(options: { deviceKey?: string; limit?: number } = {}): StoredAlarm[] {
    const rows = this.#db
      .prepare(
        'SELECT alarm_id, device_key, event_id, params, time, uploaded FROM security_alarms WHERE (@d IS NULL OR device_key = @d) ORDER BY time DESC, rowid DESC LIMIT @limit',
      )
      .all({ d: options.deviceKey ?? null, limit: options.limit ?? 100 }) as Array<{
      alarm_id: string;
      device_key: string;
      event_id: string;
      params: string;
      time: number;
      uploaded: number;
    }>;
    return rows.map((r) => ({
      alarmId: r.alarm_id,
      deviceKey: r.device_key,
      eventId: r.event_id,
      params: JSON.parse(r.params) as Record<string, unknown>,
      time: r.time,
      uploaded: r.uploaded,
    }));
  }
}
