/**
 * Linkage jobs: a matched pass waiting for its relation's delay, kept in `elevator_jobs` so a
 * restart resumes it, and the call record its execution leaves (AutoElevatorCallRecord).
 */
import type { Db } from '../store/db.js';
import { splitDeviceKey } from '../thing/registry.js';
import { effectiveTargets } from './mapping.js';
import type { AutoElevatorCallRecord } from './records.js';
import type { ParamType, Relation, Target } from './validate.js';

/** The person of a pass, as the linkage and its record see them. */
export interface PassPerson {
  passId: string;
  deviceKey: string;
  identityId: string;
  mediaType: AutoElevatorCallRecord['mediaType'];
  mediaID: string;
  /** The user entry's targets at the time of the pass. */
  targets: Target[];
  /** Which entry matched (for the repeat window and the record's ext info). */
  paramType: ParamType;
}

export interface Job {
  eventId: string;
  dataId: string;
  dueAt: number;
  person: PassPerson;
}

export class JobStore {
  readonly #db: Db;
  readonly #insert;
  readonly #exists;
  readonly #delete;

  constructor(db: Db) {
    this.#db = db;
    this.#insert = db.prepare('INSERT INTO elevator_jobs (event_id, data_id, due_at, pass, created_at) VALUES (?, ?, ?, ?, ?)');
    this.#exists = db.prepare('SELECT 1 FROM elevator_jobs WHERE event_id = ?').pluck();
    this.#delete = db.prepare('DELETE FROM elevator_jobs WHERE event_id = ?');
  }

  insert(job: Job, now: number): void {
    this.#insert.run(job.eventId, job.dataId, job.dueAt, JSON.stringify(job.person), now);
  }

  /** False once the job's relation was deleted (it took the job row with it) or the job ended. */
  exists(eventId: string): boolean {
    return !!this.#exists.get(eventId);
  }

  delete(eventId: string): void {
    this.#delete.run(eventId);
  }

  /** Every waiting job, earliest first. */
  all(): Job[] {
    const rows = this.#db.prepare('SELECT event_id, data_id, due_at, pass FROM elevator_jobs ORDER BY due_at').all() as Array<{
      event_id: string;
      data_id: string;
      due_at: number;
      pass: string;
    }>;
    return rows.map((j) => ({ eventId: j.event_id, dataId: j.data_id, dueAt: j.due_at, person: JSON.parse(j.pass) as PassPerson }));
  }
}

/** The record of one execution [AutoElevatorCallRecord, L26509-26580]. */
export function callRecord(
  job: Job,
  r: Relation,
  elevatorKey: string,
  outcome: { code: number; detail: string },
  now: number,
): AutoElevatorCallRecord {
  const p = job.person;
  const [entranceProductKey, entranceDeviceName] = splitDeviceKey(p.deviceKey);
  const [elevatorProductKey, elevatorDeviceName] = splitDeviceKey(elevatorKey);
  const calls = r.controlMode === 'CALL_ONLY' || r.controlMode === 'CALL_WITH_TARGET';
  return {
    eventId: job.eventId,
    eventTime: String(now),
    identityID: p.identityId,
    mediaType: p.mediaType,
    mediaID: p.mediaID,
    entranceProductKey,
    entranceDeviceName,
    elevatorProductKey,
    elevatorDeviceName,
    startFloor: calls ? (r.triggerFloor ?? '') : '',
    StartRoomNumber: calls ? (r.triggerRoomNo ?? '') : '',
    targetList: JSON.stringify(effectiveTargets(r, p.targets)),
    callResultCode: outcome.code,
    callResultMsg: outcome.code === 200 ? 'success' : `failed + ${outcome.detail}`,
    deviceExtInfo: '',
    userExtInfo: '',
    eventExtInfo: JSON.stringify({
      dataId: r.dataId,
      controlMode: r.controlMode,
      passId: p.passId,
      delaySeconds: r.delaySeconds,
      ...(r.triggerElevatorId ? { elevatorId: r.triggerElevatorId } : {}),
    }),
  };
}
