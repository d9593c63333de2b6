/** Poll statistics: counters and a millisecond histogram for percentiles, cheap enough for the hot path. */
export class Histogram {
  readonly #buckets = new Uint32Array(10_001); // 0..10 000 ms, the last bucket holds everything slower
  count = 0;

  add(ms: number): void {
    this.#buckets[Math.max(0, Math.min(10_000, Math.round(ms)))]!++;
    this.count++;
  }

  percentile(p: number): number {
    if (this.count === 0) return 0;
    const target = Math.ceil(this.count * p);
    let seen = 0;
    for (let i = 0; i < this.#buckets.length; i++) {
      seen += this.#buckets[i]!;
      if (seen >= target) return i;
    }
    return 10_000;
  }

  reset(): void {
    this.#buckets.fill(0);
    this.count = 0;
  }
}

export class PollStats {
  values = 0;
  requests = 0;
  failures = 0;
  overruns = 0;
  /** How late a poll cycle started (timer lateness plus skipped turns). */
  readonly startLateness = new Histogram();
  /** From a cycle's scheduled time to its last answer. */
  readonly completion = new Histogram();

  /** Counters since start; percentiles over the window since the previous snapshot (then reset). */
  snapshot(): Record<string, number> {
    const out = {
      values: this.values,
      requests: this.requests,
      failures: this.failures,
      overruns: this.overruns,
      window_cycles: this.startLateness.count,
      p50_start_lateness_ms: this.startLateness.percentile(0.5),
      p99_start_lateness_ms: this.startLateness.percentile(0.99),
      p50_cycle_ms: this.completion.percentile(0.5),
      p99_cycle_ms: this.completion.percentile(0.99),
    };
    this.startLateness.reset();
    this.completion.reset();
    return out;
  }
}
