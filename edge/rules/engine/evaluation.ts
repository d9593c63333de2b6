/**
 * Reports and status changes met with the sides that watch them (the index), each side's state
 * machine run on them (evaluator.ts), and what its verdict asks for done: an alarm raised or
 * recovered (committed, then announced), a changed state written with the turn's others, a
 * deadline set. A device with no state for a side is idle: a report that matches nothing there
 * costs a comparison.
 */
import type { Summary } from 'prom-client';
import type { TimedValue } from '../../events.js';
import { type DeviceRegistry, type DeviceStatus, STATUS_CODE } from '../../thing/registry.js';
import { checkDue, emptyState, lose, observe, type Outcome, type SideState } from '../evaluator.js';
import type { Scene } from '../scene-config.js';
import { propertyMatches } from '../scene-trigger.js';
import type { AlarmWriter } from './alarm-writer.js';
import type { AlarmAnnouncer } from './announcer.js';
import type { Deadlines } from './deadlines.js';
import type { RulesCounts } from './metrics.js';
import type { RuleIndex, SideRef } from './rule-index.js';
import type { StateWriter } from './state-writer.js';

type PropertyTrigger = Extract<Scene['trigger'], { kind: 'property' }>;
type StatusTrigger = Extract<Scene['trigger'], { kind: 'status' }>;

export interface EvaluationDeps {
  rules: RuleIndex;
  registry: DeviceRegistry;
  states: StateWriter;
  deadlines: Deadlines;
  alarms: AlarmWriter;
  announcer: AlarmAnnouncer;
  counts: RulesCounts;
  /** Value-to-alarm latency (absent until metrics are registered). */
  latency: () => Summary | undefined;
  now: () => number;
}

/** Nothing held, counted or open, and the condition not known to be true: the same as no state. */
const isIdle = (s: SideState): boolean => s.lastMatch !== true && s.holdSince === null && s.matches.length === 0 && s.openAlarmId === null;

export class RuleEvaluation {
  readonly #d: EvaluationDeps;

  constructor(deps: EvaluationDeps) {
    this.#d = deps;
  }

  onProperties(productKey: string, deviceName: string, params: Record<string, TimedValue>): void {
    const watches = this.#d.rules.watchesOf(productKey, deviceName);
    if (watches.length === 0) return;
    const now = this.#d.now();
    for (const key in params) {
      for (const watch of watches) {
        const refs = watch.byProperty.get(key);
        if (refs) this.#observeProperty(refs, productKey, deviceName, key, params, now);
      }
    }
  }

  onStatus(productKey: string, deviceName: string, status: DeviceStatus): void {
    const watches = this.#d.rules.watchesOf(productKey, deviceName);
    if (watches.length === 0) return;
    const now = this.#d.now();
    const code = STATUS_CODE[status];
    const valueAt = (p: string): unknown => (p === 'status' ? code : this.#shadowValue(productKey, deviceName, p));
    for (const watch of watches) {
      if (status === 'offline' || status === 'disabled') {
        // What was being timed or counted on the device's values is no longer observed.
        for (const ref of watch.all) {
          if (ref.scene.trigger.kind !== 'property') continue;
          const s = ref.states.get(deviceName);
          if (s && lose(s)) this.#d.states.mark(ref, deviceName);
        }
      }
      for (const ref of watch.status) {
        const trigger = ref.scene.trigger as StatusTrigger;
        const s = this.#stateOf(ref, deviceName);
        this.#d.counts.evaluations++;
        this.#apply(ref, productKey, deviceName, observe(ref.scene, ref.holdMs, s, code === trigger.status, now, valueAt), now);
      }
    }
  }

  /** A deadline came due; one of a rule since edited, stopped or deleted is void. */
  onDue(ref: SideRef, deviceName: string, now: number): void {
    const s = ref.states.get(deviceName);
    if (!s || !this.#d.rules.isLive(ref)) return;
    this.#apply(ref, ref.rule.productKey, deviceName, checkDue(ref.scene, ref.holdMs, s, now), now);
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
    const valueAt = (p: string): unknown =>
      p === key ? value : p in params ? params[p]!.value : this.#shadowValue(productKey, deviceName, p);
    for (const ref of refs) {
      const match = propertyMatches(ref.scene.trigger as PropertyTrigger, value);
      // Fast path: nothing matches and nothing is going on for this device (no state = idle).
      if (!match && !ref.states.has(deviceName)) continue;
      const s = this.#stateOf(ref, deviceName);
      this.#d.counts.evaluations++;
      this.#apply(ref, productKey, deviceName, observe(ref.scene, ref.holdMs, s, match, now, valueAt), now, tv.time);
    }
  }

  #stateOf(ref: SideRef, deviceName: string): SideState {
    let s = ref.states.get(deviceName);
    if (!s) ref.states.set(deviceName, (s = emptyState()));
    return s;
  }

  #shadowValue(productKey: string, deviceName: string, p: string): unknown {
    return this.#d.registry.get(productKey, deviceName)?.shadow.get(p)?.value;
  }

  #apply(ref: SideRef, productKey: string, deviceName: string, out: Outcome, now: number, valueTime?: number): void {
    if (out.verdict === 'fire') this.#fire(ref, productKey, deviceName, now, valueTime);
    else if (out.verdict === 'recover') this.#recover(ref, productKey, deviceName, now);
    else if (out.changed) this.#d.states.mark(ref, deviceName);
    if (out.dueAt !== undefined) this.#d.deadlines.schedule(out.dueAt, ref, deviceName);
    // An idle state is the same as none: dropped, so memory holds only what is going on.
    const s = ref.states.get(deviceName);
    if (s && isIdle(s)) ref.states.delete(deviceName);
  }

  #fire(ref: SideRef, productKey: string, deviceName: string, now: number, valueTime?: number): void {
    const record = this.#d.alarms.raise(ref, productKey, deviceName, now);
    if (!record) return;
    this.#d.states.written(ref, deviceName);
    this.#d.counts.raised++;
    // Value to alarm: from the driver's reading of the value to the committed record.
    if (valueTime !== undefined) this.#d.latency()?.observe(Math.max(0, Date.now() - valueTime));
    this.#d.announcer.announce(record, 'raised');
  }

  #recover(ref: SideRef, productKey: string, deviceName: string, now: number): void {
    const records = this.#d.alarms.recover(ref, productKey, deviceName, now);
    if (!records) return;
    this.#d.states.written(ref, deviceName);
    this.#d.counts.recovered += records.length;
    for (const record of records) this.#d.announcer.announce(record, 'recovered');
  }
}
