/**
 * Person-elevator linkage executed on the box (`executionNode: EDGE`, seed 001 L26239). After a
 * committed successful pass (`access.pass`, any credential, any door driver) at a relation's
 * trigger device, a matching unexpired user entry and an enabled elevator switch schedule the
 * relation's elevator commands after `delaySeconds`:
 *
 *   pass ─match─▶ job row (durable) ─delay─▶ commands through the host to the gateway's driver
 *        ─▶ record + its outbox row, job deleted (one transaction) ─▶ local bus
 *
 * A restart during the delay finds the job row and runs it once (the record's commit deletes
 * it). A deleted relation takes its waiting jobs with it (foreign key). A gateway that cannot be
 * reached gives a failure record and no retry: a person waiting at a door wants the elevator
 * now, not a call repeated minutes later. The same person at the same relation within
 * `repeatWindowMs` (a double scan) is one call. Commands go through the host like any service
 * call (ARCHITECTURE: rules never talk to a driver directly).
 */
import { randomUUID } from 'node:crypto';
import type { EventBus, EdgeEvents } from '../events.js';
import type { Logger } from '../log.js';
import type { Db } from '../store/db.js';
import type { DeviceResolver } from './devices.js';
import { type ElevatorHost, executeRelation } from './execute.js';
import { RECORD_EVENT, type AutoElevatorCallRecord, type CallRecords } from './records.js';
import { callRecord, type Job, JobStore, type PassPerson } from './jobs.js';
import { RelationIndex } from './relation-index.js';
import type { LinkageStore } from './store.js';
import type { UserEntry } from './validate.js';

const OWNER = 'elevators';

export type { ElevatorHost } from './execute.js';

export interface EngineOptions {
  /**
   * After a start, a command due for a gateway that has not connected yet waits this long for
   * it (the jobs of before a restart come due while the drivers are still starting).
   */
  startGraceMs: number;
  /** A second pass of the same person at the same relation within this window calls nothing. */
  repeatWindowMs: number;
  /** Time limit of one command to the gateway. */
  commandTimeoutMs: number;
}

export const engineDefaults: EngineOptions = { repeatWindowMs: 5000, commandTimeoutMs: 5000, startGraceMs: 20_000 };

export type { PassPerson } from './jobs.js';

export type Pass = EdgeEvents['access.pass'];

/** Pass kinds that name a person with a credential of the record's mediaType (L26509-26511). */
const MEDIA: Record<string, AutoElevatorCallRecord['mediaType']> = { face: 'FACE', qrCode: 'QRCODE', tradCard: 'CARD', bleCard: 'CARD' };

export class LinkageEngine {
  readonly #store: LinkageStore;
  readonly #records: CallRecords;
  readonly #devices: DeviceResolver;
  readonly #host: ElevatorHost;
  readonly #events: EventBus;
  readonly #log: Logger;
  readonly #opts: EngineOptions;
  readonly #now: () => number;
  readonly #jobStore: JobStore;
  readonly #jobs = new Map<string, Job>();
  readonly #running = new Set<Promise<void>>();
  readonly #recent = new Map<string, number>();
  readonly #relations: RelationIndex;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity;
  #stopped = false;
  /** Counters for health and the benchmark. */
  readonly stats = { matched: 0, executed: 0, failed: 0, skipped: 0, cancelled: 0 };
  #startedAt = 0;

  readonly #identityOf: (p: Pass) => string;

  /**
   * `identityOf`: the person of a pass. A door reports card and device-side face passes without
   * an identityId; the runtime looks the card's holder up in the access core's permissions.
   */
  constructor(
    deps: {
      db: Db;
      store: LinkageStore;
      records: CallRecords;
      devices: DeviceResolver;
      host: ElevatorHost;
      events: EventBus;
      log: Logger;
      now?: () => number;
      identityOf?: (p: Pass) => string;
    },
    options: Partial<EngineOptions> = {},
  ) {
    this.#identityOf = deps.identityOf ?? ((p) => p.identityId);
    this.#store = deps.store;
    this.#records = deps.records;
    this.#devices = deps.devices;
    this.#host = deps.host;
    this.#events = deps.events;
    this.#log = deps.log;
    this.#now = deps.now ?? Date.now;
    this.#opts = { ...engineDefaults, ...options };
    this.#jobStore = new JobStore(deps.db);
    this.#relations = new RelationIndex(deps.store, deps.devices);
  }

