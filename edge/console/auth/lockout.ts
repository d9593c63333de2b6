/**
 * Password-guess throttling for login, first-run setup and password change.
 *
 * Keys are (account, source): a source that fails only ever locks itself out of that account,
 * so nobody on the LAN can lock the real admin out from another address. Behind the keys a
 * box-wide token bucket caps failures from all sources together, so many addresses cannot add
 * up to fast guessing either; when it is empty every source waits (and is told why).
 *
 * An attempt is counted as a failure when it is admitted, before the slow hash runs, and taken
 * back only if it succeeds: admission is synchronous, so parallel requests cannot all pass the
 * check while the first hashes are still running.
 */
import { backoffStepMs } from '../../../protocols/common/backoff.js';
export interface LockoutOptions {
  /** Wrong passwords per (account, source) before the wait starts. */
  freeAttempts: number;
  /** First wait; doubles with every further failure. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Failures per minute box-wide (all accounts and sources) before every attempt waits. */
  globalFailuresPerMinute: number;
}

/** An admitted attempt; settle it exactly once (later calls are ignored). */
export interface Attempt {
  succeeded(): void;
  failed(): void;
}

export type Admission = { ok: true; attempt: Attempt } | { ok: false; scope: 'source' | 'global'; waitMs: number };

interface Entry {
  failures: number;
  inFlight: number;
  lockedUntil: number;
  lastAt: number;
}

const MAX_ENTRIES = 10_000;

export class Lockout {
  readonly #entries = new Map<string, Entry>();
  readonly #opts: LockoutOptions;
  readonly #now: () => number;
  #tokens: number;
  #refilledAt: number;

  constructor(options: LockoutOptions, now: () => number = Date.now) {
    this.#opts = options;
    this.#now = now;
    this.#tokens = options.globalFailuresPerMinute;
    this.#refilledAt = now();
  }

  /** Admit one attempt for `key` now, or say how long to wait and why. */
  begin(key: string): Admission {
    const now = this.#now();
    const entry = this.#live(key, now);
    if (entry && entry.lockedUntil > now) return { ok: false, scope: 'source', waitMs: entry.lockedUntil - now };
    this.#refill(now);
    if (this.#tokens < 1) return { ok: false, scope: 'global', waitMs: Math.ceil((1 - this.#tokens) * this.#msPerToken) };
    this.#tokens -= 1;
    const e = entry ?? { failures: 0, inFlight: 0, lockedUntil: 0, lastAt: now };
    e.failures++;
    e.inFlight++;
    e.lastAt = now;
    const over = e.failures - this.#opts.freeAttempts;
    if (over >= 0) e.lockedUntil = now + backoffStepMs(over, this.#opts.baseDelayMs, this.#opts.maxDelayMs);
    this.#entries.set(key, e);
    if (this.#entries.size > MAX_ENTRIES) this.#prune(now);
    let settled = false;
    return {
      ok: true,
      attempt: {
        succeeded: () => {
          if (settled) return;
          settled = true;
          e.inFlight--;
          this.#tokens = Math.min(this.#opts.globalFailuresPerMinute, this.#tokens + 1);
          // Guesses still in flight stay counted: a success must not wipe a parallel burst.
          e.failures = e.inFlight;
          e.lockedUntil = 0;
          if (e.inFlight === 0) this.#entries.delete(key);
        },
        failed: () => {
          if (settled) return;
          settled = true;
          e.inFlight--;
        },
      },
    };
  }

  /** Milliseconds before `key` may try again (0: now), ignoring the box-wide bucket. */
  waitMs(key: string): number {
    const now = this.#now();
    return Math.max(0, (this.#live(key, now)?.lockedUntil ?? 0) - now);
  }

  get #msPerToken(): number {
    return 60_000 / this.#opts.globalFailuresPerMinute;
  }

  #refill(now: number): void {
    const cap = this.#opts.globalFailuresPerMinute;
    this.#tokens = Math.min(cap, this.#tokens + (now - this.#refilledAt) / this.#msPerToken);
    this.#refilledAt = now;
  }

  /**
   * The entry, unless quiet for twice the longest wait: an attacker who waits out the longest
   * wait comes back within that and keeps paying it, instead of getting free attempts again.
   */
  #live(key: string, now: number): Entry | undefined {
    const e = this.#entries.get(key);
    if (e && e.inFlight === 0 && e.lockedUntil < now && now - e.lastAt > 2 * this.#opts.maxDelayMs) {
      this.#entries.delete(key);
      return undefined;
    }
    return e;
  }

  #prune(now: number): void {
    // New keys arrive at most at the box-wide rate, so expired ones are enough to keep this bounded.
    for (const key of [...this.#entries.keys()]) this.#live(key, now);
  }
}

/**
 * The source part of a throttling key: an IPv4 address, or the /64 of an IPv6 one (a LAN host
 * picks any address in its /64 at will, so per-address keys would be free to rotate).
 */
export function sourceOf(ip: string): string {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (v4) return v4[1]!;
  if (!ip.includes(':')) return ip;
  const [head = '', tail = ''] = ip.split('%')[0]!.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

export function throttleKey(account: string, ip: string): string {
  return `${account}|${sourceOf(ip)}`;
}
