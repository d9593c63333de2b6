/**
 * The EBA alarm rules engine: a part of the runtime fed by the registry's value and status
 * events (never by a driver). It keeps the rules (SQLite), indexes them by product and property
 * so a report costs a map lookup when no rule watches it, runs each rule side's state machine
 * per device (edge/rules/evaluator.ts), and turns a firing into an `AlarmRecord`: stored, queued
 * for the cloud and its state change in one transaction, then published on the local bus.
 * docs/rules.md describes the format and the decisions.
 */
import { randomUUID } from 'node:crypto';
import { Gauge, Summary, type Registry } from 'prom-client';
import type { EventBus, TimedValue } from '../events.js';
import type { Logger } from '../log.js';
import type { Db } from '../store/db.js';
import { isStorageFailure, writeHealthOf } from '../store/write-health.js';
import { STATUS_CODE, type DeviceRegistry, type DeviceStatus } from '../thing/registry.js';
import { firedFields, recordOf, type AlarmOutbox, type AlarmRecord } from './alarm-record.js';
import { checkDue, emptyState, holdMsOf, inRanges, lose, observe, type Outcome, type SideState } from './evaluator.js';
import { evaluate } from './recover-expr.js';
import { checkRule, compileStored, intOf, ruleDetail, ruleSummary, type AlarmRule, type CompiledRule } from './rule.js';
import { propertyMatches, type FieldProblem, type Scene } from './scene-config.js';
import { CLOUD, RulesStore, type AlarmRecordRow, type RuleSource } from './store.js';
import { TimerHeap } from './timer-heap.js';

const OWNER = 'rules';

/** One side of one rule, with the state of every device it watches. */
interface SideRef {
  rule: AlarmRule;
  side: 1 | 2;
  scene: Scene;
  holdMs: number;
  /** Single-device rule: the one device it watches. */
  deviceName: string | undefined;
  /** Per deviceName. */
  states: Map<string, SideState>;
}

/** The sides watching one device (or, under `any`, every device of the product). */
interface WatchIndex {
  byProperty: Map<string, SideRef[]>;
  status: SideRef[];
  all: SideRef[];
}

/**
 * Per product: multiDevice sides under `any`, single-device sides under their device, so a report
 * only meets the sides that watch its device (10 000 single-device rules spread over 1 000 devices
 * are ~10 per device, not 10 000 per report).
 */
interface ProductIndex {
  any: WatchIndex;
  byDevice: Map<string, WatchIndex>;
  sides: number;
}

const emptyWatch = (): WatchIndex => ({ byProperty: new Map(), status: [], all: [] });

export type AlarmChange = 'raised' | 'recovered' | 'confirmed';

export interface RulesEngineDeps {
  db: Db;
  events: EventBus;
  registry: DeviceRegistry;
  log: Logger;
  /** Publish on the local bus (absent: no bus). */
  publish?: (topic: string, payload: string, retain: boolean) => void;
  /** The box's identity: alarm events are the gateway's (`/sys/{pk}/{dn}/thing/event/AlarmRecord/post`). */
  gateway: { productKey: string; deviceName: string };
  now?: () => number;
}

export interface RulesEngineOptions {
  /** How many open alarms the retained `/edge/alarms/open` message lists (the total is always given). */
  openListed: number;
  /**
   * At most one retained open list per this many ms (the last state always follows): a storm of
   * alarms would otherwise rebuild and send the list for each one (200 records ≈ 100 KB).
   */
  openIntervalMs: number;
}

export const rulesDefaults: RulesEngineOptions = { openListed: 200, openIntervalMs: 1000 };

export const ALARM_TOPICS = {
  open: '/edge/alarms/open',
  event: (pk: string, dn: string) => `/sys/${pk}/${dn}/thing/event/AlarmRecord/post`,
} as const;

export type AddResult =
  | { ok: true; alarmRuleId: string; created: boolean; warnings: FieldProblem[] }
  | { ok: false; problems: FieldProblem[] };

export interface RuleQuery {
  nameLike?: string;
  alarmLevel?: number;
  status?: number;
  alarmType?: number;
  alarmMode?: number;
  runEnv?: string;
  productKey?: string;
  pageNo: number;
  pageSize: number;
}

