/**
 * The EBA alarm rules engine: a part of the runtime fed by the registry's value and status
 * events (never by a driver). It keeps the rules (SQLite), indexes them by product and property
 * so a report costs a map lookup when no rule watches it (engine/rule-index.ts), runs each rule
 * side's state machine per device (evaluator.ts), and turns a firing into an `AlarmRecord`:
 * stored, queued for the cloud and its state change in one transaction (engine/alarm-writer.ts),
 * then published on the local bus (engine/announcer.ts). docs/rules.md describes the format and
 * the decisions.
 */
import type { Registry, Summary } from 'prom-client';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import type { Db } from '../store/db.js';
import { type DeviceRegistry, splitDeviceKey } from '../thing/registry.js';
import { recordOf, type AlarmOutbox, type AlarmRecord } from './alarm-record.js';
import { checkRule, compileStored, ruleDetail, type AlarmRule, type CompiledRule } from './rule.js';
import type { FieldProblem } from './field-problems.js';
import { RulesStore, type AlarmHistoryFilter, type RuleSource } from './store.js';
import { AlarmWriter, type Confirmation } from './engine/alarm-writer.js';
import { AlarmAnnouncer } from './engine/announcer.js';
import { carryOver } from './engine/carry-over.js';
import { Deadlines } from './engine/deadlines.js';
import { dryRunRows, type DryRunRow } from './engine/dry-run.js';
import { RuleEvaluation } from './engine/evaluation.js';
import { registerRulesMetrics } from './engine/metrics.js';
import { queryRules, type RulePage, type RuleQuery } from './engine/query.js';
import { RuleIndex, type SideRef } from './engine/rule-index.js';
import { StateWriter } from './engine/state-writer.js';

export { ALARM_TOPICS, type AlarmChange } from './engine/announcer.js';
export type { DryRunRow } from './engine/dry-run.js';
export { parseQuery, type RuleQuery } from './engine/query.js';

const OWNER = 'rules';

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

export type AddResult =
  | { ok: true; alarmRuleId: string; created: boolean; warnings: FieldProblem[] }
  | { ok: false; problems: FieldProblem[] };

export type DryRunResult = { ok: true; warnings: FieldProblem[]; devices: DryRunRow[] } | { ok: false; problems: FieldProblem[] };

export class RulesEngine {
  readonly store: RulesStore;
  readonly #deps: RulesEngineDeps;
  readonly #now: () => number;
  readonly #rules = new RuleIndex();
  readonly #states: StateWriter;
  readonly #deadlines: Deadlines;
  readonly #alarms: AlarmWriter;
  readonly #announcer: AlarmAnnouncer;
  readonly #evaluation: RuleEvaluation;
  #latency: Summary | undefined;
  /** Alarms raised and recovered in this process (metrics and the benchmark). */
  readonly counts = { raised: 0, recovered: 0, evaluations: 0 };

