/**
 * Retry timing of every link that reconnects or restarts (cloud link, driver processes, device
 * channels, face-terminal record links): exponential, capped, with "equal jitter" — between half
 * and all of the step — so many boxes or channels that failed together do not retry in step, yet
 * none waits longer than the configured cap or less than half the step.
 */

/** The un-jittered step of retry `attempt` (0-based): `minMs × 2^attempt` capped at `maxMs`. */
export function backoffStepMs(attempt: number, minMs: number, maxMs: number): number {
  return Math.min(maxMs, minMs * 2 ** Math.min(Math.max(0, attempt), 30));
}

/** Delay before retry `attempt` (0-based): its step, jittered over its upper half. */
export function backoffMs(attempt: number, minMs: number, maxMs: number, random: () => number = Math.random): number {
  const step = backoffStepMs(attempt, minMs, maxMs);
  return Math.round(step / 2 + (random() * step) / 2);
}

export interface RetryOptions {
  minMs: number;
  maxMs: number;
  random?: () => number;
}

/** One pending retry at a time, its delay growing with each attempt until `reset()` (a success). */
export class RetryTimer {
  #attempt = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #o: () => RetryOptions;

  /** Options are read at each schedule, so a changed config applies to the next retry. */
  constructor(options: RetryOptions | (() => RetryOptions)) {
    this.#o = typeof options === 'function' ? options : () => options;
  }

  /** Retries scheduled since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  get pending(): boolean {
    return this.#timer !== undefined;
  }

  /** The delay the next `schedule` would use (for logs and tests). */
  nextDelayMs(): number {
    const o = this.#o();
    return backoffMs(this.#attempt, o.minMs, o.maxMs, o.random);
  }

  /** Runs `fn` after the next delay; returns that delay, or undefined when a retry is already pending. */
  schedule(fn: () => void): number | undefined {
    if (this.#timer) return undefined;
    const delay = this.nextDelayMs();
    this.#attempt++;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      fn();
    }, delay);
    this.#timer.unref?.();
    return delay;
  }

  cancel(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** A success: the next failure starts again from the shortest delay. */
  reset(): void {
    this.#attempt = 0;
  }
}
