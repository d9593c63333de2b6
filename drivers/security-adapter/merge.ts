/**
 * The multi-target merge (L42740: "one target per report; an event with several targets is
 * several reports with the same eventId and eventTime"). The first report of an event opens a
 * window of `windowMs`; reports of the same camera, eventId and eventTime that arrive in it join
 * the event; when it closes (or `maxTargets` joined) the event is stored once, and only then is
 * every report of it answered. A box that dies inside the window has answered none of them, so
 * the adapter sends them again: nothing is lost. A report arriving after its event was stored
 * starts a new record with the same eventId and eventTime (the cloud's key for the event).
 */
export class EventMerger<T> {
  readonly #windowMs: number;
  readonly #maxTargets: number;
  readonly #maxOpen: number;
  readonly #store: (items: T[]) => Promise<void>;
  readonly #open = new Map<string, { items: T[]; waiters: Array<{ ok: () => void; ko: (e: unknown) => void }>; timer: NodeJS.Timeout }>();

  constructor(store: (items: T[]) => Promise<void>, o: { windowMs: number; maxTargets?: number; maxOpen?: number }) {
    this.#store = store;
    this.#windowMs = o.windowMs;
    this.#maxTargets = o.maxTargets ?? 64;
    this.#maxOpen = o.maxOpen ?? 1000;
  }

  /** Resolves when the event holding `item` is stored; rejects when storing it failed. */
  add(key: string, item: T): Promise<void> {
    return new Promise((ok, ko) => {
      let e = this.#open.get(key);
      if (!e) {
        // Memory bound: past `maxOpen` events in their window, the oldest is stored now.
        if (this.#open.size >= this.#maxOpen) void this.#flush(this.#open.keys().next().value!);
        e = { items: [], waiters: [], timer: setTimeout(() => void this.#flush(key), this.#windowMs) };
        this.#open.set(key, e);
      }
      e.items.push(item);
      e.waiters.push({ ok, ko });
      if (e.items.length >= this.#maxTargets || this.#windowMs === 0) void this.#flush(key);
    });
  }

  /** Store every open event now (stop). */
  async flushAll(): Promise<void> {
    await Promise.allSettled([...this.#open.keys()].map((k) => this.#flush(k)));
  }

  get open(): number {
    return this.#open.size;
  }

  #flush(key: string): Promise<void> {
    const e = this.#open.get(key);
    if (!e) return Promise.resolve();
    this.#open.delete(key);
    clearTimeout(e.timer);
    return this.#store(e.items).then(
      () => {
        for (const w of e.waiters) w.ok();
      },
      (err: unknown) => {
        for (const w of e.waiters) w.ko(err);
      },
    );
  }
}
