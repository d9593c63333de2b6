/**
 * Whether the box database can write. A full disk (or a failing one) makes every writer fail at
 * once: the outbox, pass records, checkpoints. Each writer keeps its data in memory and retries;
 * this one tracker per database turns their failures into one episode — each writer (area)
 * reported once when it first fails in it, the end reported once, shown on /healthz and /metrics —
 * instead of a line per write. On a nearly full disk some writes still fit (free pages SQLite
 * already holds, the WAL's tail) between failures, often in another area than the one failing:
 * so recovery is counted per area — an area that failed is well again only after a successful
 * write of its own followed by `quietMs` with no failure of its own — and the episode ends when
 * every area that failed in it is well again. One full disk is one episode.
 */
import type { Db } from './db.js';

export interface WriteHealthState {
  writable: boolean;
  /** When the current failure episode began (UTC ms). */
  since?: number;
  /** Which writer failed first in this episode, and how. */
  area?: string;
  lastError?: string;
  /** Failed writes since the daemon started. */
  failures: number;
}

/** `writable: false` once per area that fails in an episode (the first starts it); `writable: true` once at its end. */
export type WriteHealthListener = (
  change: { writable: false; area: string; error: string } | { writable: true; failedForMs: number; failedWrites: number },
) => void;

/** SQLite's and the OS's ways of saying the disk has no room or cannot be written: retry later. */
export function isStorageFailure(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (
    typeof code === 'string' &&
    (code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR') || code === 'ENOSPC' || code === 'EDQUOT' || code === 'EIO')
  )
    return true;
  return /database or disk is full|disk I\/O error/i.test(String((err as Error | null)?.message ?? err));
}

export class StoreWriteHealth {
  #writable = true;
  #since: number | undefined;
  #area: string | undefined;
  #lastError: string | undefined;
  #failures = 0;
  #episodeFailures = 0;
  /** The areas failing now, each with its pending recovery (a success of its own, then quiet). */
  readonly #failing = new Map<string, NodeJS.Timeout | undefined>();
  /** Areas already reported in this episode: one that recovers and fails again is not reported twice. */
  readonly #reported = new Set<string>();
  readonly #quietMs: number;
  readonly #listeners = new Set<WriteHealthListener>();

  constructor(options: { quietMs?: number } = {}) {
    this.#quietMs = options.quietMs ?? 2000;
  }

  get writable(): boolean {
    return this.#writable;
  }

  state(): WriteHealthState {
    return {
      writable: this.#writable,
      failures: this.#failures,
      ...(this.#since !== undefined ? { since: this.#since } : {}),
      ...(this.#area !== undefined ? { area: this.#area } : {}),
      ...(this.#lastError !== undefined ? { lastError: this.#lastError } : {}),
    };
  }

  onChange(fn: WriteHealthListener): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** A write in `area` failed; the caller keeps its data and retries. */
  failed(area: string, err: unknown): void {
    this.#failures++;
    this.#episodeFailures++;
    this.#lastError = String((err as Error | null)?.message ?? err);
    clearTimeout(this.#failing.get(area));
    this.#failing.set(area, undefined);
    if (this.#writable) {
      this.#writable = false;
      this.#since = Date.now();
      this.#area = area;
    }
    if (this.#reported.has(area)) return;
    this.#reported.add(area);
    for (const fn of this.#listeners) fn({ writable: false, area, error: this.#lastError });
  }

  /**
   * A write in `area` succeeded: a failing area is well again once no failure of its own follows
   * for `quietMs`. Cheap when nothing fails; a success in another area does not count.
   */
  ok(area: string): void {
    if (this.#writable || !this.#failing.has(area) || this.#failing.get(area)) return;
    const recovery = setTimeout(() => this.#areaRecovered(area), this.#quietMs);
    recovery.unref();
    this.#failing.set(area, recovery);
  }

  #areaRecovered(area: string): void {
    this.#failing.delete(area);
    if (this.#failing.size > 0) return;
    const failedForMs = Date.now() - (this.#since ?? Date.now());
    const failedWrites = this.#episodeFailures;
    this.#writable = true;
    this.#since = undefined;
    this.#area = undefined;
    this.#episodeFailures = 0;
    this.#reported.clear();
    for (const fn of this.#listeners) fn({ writable: true, failedForMs, failedWrites });
  }
}

const trackers = new WeakMap<Db, StoreWriteHealth>();

/** The write-health tracker of this database (one per connection, shared by its writers). */
export function writeHealthOf(db: Db): StoreWriteHealth {
  let t = trackers.get(db);
  if (!t) {
    t = new StoreWriteHealth();
    trackers.set(db, t);
  }
  return t;
}
