/**
 * Per-source limits of a device-facing listener: how many connections one remote address may
 * hold open, and how many requests per second it may make (a token bucket per address: `burst`
 * requests at once after a quiet spell, `requestsPerS` sustained). On a LAN where each door is
 * its own address, one flooding address is refused while every other one is served as before.
 *
 * Memory is bounded whatever the number of addresses: the bucket table keeps at most
 * `trackedSources` entries and forgets the least recently seen address first (a forgotten address
 * starts again with a full bucket, as one that stayed quiet would); the connection table holds
 * only addresses with a connection open, so the listener's connection cap bounds it.
 */
export interface SourceLimitOptions {
  /** Connections one address may hold open at once. */
  connections: number;
  /** Requests per second one address may make, sustained; Infinity: no rate limit. */
  requestsPerS: number;
  /** Requests one address may make at once after a quiet spell (the bucket size). */
  burst: number;
  /** Addresses whose bucket is remembered. */
  trackedSources: number;
}

/** What `take` says about one request. */
export type Admission =
  | { ok: true }
  | { ok: false; retryAfterMs: number /** The address was served until now: log it once, not per request. */; first: boolean };

interface Bucket {
  tokens: number;
  at: number;
  refusing: boolean;
}

const ADMITTED: Admission = { ok: true };

export class SourceLimits {
  readonly #o: SourceLimitOptions;
  readonly #now: () => number;
  /** Address → bucket; Map order is least recently seen first. */
  readonly #buckets = new Map<string, Bucket>();
  /** Address → connections open (only addresses with one). */
  readonly #open = new Map<string, number>();

  constructor(options: SourceLimitOptions, now: () => number = () => performance.now()) {
    this.#o = options;
    this.#now = now;
  }

  /** A connection from `source` was accepted: false when the address already holds its share (close it, and do not call `closed`). */
  opened(source: string): boolean {
    const n = this.#open.get(source) ?? 0;
    if (n >= this.#o.connections) return false;
    this.#open.set(source, n + 1);
    return true;
  }

  closed(source: string): void {
    const n = (this.#open.get(source) ?? 0) - 1;
    if (n > 0) this.#open.set(source, n);
    else this.#open.delete(source);
  }

  /** One request from `source`. */
  take(source: string): Admission {
    const { requestsPerS: rate, burst } = this.#o;
    if (!Number.isFinite(rate)) return ADMITTED;
    const now = this.#now();
    let b = this.#buckets.get(source);
    if (b) {
      this.#buckets.delete(source); // re-inserted below: the most recently seen goes last
      b.tokens = Math.min(burst, b.tokens + ((now - b.at) * rate) / 1000);
      b.at = now;
    } else {
      if (this.#buckets.size >= this.#o.trackedSources) this.#buckets.delete(this.#buckets.keys().next().value!);
      b = { tokens: burst, at: now, refusing: false };
    }
    this.#buckets.set(source, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      b.refusing = false;
      return ADMITTED;
    }
    const first = !b.refusing;
    b.refusing = true;
    return { ok: false, retryAfterMs: Math.ceil(((1 - b.tokens) * 1000) / rate), first };
  }

  /** Addresses remembered (buckets) and holding connections: for tests and metrics. */
  get size(): { tracked: number; connected: number } {
    return { tracked: this.#buckets.size, connected: this.#open.size };
  }
}
