/**
 * The cap on concurrent relays (issue 19: "at most a configured number", the seed's 10 × 1080p to
 * the cloud): a relay takes a slot before any SIP is sent and gives it back when it ends, so the
 * N+1th request is refused at once with the count, never queued.
 */
export class RelayPool {
  readonly max: number;
  readonly #held = new Set<string>();

  constructor(max: number) {
    this.max = max;
  }

  /** Take a slot for `id`; false when all are taken. */
  take(id: string): boolean {
    if (this.#held.has(id)) return true;
    if (this.#held.size >= this.max) return false;
    this.#held.add(id);
    return true;
  }

  release(id: string): void {
    this.#held.delete(id);
  }

  get size(): number {
    return this.#held.size;
  }
}
