/**
 * The linkage relations by the trigger identity of their door (devices.ts `triggerKeyOf`), each
 * with its resolved elevator device: built on first use, dropped when the relations or the
 * deployed devices change.
 */
import { type DeviceResolver, triggerKeyOf } from './devices.js';
import type { LinkageStore } from './store.js';
import type { Relation } from './validate.js';

export interface IndexedRelation {
  r: Relation;
  elevatorKey: string | undefined;
}

export class RelationIndex {
  readonly #store: LinkageStore;
  readonly #devices: DeviceResolver;
  #index: Map<string, IndexedRelation[]> | undefined;

  constructor(store: LinkageStore, devices: DeviceResolver) {
    this.#store = store;
    this.#devices = devices;
  }

  /** Built again at the next look-up. */
  invalidate(): void {
    this.#index = undefined;
  }

  /** The relations a pass at this device triggers. */
  at(deviceKey: string): IndexedRelation[] | undefined {
    if (!this.#index) {
      const resolve = this.#devices.resolver();
      const index = new Map<string, IndexedRelation[]>();
      for (const r of this.#store.relations()) {
        const trigger = resolve(r.triggerIotId);
        if (!trigger) continue;
        const key = triggerKeyOf(trigger);
        index.set(key, [...(index.get(key) ?? []), { r, elevatorKey: resolve(r.elevatorIotId) }]);
      }
      this.#index = index;
    }
    return this.#index.get(triggerKeyOf(deviceKey));
  }
}
