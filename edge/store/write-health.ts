/**
 * Whether the box database can write. A full disk (or a failing one) makes every writer fail at
 * once: the outbox, pass records, checkpoints. Each writer keeps its data in memory and retries;
 * this one tracker per database turns their failures into one episode — logged once when it
 * starts and once when it ends, shown on /healthz and /metrics — instead of a line per write.
 * On a nearly full disk some writes still fit (free pages, the WAL's tail) between failures: an
 * episode ends only after `quietMs` of successful writes with no failure, so it does not flap.
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
  #recovery: NodeJS.Timeout | undefined;
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
    clearTimeout(this.#recovery);
    this.#recovery = undefined;
    if (!this.#writable) return;
    this.#writable = false;
    this.#since = Date.now();
    this.#area = area;
    for (const fn of this.#listeners) fn({ writable: false, area, error: this.#lastError });
  }

  /** A write succeeded: ends a failure episode once no failure follows for `quietMs`. Cheap when there is none. */
  ok(): void {
    if (this.#writable || this.#recovery) return;
    this.#recovery = setTimeout(() => this.#recovered(), this.#quietMs);
    this.#recovery.unref();
  }

  #recovered(): void {
    this.#recovery = undefined;
    const failedForMs = Date.now() - (this.#since ?? Date.now());
    const failedWrites = this.#episodeFailures;
    this.#writable = true;
    this.#since = undefined;
    this.#area = undefined;
    this.#episodeFailures = 0;
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
