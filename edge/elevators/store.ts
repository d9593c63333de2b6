/**
 * The linkage store: relations, user entries (both versions) and the linkage switches, in the
 * box database (survives restarts, read offline). Statements are prepared once; every write is
 * one transaction. Changes are announced to `onChange` after the commit (the engine re-indexes,
 * door rule deployment re-queues).
 */
import type { Db } from '../store/db.js';
import type { ControlMode, ParamType, Relation, Target, UserEntry } from './validate.js';

interface RelationRow {
  data_id: string;
  control_mode: ControlMode;
  elevator_iot_id: string;
  trigger_iot_id: string;
  trigger_floor: string | null;
  trigger_room_no: string | null;
  trigger_elevator_id: string | null;
  delay_seconds: number;
  execution_node: 'EDGE';
}

interface UserRow {
  data_id: string;
  param_type: ParamType;
  param_value: string;
  expiry_time: string;
  expiry_ms: number | null;
  targets: string;
  version: '1.0.2' | '1.0.1';
}

export type Availability = 'enable' | 'disable';

export interface StoreChange {
  dataId: string;
  /** The user entry that changed; absent when the relation itself changed. */
  user?: { paramType: ParamType; paramValue: string };
}

function relationOf(r: RelationRow): Relation {
  const rel: Relation = {
    dataId: r.data_id,
    controlMode: r.control_mode,
    elevatorIotId: r.elevator_iot_id,
    triggerIotId: r.trigger_iot_id,
    delaySeconds: r.delay_seconds,
    executionNode: 'EDGE',
  };
  if (r.trigger_floor !== null) rel.triggerFloor = r.trigger_floor;
  if (r.trigger_room_no !== null) rel.triggerRoomNo = r.trigger_room_no;
  if (r.trigger_elevator_id !== null) rel.triggerElevatorId = r.trigger_elevator_id;
  return rel;
}

function userOf(r: UserRow): UserEntry {
  return {
    dataId: r.data_id,
    paramType: r.param_type,
    paramValue: r.param_value,
    expiryTime: r.expiry_time,
    expiryMs: r.expiry_ms ?? undefined,
    userTargetList: JSON.parse(r.targets) as Target[],
    version: r.version,
  };
}

export class LinkageStore {
  readonly #db: Db;
  readonly #listeners: Array<(c: StoreChange) => void> = [];
  readonly #putRelation;
  readonly #getRelation;
  readonly #allRelations;
  readonly #deleteRelation;
  readonly #putUser;
  readonly #getUser;
  readonly #deleteUser;
  readonly #usersOf;
  readonly #getSwitch;
  readonly #putSwitch;

