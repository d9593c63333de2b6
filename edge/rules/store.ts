/**
 * The rules area's tables in the box database (migration area `rules`): the rules, the state of
 * every rule side on every device (holds, counts, open episodes: a restart continues them) and
 * the alarm records. An alarm record, its state change and its outbox row are written in one
 * transaction by the engine, so a kill -9 after a firing loses nothing that was raised.
 */
import type { Db, Migration } from '../store/db.js';
import { migrate } from '../store/db.js';
import type { AlarmRule } from './rule.js';
import type { SideState } from './evaluator.js';

export const rulesMigrations: Migration[] = [
  {
    version: 1,
    up: `
      CREATE TABLE rules_alarm_rules (
        alarm_rule_id TEXT PRIMARY KEY,
        body TEXT NOT NULL,
        status INTEGER NOT NULL,
        source TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE rules_state (
        alarm_rule_id TEXT NOT NULL,
        side INTEGER NOT NULL,
        device TEXT NOT NULL,
        last_match INTEGER,
        hold_since INTEGER,
        matches TEXT,
        open_alarm_id TEXT,
        PRIMARY KEY (alarm_rule_id, side, device)
      ) WITHOUT ROWID;
      CREATE TABLE rules_alarm_records (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        alarm_id TEXT NOT NULL UNIQUE,
        alarm_rule_id TEXT NOT NULL,
        side INTEGER NOT NULL,
        device TEXT NOT NULL,
        time INTEGER NOT NULL,
        record TEXT NOT NULL,
        recovery INTEGER NOT NULL DEFAULT 0,
        recovery_time INTEGER,
        confirm INTEGER NOT NULL DEFAULT 0,
        confirm_time INTEGER,
        confirm_type INTEGER,
        confirm_comment TEXT,
        operator TEXT,
        cloud INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX rules_alarm_records_open ON rules_alarm_records (recovery, id);
      -- A recovery finds the open records of its rule side and device without scanning every open one.
      CREATE INDEX rules_alarm_records_episode ON rules_alarm_records (alarm_rule_id, device, side) WHERE recovery = 0;
      CREATE INDEX rules_alarm_records_cloud ON rules_alarm_records (cloud);
    `,
  },
];

/** Where a rule came from: the cloud, the console, or the rules file of the box config. */
export type RuleSource = 'cloud' | 'console' | 'file';

/** Cloud state of a record: 0 its latest state is not queued yet (no outbox), 1 queued, 2 acknowledged. */
export const CLOUD = { NOT_QUEUED: 0, QUEUED: 1, ACKNOWLEDGED: 2 } as const;

export interface AlarmRecordRow {
  id: number;
  alarmId: string;
  alarmRuleId: string;
  side: number;
  device: string;
  time: number;
  /** The H7 fields fixed at firing (rule name, level, content … as the rule was then). */
  record: string;
  recovery: number;
  recoveryTime: number | null;
  confirm: number;
  confirmTime: number | null;
  confirmType: number | null;
  confirmComment: string | null;
  operator: string | null;
  cloud: number;
}

const RECORD_COLUMNS =
  'id, alarm_id AS alarmId, alarm_rule_id AS alarmRuleId, side, device, time, record, recovery, recovery_time AS recoveryTime, confirm, confirm_time AS confirmTime, confirm_type AS confirmType, confirm_comment AS confirmComment, operator, cloud';

/** Which alarm records the history shows (the console's filter; `beforeId` pages back). */
export interface AlarmHistoryFilter {
  device?: string;
  alarmRuleId?: string;
  from?: number;
  to?: number;
  open?: boolean;
  limit: number;
  beforeId?: number;
}

export interface StoredState {
  alarmRuleId: string;
  side: number;
  device: string;
  state: SideState;
}

export class RulesStore {
  readonly db: Db;
  readonly #s;

