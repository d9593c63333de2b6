/**
 * The `AlarmRecord` data model v1.1 (seed 001 L30426-30481, digest 001d H7): what a firing
 * produces, stored, posted to the cloud as the gateway's event `AlarmRecord` and published on the
 * local bus. All fields are optional in the model; the box always fills the ones it knows.
 */
import type { AlarmRecordRow } from './store.js';
import type { AlarmRule } from './rule.js';

export const ALARM_RECORD_EVENT = 'AlarmRecord';

/** The H7 fields, as posted. */
export interface AlarmRecord {
  alarmId: string;
  sceneId: string;
  alarmName: string;
  productKey: string;
  deviceName: string;
  productName?: string;
  alarmLevel: number;
  auxiliaryLevel?: number;
  alarmContent: string;
  alarmType: number;
  alarmMode: number;
  restrictAlarmType?: number;
  extConfig?: string;
  time: number;
  recovery: number;
  recoveryTime?: number;
  confirm: number;
  confirmTime?: number;
  confirmType?: number;
  confirmComment?: string;
  operator?: string;
}

/** The fields fixed when the alarm is raised: the rule as it was then. */
export function firedFields(
  rule: AlarmRule,
  side: 1 | 2,
  productKey: string,
  deviceName: string,
  alarmId: string,
  time: number,
): Omit<AlarmRecord, 'recovery' | 'confirm'> {
  return {
    alarmId,
    sceneId: rule.alarmRuleId,
    alarmName: rule.alarmName,
    productKey,
    deviceName,
    alarmLevel: rule.alarmLevel,
    ...(rule.auxiliaryLevel !== undefined ? { auxiliaryLevel: rule.auxiliaryLevel } : {}),
    alarmContent: rule.alarmContent,
    alarmType: rule.alarmType,
    alarmMode: rule.alarmMode,
    // Only limit rules have a high and a low side (L30466-30468).
    ...(rule.alarmMode === 2 ? { restrictAlarmType: side } : {}),
    ...(rule.extConfig !== undefined ? { extConfig: rule.extConfig } : {}),
    time,
  };
}

/** The whole record from its stored row. */
export function recordOf(row: AlarmRecordRow): AlarmRecord {
  const fixed = JSON.parse(row.record) as Omit<AlarmRecord, 'recovery' | 'confirm'>;
  return {
    ...fixed,
    recovery: row.recovery,
    ...(row.recoveryTime !== null ? { recoveryTime: row.recoveryTime } : {}),
    confirm: row.confirm,
    ...(row.confirmTime !== null ? { confirmTime: row.confirmTime } : {}),
    ...(row.confirmType !== null ? { confirmType: row.confirmType } : {}),
    ...(row.confirmComment !== null ? { confirmComment: row.confirmComment } : {}),
    ...(row.operator !== null ? { operator: row.operator } : {}),
  };
}

/**
 * Where records go besides the table: the cloud outbox (synchronous, same database: called inside
 * the record's own transaction) and the local bus (after the commit).
 */
export interface AlarmOutbox {
  /** Queue the record's current state for the cloud; must run inside the caller's transaction. */
  enqueue(record: AlarmRecord, change: 'raised' | 'recovered' | 'confirmed'): void;
}
