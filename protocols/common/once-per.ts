/**
 * "Logged once per source per interval": a refusal of one address for one reason is reported the
 * first time and then not again until `intervalMs` has passed, however often it repeats. The
 * table is bounded (a flood of addresses forgets the oldest first).
 */
export class OncePer {
  readonly #last = new Map<string, number>();

  constructor(
    readonly intervalMs: number,
    readonly maxKeys = 4096,
    readonly now: () => number = () => performance.now(),
  ) {}

  /** Whether this (source, reason) should be reported now. */
  due(source: string, reason: string): boolean {
    const key = `${source}\u0000${reason}`;
    const t = this.now();
    const last = this.#last.get(key);
    if (last !== undefined && t - last < this.intervalMs) return false;
    this.#last.delete(key);
    if (this.#last.size >= this.maxKeys) this.#last.delete(this.#last.keys().next().value!);
    this.#last.set(key, t);
    return true;
  }
}
