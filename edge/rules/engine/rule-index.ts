/**
 * The rules installed in the engine and the index a report is looked up in: per product, the
 * multiDevice sides under `any` and the single-device sides under their device, each by watched
 * property (or status), so a report only meets the sides that watch its device (10 000
 * single-device rules spread over 1 000 devices are ~10 per device, not 10 000 per report), and a
 * report no rule watches costs a map lookup.
 */
import type { SideState } from '../evaluator.js';
import { holdMsOf } from '../evaluator.js';
import type { AlarmRule, CompiledRule } from '../rule.js';
import type { Scene } from '../scene-config.js';
import type { RuleSource } from '../store.js';

/** One side of one rule, with the state of every device it watches. */
export interface SideRef {
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
export interface WatchIndex {
  byProperty: Map<string, SideRef[]>;
  status: SideRef[];
  all: SideRef[];
}

interface ProductIndex {
  any: WatchIndex;
  byDevice: Map<string, WatchIndex>;
  sides: number;
}

/** An installed rule: as compiled, its sides with their states, and where it came from. */
export interface RuleEntry {
  compiled: CompiledRule;
  refs: SideRef[];
  source: RuleSource;
}

const emptyWatch = (): WatchIndex => ({ byProperty: new Map(), status: [], all: [] });

export class RuleIndex {
  readonly #rules = new Map<string, RuleEntry>();
  readonly #products = new Map<string, ProductIndex>();

  get size(): number {
    return this.#rules.size;
  }

  get(id: string): RuleEntry | undefined {
    return this.#rules.get(id);
  }

  has(id: string): boolean {
    return this.#rules.has(id);
  }

  entries(): IterableIterator<RuleEntry> {
    return this.#rules.values();
  }

  /** The watches a report of this device meets: the product's `any`, then the device's own. */
  watchesOf(productKey: string, deviceName: string): WatchIndex[] {
    const idx = this.#products.get(productKey);
    if (!idx) return [];
    const own = idx.byDevice.get(deviceName);
    return own ? [idx.any, own] : [idx.any];
  }

  /** Whether a side is still installed as it was (a deadline of a rule since edited, stopped or deleted is void). */
  isLive(ref: SideRef): boolean {
    return ref.rule.status === 1 && this.#rules.get(ref.rule.alarmRuleId)?.refs.includes(ref) === true;
  }

  /** Install a rule with fresh (empty) side states; a stopped rule is kept but not indexed. */
  install(compiled: CompiledRule, source: RuleSource): SideRef[] {
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
    let idx = this.#products.get(rule.productKey);
    if (!idx) this.#products.set(rule.productKey, (idx = { any: emptyWatch(), byDevice: new Map(), sides: 0 }));
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

  /** Remove a rule and its sides from the index; returns what was installed. */
  uninstall(id: string): RuleEntry | undefined {
    const entry = this.#rules.get(id);
    if (!entry) return undefined;
    this.#rules.delete(id);
    const idx = this.#products.get(entry.compiled.rule.productKey);
    if (!idx || entry.compiled.rule.status !== 1) return entry;
    const gone = new Set(entry.refs);
    for (const ref of entry.refs) {
      const w = ref.deviceName === undefined ? idx.any : idx.byDevice.get(ref.deviceName);
      if (!w) continue;
      prune(w, gone);
      idx.sides--;
      if (ref.deviceName !== undefined && w.all.length === 0) idx.byDevice.delete(ref.deviceName);
    }
    if (idx.sides <= 0) this.#products.delete(entry.compiled.rule.productKey);
    return entry;
  }
}

function prune(w: WatchIndex, gone: ReadonlySet<SideRef>): void {
  w.all = w.all.filter((r) => !gone.has(r));
  w.status = w.status.filter((r) => !gone.has(r));
  for (const [p, list] of w.byProperty) {
    const kept = list.filter((r) => !gone.has(r));
    if (kept.length > 0) w.byProperty.set(p, kept);
    else w.byProperty.delete(p);
  }
}
