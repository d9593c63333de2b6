/**
 * Deadlines of holds in progress, earliest first: one binary heap behind one timer instead of a
 * timer per device and rule (10 000 rules × 1 000 devices would otherwise mean as many timers).
 * Entries are never removed early; a stale one is recognised and skipped when it comes due.
 */
export class TimerHeap<T> {
  readonly #at: number[] = [];
  readonly #items: T[] = [];

  get size(): number {
    return this.#at.length;
  }

  push(at: number, item: T): void {
    this.#at.push(at);
    this.#items.push(item);
    let i = this.#at.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.#at[parent]! <= at) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  peek(): number | undefined {
    return this.#at[0];
  }

  /** Remove and return every entry due at or before `now`, earliest first. */
  popDue(now: number): T[] {
    const out: T[] = [];
    while (this.#at.length > 0 && this.#at[0]! <= now) out.push(this.#pop());
    return out;
  }

  #pop(): T {
    const top = this.#items[0]!;
    const lastAt = this.#at.pop()!;
    const lastItem = this.#items.pop()!;
    if (this.#at.length > 0) {
      this.#at[0] = lastAt;
      this.#items[0] = lastItem;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.#at.length && this.#at[l]! < this.#at[m]!) m = l;
        if (r < this.#at.length && this.#at[r]! < this.#at[m]!) m = r;
        if (m === i) break;
        this.#swap(i, m);
        i = m;
      }
    }
    return top;
  }

  #swap(a: number, b: number): void {
    [this.#at[a], this.#at[b]] = [this.#at[b]!, this.#at[a]!];
    [this.#items[a], this.#items[b]] = [this.#items[b]!, this.#items[a]!];
  }
}