export class RulesEngine {
  readonly store: RulesStore;
  readonly #deps: RulesEngineDeps;
  readonly #opts: RulesEngineOptions;
  readonly #now: () => number;
  readonly #rules = new Map<string, { compiled: CompiledRule; refs: SideRef[]; source: RuleSource }>();
  readonly #index = new Map<string, ProductIndex>();
  readonly #dirty = new Map<SideRef, Set<string>>();
  #flushScheduled = false;
  readonly #timers = new TimerHeap<{ ref: SideRef; deviceName: string }>();
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity;
  #outbox: AlarmOutbox | undefined;
  #openScheduled = false;
  #openPublishedAt = -Infinity;
  #openTimer: NodeJS.Timeout | undefined;
  #started = false;
  #eventId = 1;
  #latency: Summary | undefined;
  /** Alarms raised and recovered in this process (metrics and the benchmark). */
  readonly counts = { raised: 0, recovered: 0, evaluations: 0 };

  constructor(deps: RulesEngineDeps, options: Partial<RulesEngineOptions> = {}) {
    this.#deps = deps;
    this.#opts = { ...rulesDefaults, ...options };
    this.#now = deps.now ?? Date.now;
    this.store = new RulesStore(deps.db);
  }

  async start(): Promise<void> {
    for (const { rule, source } of this.store.rules()) {
      if (this.#rules.has(rule.alarmRuleId)) continue; // applied from the rules file just before start
      const compiled = compileStored(rule);
      if (!compiled) {
        this.#deps.log.error({ rule: rule.alarmRuleId }, 'stored alarm rule no longer valid; not evaluated');
        continue;
      }
      this.#install(compiled, source);
    }
    // Holds, counts and open episodes continue where they were.
    for (const s of this.store.states()) {
      const ref = this.#rules.get(s.alarmRuleId)?.refs.find((r) => r.side === s.side);
      if (!ref) continue;
      const [, deviceName] = splitKey(s.device);
      ref.states.set(deviceName, s.state);
    }
    this.#deps.events.on(OWNER, 'device.properties', ({ productKey, deviceName, params }) =>
      this.#onProperties(productKey, deviceName, params),
    );
    this.#deps.events.on(OWNER, 'device.status', ({ productKey, deviceName, status }) => this.#onStatus(productKey, deviceName, status));
    this.#started = true;
    this.#publishOpenSoon();
  }

