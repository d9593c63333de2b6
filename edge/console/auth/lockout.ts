/**
 * Login throttling: after `freeAttempts` wrong passwords for a key (the username, and the
 * client address), every further failure doubles the wait, up to `maxDelayMs`. While a key
 * waits, attempts are refused without checking the password. A success clears the key.
 */
export interface LockoutOptions {
  freeAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

interface Entry {
  failures: number;
  lockedUntil: number;
}

export class Lockout {
  readonly #entries = new Map<string, Entry>();
  readonly #opts: LockoutOptions;
  readonly #now: () => number;

  constructor(options: LockoutOptions, now: () => number = Date.now) {
    this.#opts = options;
    this.#now = now;
  }

  /** Milliseconds to wait before the next attempt for any of these keys (0: go ahead). */
  waitMs(keys: string[]): number {
    const now = this.#now();
    return Math.max(0, ...keys.map((k) => (this.#entries.get(k)?.lockedUntil ?? 0) - now));
  }

  failure(keys: string[]): number {
    const now = this.#now();
    let wait = 0;
    for (const k of keys) {
      const e = this.#entries.get(k) ?? { failures: 0, lockedUntil: 0 };
      e.failures++;
      const over = e.failures - this.#opts.freeAttempts;
      if (over >= 0) e.lockedUntil = now + Math.min(this.#opts.maxDelayMs, this.#opts.baseDelayMs * 2 ** Math.min(over, 30));
      this.#entries.set(k, e);
      wait = Math.max(wait, e.lockedUntil - now);
      if (this.#entries.size > 10_000) this.#prune(now); // a flood of addresses must not grow memory without bound
    }
    return wait;
  }

  success(keys: string[]): void {
    for (const k of keys) this.#entries.delete(k);
  }

  #prune(now: number): void {
    for (const [k, e] of this.#entries) if (e.lockedUntil < now - this.#opts.maxDelayMs) this.#entries.delete(k);
  }
}
