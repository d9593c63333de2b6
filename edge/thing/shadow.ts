/**
 * A device's shadow: the last value and time of each property. Stored as two arrays indexed by
 * the property's position in the compiled model instead of a Map of {value, time} objects: at
 * the seed's EBA scale (1 000 devices × 200 properties) the Map form held ~20 MB of hash tables,
 * small objects and boxed times in the daemon's heap (heap snapshot, `npm run bench -- modbus`).
 * Reads hand out {value, time} as before.
 */
import type { TimedValue } from '../events.js';
import type { CompiledModel } from './model.js';

const indexes = new WeakMap<CompiledModel, ReadonlyMap<string, number>>();

function indexOf(model: CompiledModel): ReadonlyMap<string, number> {
  let index = indexes.get(model);
  if (!index) {
    index = new Map([...model.properties.keys()].map((k, i) => [k, i] as const));
    indexes.set(model, index);
  }
  return index;
}

export class Shadow {
  readonly #index: ReadonlyMap<string, number>;
  readonly #values: unknown[];
  /** NaN: never reported. */
  readonly #times: Float64Array;

  constructor(model: CompiledModel) {
    this.#index = indexOf(model);
    this.#values = new Array<unknown>(this.#index.size).fill(undefined);
    this.#times = new Float64Array(this.#index.size).fill(Number.NaN);
  }

  /** Record a value of a property of the model (others are ignored: the TSL boundary drops them first). */
  set(key: string, value: unknown, time: number): void {
    const i = this.#index.get(key);
    if (i === undefined) return;
    this.#values[i] = value;
    this.#times[i] = time;
  }

  get(key: string): TimedValue | undefined {
    const i = this.#index.get(key);
    if (i === undefined || Number.isNaN(this.#times[i]!)) return undefined;
    return { value: this.#values[i], time: this.#times[i]! };
  }

  /** Properties with a value, in model order. */
  *entries(): IterableIterator<[string, TimedValue]> {
    for (const [key, i] of this.#index) if (!Number.isNaN(this.#times[i]!)) yield [key, { value: this.#values[i], time: this.#times[i]! }];
  }

  [Symbol.iterator](): IterableIterator<[string, TimedValue]> {
    return this.entries();
  }

  get size(): number {
    let n = 0;
    for (const t of this.#times) if (!Number.isNaN(t)) n++;
    return n;
  }

  /** The same values under another model (a redeploy changed the thing model): kept where the property still exists. */
  rebase(model: CompiledModel): Shadow {
    const next = new Shadow(model);
    for (const [key, tv] of this.entries()) next.set(key, tv.value, tv.time);
    return next;
  }
}