  async start(): Promise<void> {
    this.#stopped = false;
    this.#startedAt = this.#now();
    this.#store.onChange(() => this.#relations.invalidate());
    this.#events.on(OWNER, 'deploy.finished', () => this.#relations.invalidate());
    // After the commit the pass belongs to the door; matching runs on the next turn so the
    // door's answer never waits for it.
    this.#events.on(OWNER, 'access.pass', (p) => void setImmediate(() => this.onPass(p)));
    const waiting = this.#jobStore.all();
    for (const j of waiting) this.#jobs.set(j.eventId, j);
    if (waiting.length > 0) this.#log.info({ jobs: waiting.length }, 'elevator commands waiting from before the restart');
    this.#arm();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#events.removeAll(OWNER);
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
    await Promise.allSettled([...this.#running]);
  }

  /** Jobs waiting for their delay. */
  get waiting(): number {
    return this.#jobs.size;
  }

  /** The user entry a pass matches under a relation: by identity first, then by credential (v1.0.1). */
  #userOf(dataId: string, p: Pass, identityId: string, mediaType: AutoElevatorCallRecord['mediaType']): UserEntry | undefined {
    if (identityId) {
      const u = this.#store.user(dataId, 'IDENTITY', identityId);
      if (u) return u;
    }
    if (mediaType === 'QRCODE' || mediaType === 'CARD') return this.#store.user(dataId, mediaType, p.content);
    return undefined;
  }

  /** A committed pass: schedule what it triggers. */
  onPass(p: Pass): void {
    if (this.#stopped || p.code !== 0) return;
    const mediaType = MEDIA[p.kind];
    if (!mediaType) return;
    const relations = this.#relations.at(p.deviceKey);
    if (!relations) return;
    const now = this.#now();
    const identityId = this.#identityOf(p);
    const selfRun = this.#devices.selfRunningElevatorOf(p.deviceKey) !== undefined;
    for (const { r, elevatorKey } of relations) {
      const user = this.#userOf(r.dataId, p, identityId, mediaType);
      if (!user) continue;
      const log = this.#log.child({ dataId: r.dataId, pass: p.passId });
      if (user.expiryMs !== undefined && now > user.expiryMs) {
        log.info('linkage user entry expired; no elevator call');
        this.stats.skipped++;
        continue;
      }
      if (selfRun) continue; // the door runs this rule itself
      if (elevatorKey && this.#store.availability(elevatorKey) === 'disable') {
        log.info({ elevator: elevatorKey }, 'linkage switched off at the elevator; no call');
        this.stats.skipped++;
        continue;
      }
      const who = `${r.dataId}|${user.paramType}|${user.paramValue}`;
      const last = this.#recent.get(who);
      if (last !== undefined && now - last < this.#opts.repeatWindowMs) {
        log.debug('same person again within the repeat window; no second call');
        this.stats.skipped++;
        continue;
      }
      this.#recent.set(who, now);
      if (this.#recent.size > 10_000) this.#forgetOld(now);
      const person: PassPerson = {
        passId: p.passId,
        deviceKey: p.deviceKey,
        identityId,
        mediaType,
        mediaID: mediaType === 'FACE' ? (p.faceId ?? '') : p.content,
        targets: user.userTargetList,
        paramType: user.paramType,
      };
      const job: Job = { eventId: randomUUID(), dataId: r.dataId, dueAt: now + r.delaySeconds * 1000, person };
      this.#jobStore.insert(job, now);
      this.#jobs.set(job.eventId, job);
      this.stats.matched++;
      if (r.delaySeconds === 0) this.#start(job);
      else this.#arm();
    }
  }

  #forgetOld(now: number): void {
    for (const [k, t] of this.#recent) if (now - t >= this.#opts.repeatWindowMs) this.#recent.delete(k);
  }

  /** One timer, for the earliest waiting job. */
  #arm(): void {
    if (this.#stopped) return;
    let next = Infinity;
    for (const j of this.#jobs.values()) if (j.dueAt < next) next = j.dueAt;
    if (next === Infinity || next >= this.#timerAt) return;
    clearTimeout(this.#timer);
    this.#timerAt = next;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = Infinity;
        const now = this.#now();
        for (const j of [...this.#jobs.values()]) if (j.dueAt <= now) this.#start(j);
        this.#arm();
      },
      Math.max(0, next - this.#now()),
    );
    this.#timer.unref?.();
  }

  #start(job: Job): void {
    this.#jobs.delete(job.eventId);
    const run = this.#run(job).catch((err: unknown) => this.#log.error({ err, dataId: job.dataId }, 'elevator linkage execution failed'));
    this.#running.add(run);
    void run.finally(() => this.#running.delete(run));
  }

  async #run(job: Job): Promise<void> {
    // A relation deleted during the delay took its job row with it: nothing to do.
    const r = this.#store.relation(job.dataId);
    if (!r || !this.#jobStore.exists(job.eventId)) {
      this.stats.cancelled++;
      this.#log.info({ dataId: job.dataId }, 'linkage relation gone before its delay ended; no elevator call');
      return;
    }
    const elevatorKey = this.#devices.resolve(r.elevatorIotId);
    if (elevatorKey && !this.#devices.isOnline(elevatorKey) && this.#now() - this.#startedAt < this.#opts.startGraceMs) {
      this.#jobs.set(job.eventId, { ...job, dueAt: this.#now() + 250 });
      this.#arm();
      return;
    }
    if (elevatorKey && this.#store.availability(elevatorKey) === 'disable') {
      this.#jobStore.delete(job.eventId);
      this.#log.info({ dataId: r.dataId, elevator: elevatorKey }, 'linkage switched off during the delay; no call');
      return;
    }
    const outcome = elevatorKey
      ? await executeRelation(this.#host, r, elevatorKey, job.person.targets, this.#opts.commandTimeoutMs)
      : { code: 6100, detail: `elevator device ${r.elevatorIotId} is not on this box` };
    const record = callRecord(job, r, elevatorKey ?? r.elevatorIotId, outcome, this.#now());
    this.#records.commit(record, r.dataId, elevatorKey ?? '');
    if (outcome.code === 200) this.stats.executed++;
    else this.stats.failed++;
    this.#log.info(
      { dataId: r.dataId, event: record.eventId, elevator: elevatorKey, code: outcome.code, mode: r.controlMode },
      outcome.code === 200 ? 'elevator linkage executed' : 'elevator linkage failed',
    );
    if (elevatorKey)
      this.#events.emit('elevator.record', {
        deviceKey: elevatorKey,
        identifier: RECORD_EVENT,
        params: { ...record },
        time: Number(record.eventTime),
      });
  }
}
