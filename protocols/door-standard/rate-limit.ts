/**
 * A token bucket: at most `perSecond` acquisitions in any second, bursts up to the same number.
 * Elevator requests to one device are limited to 100 per second (seed 001 L36563).
 */
export class RateLimiter {
  readonly #perSecond: number;
  #tokens: number;
  #last = Date.now();
  #queue: (() => void)[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(perSecond: number) {
    this.#perSecond = perSecond;
    this.#tokens = perSecond;
  }

  #refill(): void {
    const now = Date.now();
    this.#tokens = Math.min(this.#perSecond, this.#tokens + ((now - this.#last) * this.#perSecond) / 1000);
    this.#last = now;
  }

  #drain(): void {
    this.#timer = undefined;
    this.#refill();
    while (this.#queue.length > 0 && this.#tokens >= 1) {
      this.#tokens -= 1;
      this.#queue.shift()!();
    }
    if (this.#queue.length > 0) this.#timer = setTimeout(() => this.#drain(), Math.ceil(1000 / this.#perSecond));
  }

  acquire(): Promise<void> {
    return new Promise((resolve) => {
      this.#queue.push(resolve);
      if (!this.#timer) this.#drain();
    });
  }

  /** Drop waiters (the device went away); they never resolve. */
  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queue = [];
  }
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
