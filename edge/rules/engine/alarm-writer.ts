/**
 * An alarm's changes committed: raised (the record, its cloud message and the open episode),
 * recovered, confirmed — each one transaction, or nothing. Records raised or changed while no
 * outbox is attached are queued when one is.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../log.js';
import { isStorageFailure, writeHealthOf } from '../../store/write-health.js';
import { deviceKey } from '../../thing/registry.js';
import { firedFields, recordOf, type AlarmOutbox, type AlarmRecord } from '../alarm-record.js';
import { CLOUD, type AlarmRecordRow, type RulesStore } from '../store.js';
import type { SideRef } from './rule-index.js';

export interface Confirmation {
  confirmType: 1 | 2 | 3;
  comment?: string;
  operator?: string;
}

export class AlarmWriter {
  readonly #store: RulesStore;
  readonly #log: Logger;
  #outbox: AlarmOutbox | undefined;

  constructor(store: RulesStore, log: Logger) {
    this.#store = store;
    this.#log = log;
  }

  get #cloud(): number {
    return this.#outbox ? CLOUD.QUEUED : CLOUD.NOT_QUEUED;
  }

  /** Records raised or changed while no outbox was attached are queued now (as history when offline). */
  attachOutbox(outbox: AlarmOutbox): number {
    this.#outbox = outbox;
    let queued = 0;
    for (;;) {
      const rows = this.#store.notQueued(500);
      if (rows.length === 0) break;
      this.#store.db
        .transaction(() => {
          for (const row of rows) {
            outbox.enqueue(recordOf(row), row.recovery ? 'recovered' : row.confirm ? 'confirmed' : 'raised');
            this.#store.markQueued(row.alarmId);
          }
        })
        .immediate();
      queued += rows.length;
    }
    return queued;
  }

  /** The side's state on the device opens an episode: its record, or undefined when it could not be committed. */
  raise(ref: SideRef, productKey: string, deviceName: string, now: number): AlarmRecord | undefined {
    const s = ref.states.get(deviceName)!;
    const alarmId = randomUUID().replace(/-/g, '');
    const fields = firedFields(ref.rule, ref.side, productKey, deviceName, alarmId, now);
    const record: AlarmRecord = { ...fields, recovery: 0, confirm: 0 };
    s.openAlarmId = alarmId;
    const device = deviceKey(productKey, deviceName);
    const { alarmRuleId } = ref.rule;
    try {
      // The record, its cloud message and the open episode: one commit, or nothing.
      this.#store.db
        .transaction(() => {
          const row = { alarmId, alarmRuleId, side: ref.side, device, time: now, record: JSON.stringify(fields), cloud: this.#cloud };
          this.#store.insertRecord(row);
          this.#store.putState(alarmRuleId, ref.side, device, s);
          this.#outbox?.enqueue(record, 'raised');
        })
        .immediate();
    } catch (err) {
      // Not raised: the next observation tries again from scratch.
      s.openAlarmId = null;
      s.lastMatch = null;
      this.#log.error({ err, rule: alarmRuleId, dev: device }, 'alarm could not be recorded; it is raised again with the next report');
      if (isStorageFailure(err)) writeHealthOf(this.#store.db).failed('rules alarm', err);
      return undefined;
    }
    writeHealthOf(this.#store.db).ok('rules alarm');
    this.#log.warn({ rule: alarmRuleId, dev: device, alarmId, level: ref.rule.alarmLevel }, 'alarm raised');
    return record;
  }

  /** The episode of the side on the device closes: its records, or undefined when it could not be committed. */
  recover(ref: SideRef, productKey: string, deviceName: string, now: number): AlarmRecord[] | undefined {
    const s = ref.states.get(deviceName)!;
    const device = deviceKey(productKey, deviceName);
    const { alarmRuleId } = ref.rule;
    let rows: AlarmRecordRow[] = [];
    try {
      this.#store.db
        .transaction(() => {
          rows = this.#store.recover(alarmRuleId, ref.side, device, now, this.#cloud);
          this.#store.putState(alarmRuleId, ref.side, device, s);
          for (const row of rows) this.#outbox?.enqueue(recordOf(row), 'recovered');
        })
        .immediate();
    } catch (err) {
      this.#log.error({ err, rule: alarmRuleId, dev: device }, 'alarm recovery could not be recorded; retried with the next report');
      s.openAlarmId = this.#store.history({ device, alarmRuleId, open: true, limit: 1 })[0]?.alarmId ?? null;
      return undefined;
    }
    this.#log.info({ rule: alarmRuleId, dev: device, alarms: rows.length }, 'alarm recovered');
    return rows.map(recordOf);
  }

  /** Acknowledge an alarm (H7 confirm fields). Returns the updated record, or undefined when unknown. */
  confirm(alarmId: string, c: Confirmation, now: number): AlarmRecord | undefined {
    let rec: AlarmRecord | undefined;
    this.#store.db
      .transaction(() => {
        const row = this.#store.confirm(alarmId, {
          time: now,
          confirmType: c.confirmType,
          comment: c.comment ?? null,
          operator: c.operator ?? null,
          cloud: this.#cloud,
        });
        if (!row) return;
        rec = recordOf(row);
        this.#outbox?.enqueue(rec, 'confirmed');
      })
      .immediate();
    return rec;
  }
}