  async stop(): Promise<void> {
    this.#deps.events.removeAll(OWNER);
    clearTimeout(this.#timer);
    clearTimeout(this.#openTimer);
    this.#openScheduled = false;
    this.#timer = undefined;
    this.#started = false;
    this.flush();
  }

  /** `/metrics`: rules, open alarms, alarms raised and recovered, value-to-alarm latency. */
  registerMetrics(registry: Registry): void {
    const registers = [registry];
    const self = this;
    new Gauge({
      name: 'edge_rules_enabled',
      help: 'EBA alarm rules being evaluated',
      registers,
      collect() {
        this.set([...self.#rules.values()].filter((e) => e.compiled.rule.status === 1).length);
      },
    });
    new Gauge({
      name: 'edge_rules_alarms_open',
      help: 'EBA alarms not recovered',
      registers,
      collect() {
        this.set(self.store.openCount());
      },
    });
    new Gauge({
      name: 'edge_rules_alarms_raised_total',
      help: 'EBA alarms raised by this process',
      registers,
      collect() {
        this.set(self.counts.raised);
      },
    });
    new Gauge({
      name: 'edge_rules_alarms_recovered_total',
      help: 'EBA alarms recovered by this process',
      registers,
      collect() {
        this.set(self.counts.recovered);
      },
    });
    new Gauge({
      name: 'edge_rules_evaluations_total',
      help: 'rule side evaluations (reports that met a rule with something going on)',
      registers,
      collect() {
        this.set(self.counts.evaluations);
      },
    });
    this.#latency = new Summary({
      name: 'edge_rules_alarm_latency_ms',
      help: "from the driver's reading of a value to its alarm record committed, ms",
      percentiles: [0.5, 0.9, 0.99, 1],
      maxAgeSeconds: 600,
      ageBuckets: 5,
      registers,
    });
  }

  /** Records raised or changed while no outbox was attached are queued now (as history when offline). */
  attachOutbox(outbox: AlarmOutbox): number {
    this.#outbox = outbox;
    let queued = 0;
    for (;;) {
      const rows = this.store.notQueued(500);
      if (rows.length === 0) break;
      this.store.db
        .transaction(() => {
          for (const row of rows) {
            outbox.enqueue(recordOf(row), row.recovery ? 'recovered' : row.confirm ? 'confirmed' : 'raised');
            this.store.markQueued(row.alarmId);
          }
        })
        .immediate();
      queued += rows.length;
    }
    return queued;
  }

  /** The platform acknowledged these outbox refs (`alarm:<alarmId>`). */
  acknowledged(refs: readonly string[]): void {
    for (const ref of refs) if (ref.startsWith('alarm:')) this.store.acknowledged(ref.slice('alarm:'.length));
  }

  // ---- management (cloud services, console, rules file) ----

  addOrUpdate(input: unknown, source: RuleSource): AddResult {
    const id = (input as { alarmRuleId?: unknown } | null)?.alarmRuleId;
    const existing = typeof id === 'string' ? this.#rules.get(id) : undefined;
    // Before start (the rules file) the stored rule is not installed yet: its status still counts.
    const prior = existing?.compiled.rule ?? (typeof id === 'string' ? this.store.rule(id) : undefined);
    const checked = checkRule(input, prior);
    if (!checked.ok) return checked;
    const { rule, compiled } = checked;
    this.store.putRule(rule, source, this.#now());
    if (existing) this.#uninstall(rule.alarmRuleId);
    const refs = this.#install(compiled, source);
    if (existing) this.#carryOver(existing.compiled.rule, existing.refs, refs);
    this.#deps.log.info({ rule: rule.alarmRuleId, source, created: !prior }, prior ? 'alarm rule updated' : 'alarm rule added');
    return { ok: true, alarmRuleId: rule.alarmRuleId, created: !prior, warnings: checked.warnings };
  }

  /** Delete rules; returns the ids that could not be deleted (unknown ones). Their alarm records stay as history. */
  delete(ids: readonly string[]): string[] {
    const failed: string[] = [];
    for (const id of ids) {
      if (!this.#rules.has(id)) {
        failed.push(id);
        continue;
      }
      this.#uninstall(id);
      this.store.db.transaction(() => this.store.deleteRule(id))();
      this.#deps.log.info({ rule: id }, 'alarm rule deleted');
    }
    return failed;
  }

  /** Start (1) or stop (0) rules; returns the ids that failed (unknown ones). */
  setStatus(ids: readonly string[], status: 0 | 1): string[] {
    const failed: string[] = [];
    for (const id of ids) {
      const entry = this.#rules.get(id);
      if (!entry) {
        failed.push(id);
        continue;
      }
      if (entry.compiled.rule.status === status) continue;
      const rule = { ...entry.compiled.rule, status };
      this.store.putRule(rule, entry.source, this.#now());
      this.#uninstall(id);
      const refs = this.#install({ rule, sides: entry.compiled.sides }, entry.source);
      // Stopping drops what was being timed or counted; an open episode stays open (no second alarm on restart).
      this.#carryOver(entry.compiled.rule, entry.refs, refs, true);
      this.#deps.log.info({ rule: id, status }, status ? 'alarm rule started' : 'alarm rule stopped');
    }
    return failed;
  }

  rule(id: string): AlarmRule | undefined {
    return this.#rules.get(id)?.compiled.rule;
  }

  detail(id: string): Record<string, unknown> | undefined {
    const r = this.rule(id);
    return r ? ruleDetail(r) : undefined;
  }

  query(q: RuleQuery): { total: number; pageNo: number; pageSize: number; data: Record<string, unknown>[] } {
    const like = q.nameLike?.toLowerCase();
    const all = [...this.#rules.values()]
      .map((e) => e.compiled.rule)
      .filter(
        (r) =>
          (like === undefined || r.alarmName.toLowerCase().includes(like)) &&
          (q.alarmLevel === undefined || r.alarmLevel === q.alarmLevel) &&
          (q.status === undefined || r.status === q.status) &&
          (q.alarmType === undefined || r.alarmType === q.alarmType) &&
          (q.alarmMode === undefined || r.alarmMode === q.alarmMode) &&
          (q.runEnv === undefined || r.runEnv === q.runEnv) &&
          (q.productKey === undefined || r.productKey === q.productKey),
      );
    const start = (q.pageNo - 1) * q.pageSize;
    return { total: all.length, pageNo: q.pageNo, pageSize: q.pageSize, data: all.slice(start, start + q.pageSize).map(ruleSummary) };
  }

  get ruleCount(): number {
    return this.#rules.size;
  }

  /**
   * What a rule (stored, by id, or a draft) would make of every device's last values now:
   * whether the condition holds, whether it would recover, and the stored episode if any.
   */
  dryRun(
    input: { alarmRuleId: string } | { rule: unknown },
  ): { ok: true; warnings: FieldProblem[]; devices: DryRunRow[] } | { ok: false; problems: FieldProblem[] } {
    let compiled: CompiledRule;
    let warnings: FieldProblem[] = [];
    let stored: { refs: SideRef[] } | undefined;
    if ('alarmRuleId' in input) {
      const e = this.#rules.get(input.alarmRuleId);
      if (!e) return { ok: false, problems: [{ field: 'alarmRuleId', message: 'no such rule' }] };
      compiled = e.compiled;
      stored = e;
    } else {
      const c = checkRule(input.rule);
      if (!c.ok) return c;
      compiled = c.compiled;
      warnings = c.warnings;
    }
    const now = this.#now();
    const rows: DryRunRow[] = [];
    const devices = this.#deps.registry.list().filter((d) => d.productKey === compiled.rule.productKey);
    for (const { side, scene } of compiled.sides) {
      for (const d of devices) {
        if (scene.trigger.deviceName !== undefined && compiled.rule.multiDevice === 0 && d.deviceName !== scene.trigger.deviceName)
          continue;
        const valueAt = (p: string): unknown => (p === 'status' ? STATUS_CODE[d.status] : d.shadow.get(p)?.value);
        const value = valueAt(scene.watched);
        const triggerMatches =
          value === undefined
            ? false
            : scene.trigger.kind === 'property'
              ? propertyMatches(scene.trigger, value)
              : value === scene.trigger.status;
        const state = stored?.refs.find((r) => r.side === side)?.states.get(d.deviceName);
        rows.push({
          device: `${d.productKey}/${d.deviceName}`,
          side,
          property: scene.watched,
          value: value ?? null,
          triggerMatches,
          inTimeRange: inRanges(scene, now),
          recovers: scene.recover ? evaluate(scene.recover, valueAt) : !triggerMatches,
          holdS: holdMsOf(scene, compiled.rule.timeWindow) / 1000,
          ...(scene.pause.type === 'count'
            ? {
                count: { needed: scene.pause.conditionMatchNum, withinMin: scene.pause.windowIntervalMin, now: state?.matches.length ?? 0 },
              }
            : {}),
          ...(state?.openAlarmId ? { openAlarmId: state.openAlarmId } : {}),
          ...(state?.holdSince ? { holdingSince: state.holdSince } : {}),
        });
      }
    }
    return { ok: true, warnings, devices: rows };
  }

  // ---- alarms ----

  openAlarms(limit: number): AlarmRecord[] {
    return this.store.open(limit).map(recordOf);
  }

  history(f: Parameters<RulesStore['history']>[0]): Array<AlarmRecord & { id: number }> {
    return this.store.history(f).map((r) => ({ ...recordOf(r), id: r.id }));
  }

  /** Acknowledge an alarm (H7 confirm fields). Returns the updated record, or undefined when unknown. */
  confirm(alarmId: string, c: { confirmType: 1 | 2 | 3; comment?: string; operator?: string }): AlarmRecord | undefined {
    let rec: AlarmRecord | undefined;
    this.store.db
      .transaction(() => {
        const row = this.store.confirm(alarmId, {
          time: this.#now(),
          confirmType: c.confirmType,
          comment: c.comment ?? null,
          operator: c.operator ?? null,
          cloud: this.#outbox ? CLOUD.QUEUED : CLOUD.NOT_QUEUED,
        });
        if (!row) return;
        rec = recordOf(row);
        this.#outbox?.enqueue(rec, 'confirmed');
      })
      .immediate();
    if (rec) this.#announce(rec, 'confirmed');
    return rec;
  }

  /** Write the changed side states now (normally done once per event-loop turn). */
  flush(): void {
    this.#flushScheduled = false;
    if (this.#dirty.size === 0) return;
    const dirty = [...this.#dirty];
    this.#dirty.clear();
    try {
      this.store.db
        .transaction(() => {
          for (const [ref, names] of dirty) {
            for (const name of names)
              this.store.putState(
                ref.rule.alarmRuleId,
                ref.side,
                deviceKeyOf(ref.rule.productKey, name),
                ref.states.get(name) ?? emptyState(),
              );
          }
        })
        .immediate();
    } catch (err) {
      if (!isStorageFailure(err)) throw err;
      // Held in memory: written with the next change (the states are the current ones).
      for (const [ref, names] of dirty) for (const n of names) this.#markDirty(ref, n);
      writeHealthOf(this.store.db).failed('rules state', err);
    }
  }

  // ---- evaluation ----

  #onProperties(productKey: string, deviceName: string, params: Record<string, TimedValue>): void {
    const idx = this.#index.get(productKey);
    if (!idx) return;
    const own = idx.byDevice.get(deviceName);
    const now = this.#now();
    for (const key in params) {
      const any = idx.any.byProperty.get(key);
      if (any) this.#observeProperty(any, productKey, deviceName, key, params, now);
      const mine = own?.byProperty.get(key);
      if (mine) this.#observeProperty(mine, productKey, deviceName, key, params, now);
    }
  }

  #observeProperty(
    refs: SideRef[],
    productKey: string,
    deviceName: string,
    key: string,
    params: Record<string, TimedValue>,
    now: number,
  ): void {
    const tv = params[key]!;
    const value = tv.value;
    for (const ref of refs) {
      const match = propertyMatches(ref.scene.trigger as Extract<Scene['trigger'], { kind: 'property' }>, value);
      let s = ref.states.get(deviceName);
      // Fast path: nothing matches and nothing is going on for this device (no state = idle).
      if (!s) {
        if (!match) continue;
        ref.states.set(deviceName, (s = emptyState()));
      }
      this.counts.evaluations++;
      const valueAt = (p: string): unknown =>
        p === key ? value : p in params ? params[p]!.value : this.#deps.registry.get(productKey, deviceName)?.shadow.get(p)?.value;
      this.#apply(ref, productKey, deviceName, observe(ref.scene, ref.holdMs, s, match, now, valueAt), now, tv.time);
    }
  }

  #onStatus(productKey: string, deviceName: string, status: DeviceStatus): void {
    const idx = this.#index.get(productKey);
    if (!idx) return;
    const own = idx.byDevice.get(deviceName);
    const now = this.#now();
    const code = STATUS_CODE[status];
    for (const watch of own ? [idx.any, own] : [idx.any]) {
      if (status === 'offline' || status === 'disabled') {
        // What was being timed or counted on the device's values is no longer observed.
        for (const ref of watch.all) {
          if (ref.scene.trigger.kind !== 'property') continue;
          const s = ref.states.get(deviceName);
          if (s && lose(s)) this.#markDirty(ref, deviceName);
        }
      }
      for (const ref of watch.status) {
        const trigger = ref.scene.trigger as Extract<Scene['trigger'], { kind: 'status' }>;
        let s = ref.states.get(deviceName);
        if (!s) ref.states.set(deviceName, (s = emptyState()));
        this.counts.evaluations++;
        const valueAt = (p: string): unknown =>
          p === 'status' ? code : this.#deps.registry.get(productKey, deviceName)?.shadow.get(p)?.value;
        this.#apply(ref, productKey, deviceName, observe(ref.scene, ref.holdMs, s, code === trigger.status, now, valueAt), now);
      }
    }
  }

  #apply(ref: SideRef, productKey: string, deviceName: string, out: Outcome, now: number, valueTime?: number): void {
    if (out.verdict === 'fire') this.#fire(ref, productKey, deviceName, now, valueTime);
    else if (out.verdict === 'recover') this.#recover(ref, productKey, deviceName, now);
    else if (out.changed) this.#markDirty(ref, deviceName);
    if (out.dueAt !== undefined) this.#schedule(out.dueAt, ref, deviceName);
    // An idle state is the same as none: dropped, so memory holds only what is going on.
    const s = ref.states.get(deviceName);
    if (s && isIdle(s)) ref.states.delete(deviceName);
  }

  #fire(ref: SideRef, productKey: string, deviceName: string, now: number, valueTime?: number): void {
    const s = ref.states.get(deviceName)!;
    const alarmId = randomUUID().replace(/-/g, '');
    const fields = firedFields(ref.rule, ref.side, productKey, deviceName, alarmId, now);
    const record: AlarmRecord = { ...fields, recovery: 0, confirm: 0 };
    s.openAlarmId = alarmId;
    const device = deviceKeyOf(productKey, deviceName);
    try {
      // The record, its cloud message and the open episode: one commit, or nothing.
      this.store.db
        .transaction(() => {
          this.store.insertRecord({
            alarmId,
            alarmRuleId: ref.rule.alarmRuleId,
            side: ref.side,
            device,
            time: now,
            record: JSON.stringify(fields),
            cloud: this.#outbox ? CLOUD.QUEUED : CLOUD.NOT_QUEUED,
          });
          this.store.putState(ref.rule.alarmRuleId, ref.side, device, s);
          this.#outbox?.enqueue(record, 'raised');
        })
        .immediate();
    } catch (err) {
      // Not raised: the next observation tries again from scratch.
      s.openAlarmId = null;
      s.lastMatch = null;
      this.#deps.log.error(
        { err, rule: ref.rule.alarmRuleId, dev: device },
        'alarm could not be recorded; it is raised again with the next report',
      );
      if (isStorageFailure(err)) writeHealthOf(this.store.db).failed('rules alarm', err);
      return;
    }
    this.#dirty.get(ref)?.delete(deviceName);
    this.counts.raised++;
    // Value to alarm: from the driver's reading of the value to the committed record.
    if (valueTime !== undefined) this.#latency?.observe(Math.max(0, Date.now() - valueTime));
    this.#deps.log.warn({ rule: ref.rule.alarmRuleId, dev: device, alarmId, level: ref.rule.alarmLevel }, 'alarm raised');
    this.#announce(record, 'raised');
  }

  #recover(ref: SideRef, productKey: string, deviceName: string, now: number): void {
    const s = ref.states.get(deviceName)!;
    const device = deviceKeyOf(productKey, deviceName);
    let rows: AlarmRecordRow[] = [];
    try {
      this.store.db
        .transaction(() => {
          rows = this.store.recover(ref.rule.alarmRuleId, ref.side, device, now, this.#outbox ? CLOUD.QUEUED : CLOUD.NOT_QUEUED);
          this.store.putState(ref.rule.alarmRuleId, ref.side, device, s);
          for (const row of rows) this.#outbox?.enqueue(recordOf(row), 'recovered');
        })
        .immediate();
    } catch (err) {
      this.#deps.log.error(
        { err, rule: ref.rule.alarmRuleId, dev: device },
        'alarm recovery could not be recorded; retried with the next report',
      );
      s.openAlarmId = this.store.history({ device, alarmRuleId: ref.rule.alarmRuleId, open: true, limit: 1 })[0]?.alarmId ?? null;
      return;
    }
    this.#dirty.get(ref)?.delete(deviceName);
    this.counts.recovered += rows.length;
    this.#deps.log.info({ rule: ref.rule.alarmRuleId, dev: device, alarms: rows.length }, 'alarm recovered');
    for (const row of rows) this.#announce(recordOf(row), 'recovered');
  }