  constructor(deps: RulesEngineDeps, options: Partial<RulesEngineOptions> = {}) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.store = new RulesStore(deps.db);
    this.#states = new StateWriter(this.store);
    this.#deadlines = new Deadlines(this.#now, (ref, deviceName, now) => this.#evaluation.onDue(ref, deviceName, now));
    this.#alarms = new AlarmWriter(this.store, deps.log);
    const announcerDeps = { store: this.store, events: deps.events, publish: deps.publish, gateway: deps.gateway, now: this.#now };
    this.#announcer = new AlarmAnnouncer(announcerDeps, { ...rulesDefaults, ...options });
    this.#evaluation = new RuleEvaluation({
      rules: this.#rules,
      registry: deps.registry,
      states: this.#states,
      deadlines: this.#deadlines,
      alarms: this.#alarms,
      announcer: this.#announcer,
      counts: this.counts,
      latency: () => this.#latency,
      now: this.#now,
    });
  }

  async start(): Promise<void> {
    for (const { rule, source } of this.store.rules()) {
      if (this.#rules.has(rule.alarmRuleId)) continue; // applied from the rules file just before start
      const compiled = compileStored(rule);
      if (!compiled) {
        this.#deps.log.error({ rule: rule.alarmRuleId }, 'stored alarm rule no longer valid; not evaluated');
        continue;
      }
      this.#rules.install(compiled, source);
    }
    // Holds, counts and open episodes continue where they were.
    for (const s of this.store.states()) {
      const ref = this.#rules.get(s.alarmRuleId)?.refs.find((r) => r.side === s.side);
      if (ref) ref.states.set(splitDeviceKey(s.device)[1], s.state);
    }
    const { events } = this.#deps;
    const evaluation = this.#evaluation;
    events.on(OWNER, 'device.properties', ({ productKey, deviceName, params }) => evaluation.onProperties(productKey, deviceName, params));
    events.on(OWNER, 'device.status', ({ productKey, deviceName, status }) => evaluation.onStatus(productKey, deviceName, status));
    this.#deadlines.start();
    this.#announcer.start();
  }

  async stop(): Promise<void> {
    this.#deps.events.removeAll(OWNER);
    this.#deadlines.stop();
    this.#announcer.stop();
    this.flush();
  }

  /** `/metrics`: rules, open alarms, alarms raised and recovered, value-to-alarm latency. */
  registerMetrics(registry: Registry): void {
    const enabled = (): number => [...this.#rules.entries()].filter((e) => e.compiled.rule.status === 1).length;
    this.#latency = registerRulesMetrics(registry, { enabled, open: () => this.store.openCount(), counts: this.counts });
  }

  /** Records raised or changed while no outbox was attached are queued now (as history when offline). */
  attachOutbox(outbox: AlarmOutbox): number {
    return this.#alarms.attachOutbox(outbox);
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
    const refs = this.#rules.install(compiled, source);
    if (existing) carryOver(this.store, existing.compiled.rule, existing.refs, refs);
    this.#deps.log.info({ rule: rule.alarmRuleId, source, created: !prior }, prior ? 'alarm rule updated' : 'alarm rule added');
    return { ok: true, alarmRuleId: rule.alarmRuleId, created: !prior, warnings: checked.warnings };
  }

  /** Delete rules; returns the ids that could not be deleted (unknown ones). Their alarm records stay as history. */
  delete(ids: readonly string[]): string[] {
    const failed: string[] = [];
    for (const id of ids) {
      if (!this.#uninstall(id)) {
        failed.push(id);
        continue;
      }
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
      const refs = this.#rules.install({ rule, sides: entry.compiled.sides }, entry.source);
      // Stopping drops what was being timed or counted; an open episode stays open (no second alarm on restart).
      carryOver(this.store, entry.compiled.rule, entry.refs, refs, true);
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

  query(q: RuleQuery): RulePage {
    return queryRules(
      [...this.#rules.entries()].map((e) => e.compiled.rule),
      q,
    );
  }

  get ruleCount(): number {
    return this.#rules.size;
  }

  /** What a rule (stored, by id, or a draft) would make of every device's last values now (engine/dry-run.ts). */
  dryRun(input: { alarmRuleId: string } | { rule: unknown }): DryRunResult {
    let compiled: CompiledRule;
    let warnings: FieldProblem[] = [];
    let stored: SideRef[] | undefined;
    if ('alarmRuleId' in input) {
      const e = this.#rules.get(input.alarmRuleId);
      if (!e) return { ok: false, problems: [{ field: 'alarmRuleId', message: 'no such rule' }] };
      compiled = e.compiled;
      stored = e.refs;
    } else {
      const c = checkRule(input.rule);
      if (!c.ok) return c;
      compiled = c.compiled;
      warnings = c.warnings;
    }
    return { ok: true, warnings, devices: dryRunRows(compiled, stored, this.#deps.registry.list(), this.#now()) };
  }

  // ---- alarms ----

  openAlarms(limit: number): AlarmRecord[] {
    return this.#announcer.openAlarms(limit);
  }

  history(f: AlarmHistoryFilter): Array<AlarmRecord & { id: number }> {
    return this.store.history(f).map((r) => ({ ...recordOf(r), id: r.id }));
  }

  /** Acknowledge an alarm (H7 confirm fields). Returns the updated record, or undefined when unknown. */
  confirm(alarmId: string, c: Confirmation): AlarmRecord | undefined {
    const rec = this.#alarms.confirm(alarmId, c, this.#now());
    if (rec) this.#announcer.announce(rec, 'confirmed');
    return rec;
  }

  /** Write the changed side states now (normally done once per event-loop turn). */
  flush(): void {
    this.#states.flush();
  }

  #uninstall(id: string): boolean {
    const entry = this.#rules.uninstall(id);
    if (entry) this.#states.forget(entry.refs);
    return entry !== undefined;
  }
}