  constructor(db: Db) {
    this.db = db;
    migrate(db, 'rules', rulesMigrations);
    this.#s = {
      allRules: db.prepare('SELECT body, source FROM rules_alarm_rules ORDER BY rowid'),
      getRule: db.prepare('SELECT body FROM rules_alarm_rules WHERE alarm_rule_id = ?').pluck(),
      putRule: db.prepare(
        'INSERT INTO rules_alarm_rules (alarm_rule_id, body, status, source, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(alarm_rule_id) DO UPDATE SET body = excluded.body, status = excluded.status, source = excluded.source, updated_at = excluded.updated_at',
      ),
      deleteRule: db.prepare('DELETE FROM rules_alarm_rules WHERE alarm_rule_id = ?'),
      allState: db.prepare(
        'SELECT alarm_rule_id AS alarmRuleId, side, device, last_match AS lastMatch, hold_since AS holdSince, matches, open_alarm_id AS openAlarmId FROM rules_state',
      ),
      putState: db.prepare(
        'INSERT INTO rules_state (alarm_rule_id, side, device, last_match, hold_since, matches, open_alarm_id) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(alarm_rule_id, side, device) DO UPDATE SET last_match = excluded.last_match, hold_since = excluded.hold_since, matches = excluded.matches, open_alarm_id = excluded.open_alarm_id',
      ),
      deleteState: db.prepare('DELETE FROM rules_state WHERE alarm_rule_id = ? AND side = ? AND device = ?'),
      deleteRuleState: db.prepare('DELETE FROM rules_state WHERE alarm_rule_id = ?'),
      insertRecord: db.prepare(
        'INSERT INTO rules_alarm_records (alarm_id, alarm_rule_id, side, device, time, record, cloud) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      recoverRecords: db.prepare(
        `UPDATE rules_alarm_records SET recovery = 1, recovery_time = ?, cloud = ? WHERE alarm_rule_id = ? AND side = ? AND device = ? AND recovery = 0 RETURNING ${RECORD_COLUMNS}`,
      ),
      confirmRecord: db.prepare(
        `UPDATE rules_alarm_records SET confirm = 1, confirm_time = ?, confirm_type = ?, confirm_comment = ?, operator = ?, cloud = ? WHERE alarm_id = ? RETURNING ${RECORD_COLUMNS}`,
      ),
      record: db.prepare(`SELECT ${RECORD_COLUMNS} FROM rules_alarm_records WHERE alarm_id = ?`),
      open: db.prepare(`SELECT ${RECORD_COLUMNS} FROM rules_alarm_records WHERE recovery = 0 ORDER BY id DESC LIMIT ?`),
      openCount: db.prepare('SELECT count(*) FROM rules_alarm_records WHERE recovery = 0').pluck(),
      notQueued: db.prepare(`SELECT ${RECORD_COLUMNS} FROM rules_alarm_records WHERE cloud = 0 ORDER BY id LIMIT ?`),
      setCloud: db.prepare('UPDATE rules_alarm_records SET cloud = ? WHERE alarm_id = ? AND cloud <> 0'),
      markQueued: db.prepare('UPDATE rules_alarm_records SET cloud = 1 WHERE alarm_id = ?'),
    };
  }

  rules(): Array<{ rule: AlarmRule; source: RuleSource }> {
    return (this.#s.allRules.all() as Array<{ body: string; source: RuleSource }>).map((r) => ({
      rule: JSON.parse(r.body) as AlarmRule,
      source: r.source,
    }));
  }

  rule(id: string): AlarmRule | undefined {
    const body = this.#s.getRule.get(id) as string | undefined;
    return body ? (JSON.parse(body) as AlarmRule) : undefined;
  }

  putRule(rule: AlarmRule, source: RuleSource, now: number): void {
    this.#s.putRule.run(rule.alarmRuleId, JSON.stringify(rule), rule.status, source, now);
  }

  deleteRule(id: string): boolean {
    this.#s.deleteRuleState.run(id);
    return this.#s.deleteRule.run(id).changes > 0;
  }

  states(): StoredState[] {
    return (
      this.#s.allState.all() as Array<{
        alarmRuleId: string;
        side: number;
        device: string;
        lastMatch: number | null;
        holdSince: number | null;
        matches: string | null;
        openAlarmId: string | null;
      }>
    ).map((r) => ({
      alarmRuleId: r.alarmRuleId,
      side: r.side,
      device: r.device,
      state: {
        lastMatch: r.lastMatch === null ? null : r.lastMatch === 1,
        holdSince: r.holdSince,
        matches: r.matches ? (JSON.parse(r.matches) as number[]) : [],
        openAlarmId: r.openAlarmId,
        seen: false,
      },
    }));
  }

  /** Write (or, when idle, remove) one side state; call inside a transaction for many. */
  putState(alarmRuleId: string, side: number, device: string, s: SideState): void {
    if (s.lastMatch !== true && s.holdSince === null && s.matches.length === 0 && s.openAlarmId === null) {
      this.#s.deleteState.run(alarmRuleId, side, device);
      return;
    }
    this.#s.putState.run(
      alarmRuleId,
      side,
      device,
      s.lastMatch === null ? null : s.lastMatch ? 1 : 0,
      s.holdSince,
      s.matches.length > 0 ? JSON.stringify(s.matches) : null,
      s.openAlarmId,
    );
  }

  deleteRuleState(alarmRuleId: string): void {
    this.#s.deleteRuleState.run(alarmRuleId);
  }

  insertRecord(r: Pick<AlarmRecordRow, 'alarmId' | 'alarmRuleId' | 'side' | 'device' | 'time' | 'record'> & { cloud: number }): void {
    this.#s.insertRecord.run(r.alarmId, r.alarmRuleId, r.side, r.device, r.time, r.record, r.cloud);
  }

  recover(alarmRuleId: string, side: number, device: string, time: number, cloud: number): AlarmRecordRow[] {
    return this.#s.recoverRecords.all(time, cloud, alarmRuleId, side, device) as AlarmRecordRow[];
  }

  confirm(
    alarmId: string,
    c: { time: number; confirmType: number; comment: string | null; operator: string | null; cloud: number },
  ): AlarmRecordRow | undefined {
    return this.#s.confirmRecord.get(c.time, c.confirmType, c.comment, c.operator, c.cloud, alarmId) as AlarmRecordRow | undefined;
  }

  record(alarmId: string): AlarmRecordRow | undefined {
    return this.#s.record.get(alarmId) as AlarmRecordRow | undefined;
  }

  open(limit: number): AlarmRecordRow[] {
    return this.#s.open.all(limit) as AlarmRecordRow[];
  }

  openCount(): number {
    return this.#s.openCount.get() as number;
  }

  /** Records (newest first) matching a filter, for the console's history. */
  history(f: AlarmHistoryFilter): AlarmRecordRow[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (f.device) {
      where.push('device = ?');
      args.push(f.device);
    }
    if (f.alarmRuleId) {
      where.push('alarm_rule_id = ?');
      args.push(f.alarmRuleId);
    }
    if (f.from !== undefined) {
      where.push('time >= ?');
      args.push(f.from);
    }
    if (f.to !== undefined) {
      where.push('time <= ?');
      args.push(f.to);
    }
    if (f.open !== undefined) {
      where.push('recovery = ?');
      args.push(f.open ? 0 : 1);
    }
    if (f.beforeId !== undefined) {
      where.push('id < ?');
      args.push(f.beforeId);
    }
    const sql = `SELECT ${RECORD_COLUMNS} FROM rules_alarm_records ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return this.db.prepare(sql).all(...args, f.limit) as AlarmRecordRow[];
  }

  notQueued(limit: number): AlarmRecordRow[] {
    return this.#s.notQueued.all(limit) as AlarmRecordRow[];
  }

  markQueued(alarmId: string): void {
    this.#s.markQueued.run(alarmId);
  }

  /** The platform acknowledged the upload of a record's state (not lowered back if it changed since and is queued again). */
  acknowledged(alarmId: string): void {
    this.#s.setCloud.run(CLOUD.ACKNOWLEDGED, alarmId);
  }
}