  /** After the commit: the local bus (event stream + retained open list) and in-process listeners. */
  #announce(record: AlarmRecord, change: AlarmChange): void {
    this.#deps.events.emit('rules.alarm', { change, record });
    const publish = this.#deps.publish;
    if (publish) {
      const { productKey, deviceName } = this.#deps.gateway;
      publish(
        ALARM_TOPICS.event(productKey, deviceName),
        JSON.stringify({
          id: String(this.#eventId++),
          version: '1.0',
          method: 'thing.event.AlarmRecord.post',
          params: {
            value: record,
            time:
              change === 'recovered'
                ? (record.recoveryTime ?? record.time)
                : change === 'confirmed'
                  ? (record.confirmTime ?? record.time)
                  : record.time,
          },
        }),
        false,
      );
    }
    this.#publishOpenSoon();
  }

  #publishOpenSoon(): void {
    if (!this.#deps.publish || this.#openScheduled || !this.#started) return;
    this.#openScheduled = true;
    const publish = (): void => {
      this.#openScheduled = false;
      if (!this.#started) return;
      this.#openPublishedAt = this.#now();
      const total = this.store.openCount();
      this.#deps.publish?.(
        ALARM_TOPICS.open,
        JSON.stringify({ total, alarms: this.openAlarms(this.#opts.openListed), time: this.#openPublishedAt }),
        true,
      );
    };
    const wait = this.#openPublishedAt + this.#opts.openIntervalMs - this.#now();
    if (wait <= 0) setImmediate(publish);
    else (this.#openTimer = setTimeout(publish, wait)).unref?.();
  }

  #markDirty(ref: SideRef, deviceName: string): void {
    let set = this.#dirty.get(ref);
    if (!set) this.#dirty.set(ref, (set = new Set()));
    set.add(deviceName);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  // ---- deadlines ----

  #schedule(at: number, ref: SideRef, deviceName: string): void {
    this.#timers.push(at, { ref, deviceName });
    if (at < this.#timerAt) this.#arm();
  }

  #arm(): void {
    clearTimeout(this.#timer);
    const next = this.#timers.peek();
    this.#timerAt = next ?? Infinity;
    if (next === undefined || !this.#started) return;
    this.#timer = setTimeout(() => this.#onDue(), Math.max(0, next - this.#now()));
    this.#timer.unref?.();
  }

  #onDue(): void {
    const now = this.#now();
    for (const { ref, deviceName } of this.#timers.popDue(now)) {
      const s = ref.states.get(deviceName);
      // A deadline of a rule since edited, stopped or deleted is void.
      if (!s || ref.rule.status !== 1 || this.#rules.get(ref.rule.alarmRuleId)?.refs.includes(ref) !== true) continue;
      this.#apply(ref, ref.rule.productKey, deviceName, checkDue(ref.scene, ref.holdMs, s, now), now);
    }
    this.#arm();
  }

  // ---- rule installation ----

  #install(compiled: CompiledRule, source: RuleSource): SideRef[] {
    const { rule } = compiled;
    const refs: SideRef[] = compiled.sides.map(({ side, scene }) => ({
      rule,
      side,
      scene,
      holdMs: holdMsOf(scene, rule.timeWindow),
      deviceName: rule.multiDevice === 1 ? undefined : scene.trigger.deviceName,
      states: new Map(),
    }));
    this.#rules.set(rule.alarmRuleId, { compiled, refs, source });
    if (rule.status !== 1) return refs; // stopped: kept, not evaluated
    let idx = this.#index.get(rule.productKey);
    if (!idx) this.#index.set(rule.productKey, (idx = { any: emptyWatch(), byDevice: new Map(), sides: 0 }));
    for (const ref of refs) {
      let watch = idx.any;
      if (ref.deviceName !== undefined) {
        watch = idx.byDevice.get(ref.deviceName) ?? emptyWatch();
        idx.byDevice.set(ref.deviceName, watch);
      }
      idx.sides++;
      watch.all.push(ref);
      if (ref.scene.trigger.kind === 'status') watch.status.push(ref);
      else {
        const list = watch.byProperty.get(ref.scene.trigger.property) ?? [];
        list.push(ref);
        watch.byProperty.set(ref.scene.trigger.property, list);
      }
    }
    return refs;
  }

  #uninstall(id: string): void {
    const entry = this.#rules.get(id);
    if (!entry) return;
    this.#rules.delete(id);
    for (const r of entry.refs) this.#dirty.delete(r);
    const idx = this.#index.get(entry.compiled.rule.productKey);
    if (!idx || entry.compiled.rule.status !== 1) return;
    const gone = new Set(entry.refs);
    const prune = (w: WatchIndex): void => {
      w.all = w.all.filter((r) => !gone.has(r));
      w.status = w.status.filter((r) => !gone.has(r));
      for (const [p, list] of w.byProperty) {
        const kept = list.filter((r) => !gone.has(r));
        if (kept.length > 0) w.byProperty.set(p, kept);
        else w.byProperty.delete(p);
      }
    };
    for (const ref of entry.refs) {
      const w = ref.deviceName === undefined ? idx.any : idx.byDevice.get(ref.deviceName);
      if (!w) continue;
      prune(w);
      idx.sides--;
      if (ref.deviceName !== undefined && w.all.length === 0) idx.byDevice.delete(ref.deviceName);
    }
    if (idx.sides <= 0) this.#index.delete(entry.compiled.rule.productKey);
  }

  /**
   * An edited (or started/stopped) rule keeps its open episodes, so an alarm already raised is
   * not raised again; what was being timed or counted starts over unless the rule's condition is
   * unchanged. A side that no longer exists drops its state (its records stay).
   */
  #carryOver(before: AlarmRule, oldRefs: SideRef[], newRefs: SideRef[], resetHolds = false): void {
    const sameCondition =
      !resetHolds &&
      before.sceneConfig === newRefs[0]?.rule.sceneConfig &&
      before.lowSceneConfig === newRefs[0]?.rule.lowSceneConfig &&
      before.timeWindow === newRefs[0]?.rule.timeWindow &&
      before.multiDevice === newRefs[0]?.rule.multiDevice &&
      before.productKey === newRefs[0]?.rule.productKey;
    const touched: Array<[SideRef, string]> = [];
    for (const ref of newRefs) {
      const old = oldRefs.find((o) => o.side === ref.side);
      if (!old) continue;
      for (const [name, s] of old.states) {
        if (!sameCondition) {
          s.lastMatch = null;
          s.holdSince = null;
          s.matches = [];
        }
        ref.states.set(name, s);
        touched.push([ref, name]);
      }
    }
    this.store.db
      .transaction(() => {
        this.store.deleteRuleState(newRefs[0]?.rule.alarmRuleId ?? before.alarmRuleId);
        for (const [ref, name] of touched)
          this.store.putState(ref.rule.alarmRuleId, ref.side, deviceKeyOf(ref.rule.productKey, name), ref.states.get(name)!);
      })
      .immediate();
  }
}

export interface DryRunRow {
  device: string;
  side: number;
  property: string;
  value: unknown;
  triggerMatches: boolean;
  inTimeRange: boolean;
  recovers: boolean;
  holdS: number;
  count?: { needed: number; withinMin: number; now: number };
  openAlarmId?: string;
  holdingSince?: number;
}

const deviceKeyOf = (pk: string, dn: string): string => `${pk}/${dn}`;

/** Nothing held, counted or open, and the condition not known to be true: the same as no state. */
const isIdle = (s: SideState): boolean => s.lastMatch !== true && s.holdSince === null && s.matches.length === 0 && s.openAlarmId === null;

function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}

/** Query filters from a request (integers also as numeric text, as the seed's own example sends them). */
export function parseQuery(p: Record<string, unknown>): { ok: true; query: RuleQuery } | { ok: false; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const q: RuleQuery = { pageNo: 1, pageSize: 20 };
  for (const k of ['alarmLevel', 'status', 'alarmType', 'alarmMode'] as const) {
    if (p[k] === undefined || p[k] === null || p[k] === '') continue;
    const n = intOf(p[k]);
    if (n === undefined) problems.push({ field: k, message: 'must be an integer' });
    else q[k] = n;
  }
  for (const k of ['pageNo', 'pageSize'] as const) {
    if (p[k] === undefined || p[k] === null) continue;
    const n = intOf(p[k]);
    if (n === undefined || n < 1 || (k === 'pageSize' && n > 500))
      problems.push({ field: k, message: k === 'pageSize' ? 'must be 1-500' : 'must be 1 or more' });
    else q[k] = n;
  }
  for (const k of ['nameLike', 'runEnv', 'productKey'] as const) {
    if (p[k] === undefined || p[k] === null || p[k] === '') continue;
    if (typeof p[k] !== 'string' || (p[k] as string).length > 128)
      problems.push({ field: k, message: 'must be text (at most 128 characters)' });
    else q[k] = p[k] as string;
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, query: q };
}
