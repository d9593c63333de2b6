/**
 * Side states that changed without a firing or a recovery (a hold begun, a count grown) are
 * written once per event-loop turn, all in one transaction; a firing or recovery writes its own
 * state in its own commit and takes it off this list.
 */
import type { Db } from '../../store/db.js';
import { isStorageFailure, writeHealthOf } from '../../store/write-health.js';
import { deviceKey } from '../../thing/registry.js';
import { emptyState } from '../evaluator.js';
import type { RulesStore } from '../store.js';
import type { SideRef } from './rule-index.js';

export class StateWriter {
  readonly #store: RulesStore;
  readonly #dirty = new Map<SideRef, Set<string>>();
  #flushScheduled = false;

  constructor(store: RulesStore) {
    this.#store = store;
  }

  get #db(): Db {
    return this.#store.db;
  }

  /** This side's state on this device changed: written with the others of this turn. */
  mark(ref: SideRef, deviceName: string): void {
    let set = this.#dirty.get(ref);
    if (!set) this.#dirty.set(ref, (set = new Set()));
    set.add(deviceName);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Written already (by a firing's or recovery's own commit). */
  written(ref: SideRef, deviceName: string): void {
    this.#dirty.get(ref)?.delete(deviceName);
  }

  /** A side uninstalled: nothing of it is written any more. */
  forget(refs: readonly SideRef[]): void {
    for (const r of refs) this.#dirty.delete(r);
  }

  /** Write the changed side states now. */
  flush(): void {
    this.#flushScheduled = false;
    if (this.#dirty.size === 0) return;
    const dirty = [...this.#dirty];
    this.#dirty.clear();
    try {
      this.#db
        .transaction(() => {
          for (const [ref, names] of dirty) {
            for (const name of names)
              this.#store.putState(
                ref.rule.alarmRuleId,
                ref.side,
                deviceKey(ref.rule.productKey, name),
                ref.states.get(name) ?? emptyState(),
              );
          }
        })
        .immediate();
    } catch (err) {
      if (!isStorageFailure(err)) throw err;
      // Held in memory: written with the next change (the states are the current ones).
      for (const [ref, names] of dirty) for (const n of names) this.mark(ref, n);
      writeHealthOf(this.#db).failed('rules state', err);
      return;
    }
    writeHealthOf(this.#db).ok('rules state');
  }
}