  constructor(db: Db) {
    this.#db = db;
    this.#putRelation =
      db.prepare(`INSERT INTO elevator_relations (data_id, control_mode, elevator_iot_id, trigger_iot_id, trigger_floor, trigger_room_no, trigger_elevator_id, delay_seconds, execution_node, source, updated_at)
      VALUES (@dataId, @controlMode, @elevatorIotId, @triggerIotId, @triggerFloor, @triggerRoomNo, @triggerElevatorId, @delaySeconds, @executionNode, @source, @now)
      ON CONFLICT(data_id) DO UPDATE SET control_mode = excluded.control_mode, elevator_iot_id = excluded.elevator_iot_id, trigger_iot_id = excluded.trigger_iot_id,
        trigger_floor = excluded.trigger_floor, trigger_room_no = excluded.trigger_room_no, trigger_elevator_id = excluded.trigger_elevator_id,
        delay_seconds = excluded.delay_seconds, execution_node = excluded.execution_node, source = excluded.source, updated_at = excluded.updated_at`);
    this.#getRelation = db.prepare('SELECT * FROM elevator_relations WHERE data_id = ?');
    this.#allRelations = db.prepare('SELECT * FROM elevator_relations ORDER BY data_id');
    this.#deleteRelation = db.prepare('DELETE FROM elevator_relations WHERE data_id = ?');
    this.#putUser =
      db.prepare(`INSERT INTO elevator_users (data_id, param_type, param_value, expiry_time, expiry_ms, targets, version, updated_at)
      VALUES (@dataId, @paramType, @paramValue, @expiryTime, @expiryMs, @targets, @version, @now)
      ON CONFLICT(data_id, param_type, param_value) DO UPDATE SET expiry_time = excluded.expiry_time, expiry_ms = excluded.expiry_ms, targets = excluded.targets, version = excluded.version, updated_at = excluded.updated_at`);
    this.#getUser = db.prepare('SELECT * FROM elevator_users WHERE data_id = ? AND param_type = ? AND param_value = ?');
    this.#deleteUser = db.prepare('DELETE FROM elevator_users WHERE data_id = ? AND param_type = ? AND param_value = ?');
    this.#usersOf = db.prepare(
      "SELECT * FROM elevator_users WHERE data_id = ? AND param_type = 'IDENTITY' AND param_value > ? ORDER BY param_value LIMIT ?",
    );
    this.#getSwitch = db.prepare('SELECT availability FROM elevator_switches WHERE device_key = ?').pluck();
    this.#putSwitch = db.prepare(
      'INSERT INTO elevator_switches (device_key, availability, updated_at) VALUES (?, ?, ?) ON CONFLICT(device_key) DO UPDATE SET availability = excluded.availability, updated_at = excluded.updated_at',
    );
  }

  /** Told after every committed change. */
  onChange(fn: (c: StoreChange) => void): void {
    this.#listeners.push(fn);
  }

  #changed(c: StoreChange): void {
    for (const fn of this.#listeners) fn(c);
  }

  putRelation(r: Relation, source: string, now = Date.now()): void {
    this.#putRelation.run({ triggerFloor: null, triggerRoomNo: null, triggerElevatorId: null, ...r, source, now });
    this.#changed({ dataId: r.dataId });
  }

  relation(dataId: string): Relation | undefined {
    const row = this.#getRelation.get(dataId) as RelationRow | undefined;
    return row ? relationOf(row) : undefined;
  }

  relations(): Relation[] {
    return (this.#allRelations.all() as RelationRow[]).map(relationOf);
  }

  /** Deletes its user entries and waiting commands too (foreign keys). */
  deleteRelation(dataId: string): boolean {
    const gone = this.#deleteRelation.run(dataId).changes > 0;
    if (gone) this.#changed({ dataId });
    return gone;
  }

  putUser(u: UserEntry, now = Date.now()): void {
    this.#putUser.run({ ...u, expiryMs: u.expiryMs ?? null, targets: JSON.stringify(u.userTargetList), now });
    this.#changed({ dataId: u.dataId, user: { paramType: u.paramType, paramValue: u.paramValue } });
  }

  /** Many entries in one transaction (commissioning files, benchmarks). */
  putUsers(list: readonly UserEntry[], now = Date.now()): void {
    this.#db
      .transaction(() => {
        for (const u of list) this.#putUser.run({ ...u, expiryMs: u.expiryMs ?? null, targets: JSON.stringify(u.userTargetList), now });
      })
      .immediate();
    // One change per relation: listeners re-read the relation's users (50,000 entries are 50,000 otherwise).
    for (const dataId of new Set(list.map((u) => u.dataId))) this.#changed({ dataId });
  }

  user(dataId: string, paramType: ParamType, paramValue: string): UserEntry | undefined {
    const row = this.#getUser.get(dataId, paramType, paramValue) as UserRow | undefined;
    return row ? userOf(row) : undefined;
  }

  deleteUser(dataId: string, paramType: ParamType, paramValue: string): boolean {
    const gone = this.#deleteUser.run(dataId, paramType, paramValue).changes > 0;
    if (gone) this.#changed({ dataId, user: { paramType, paramValue } });
    return gone;
  }

  /** Every entry of a relation (both versions), by type and value, for the console; `like` filters the value. */
  usersPage(dataId: string, like: string, limit: number): { total: number; users: UserEntry[] } {
    const pattern = `%${like.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const total = this.#db
      .prepare("SELECT COUNT(*) FROM elevator_users WHERE data_id = ? AND param_value LIKE ? ESCAPE '\\'")
      .pluck()
      .get(dataId, pattern) as number;
    const rows = this.#db
      .prepare("SELECT * FROM elevator_users WHERE data_id = ? AND param_value LIKE ? ESCAPE '\\' ORDER BY param_type, param_value LIMIT ?")
      .all(dataId, pattern, limit) as UserRow[];
    return { total, users: rows.map(userOf) };
  }

  /** Identity-keyed entries of a relation, by identityId, a page after `after`. */
  identityUsers(dataId: string, after = '', limit = 1000): UserEntry[] {
    return (this.#usersOf.all(dataId, after, limit) as UserRow[]).map(userOf);
  }

  /** The linkage switch of an elevator device; a gateway is enabled until told otherwise (factory default, L37690). */
  availability(deviceKey: string): Availability {
    return (this.#getSwitch.get(deviceKey) as Availability | undefined) ?? 'enable';
  }

  setAvailability(deviceKey: string, a: Availability, now = Date.now()): void {
    this.#putSwitch.run(deviceKey, a, now);
  }
}
