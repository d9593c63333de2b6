/**
 * Feeds the history from the event bus, off the hot path: a property report only appends to a
 * buffer; a timer writes the buffer in one transaction every `flushMs`, and maintenance
 * (downsampling, expiry, the size budget) runs every `maintenanceS`. Past `maxPending` series in
 * one window (the database cannot write), values of series not yet in it are dropped, counted.
 */
import type { EventBus, TimedValue } from '../events.js';
import type { Logger } from '../log.js';
import { keyOf } from '../host/sdk/device-key.js';
import type { HistoryEvent, HistoryStore, ValueChange } from './store.js';

const OWNER = 'history';

interface PendingValue extends ValueChange {
  /** Listed in the batch of the next flush. */
  pending: boolean;
}

export interface RecorderOptions {
  flushMs: number;
  maintenanceS: number;
  maxPending?: number;
}

export class HistoryRecorder {
  readonly #store: HistoryStore;
  readonly #events: EventBus;
  readonly #log: Logger;
  readonly #o: Required<RecorderOptions>;
  /** Per device, per property: the series' latest report, one object reused for its lifetime. */
  readonly #series = new Map<string, Map<string, PendingValue>>();
  /** The series reported since the last successful flush, each once (see start()). */
  #dirty: PendingValue[] = [];
  #pendingEvents: HistoryEvent[] = [];
  #flushTimer: NodeJS.Timeout | undefined;
  #maintainTimer: NodeJS.Timeout | undefined;
  #failing = false;
  dropped = 0;

  constructor(deps: { store: HistoryStore; events: EventBus; log: Logger }, options: RecorderOptions) {
    this.#store = deps.store;
    this.#events = deps.events;
    this.#log = deps.log;
    this.#o = { maxPending: 200_000, ...options };
  }

  get store(): HistoryStore {
    return this.#store;
  }

  start(): void {
    // At most one value per series per flush (the last): the write per flush is bounded by the
    // number of series, not by the report rate (200 k values/s would otherwise be 200 k inserts
    // a second on the event loop). A trend's resolution is therefore flushMs.
    // The report path allocates nothing in steady state (no key strings, no objects): at 100 k
    // values/s it runs on the event loop beside everything else.
    this.#events.on(OWNER, 'device.properties', (p) => {
      const device = keyOf(p);
      let props = this.#series.get(device);
      if (!props) this.#series.set(device, (props = new Map()));
      for (const prop in p.params) {
        const tv = p.params[prop] as TimedValue;
        let entry = props.get(prop);
        if (!entry?.pending && this.#dirty.length >= this.#o.maxPending) {
          this.dropped++;
          continue;
        }
        if (!entry) props.set(prop, (entry = { device, prop, t: tv.time, value: tv.value, pending: false }));
        entry.t = tv.time;
        entry.value = tv.value;
        if (!entry.pending) {
          entry.pending = true;
          this.#dirty.push(entry);
        }
      }
    });
    this.#events.on(OWNER, 'device.event', (p) => {
      this.#pendingEvents.push({ t: p.time, device: keyOf(p), kind: 'event', name: p.eventId, data: p.params });
    });
    this.#events.on(OWNER, 'device.status', (p) => {
      this.#pendingEvents.push({
        t: Date.now(),
        device: keyOf(p),
        kind: 'status',
        name: p.status,
        data: { previous: p.previous, ...(p.reason ? { reason: p.reason } : {}) },
      });
    });
    this.#flushTimer = setInterval(() => this.flush(), this.#o.flushMs);
    this.#flushTimer.unref();
    this.#maintainTimer = setInterval(() => this.maintain(), this.#o.maintenanceS * 1000);
    this.#maintainTimer.unref();
  }

  stop(): void {
    this.#events.removeAll(OWNER);
    clearInterval(this.#flushTimer);
    clearInterval(this.#maintainTimer);
    this.flush();
  }

  /** Write what is buffered; on a failing database the batch stays buffered (newer values win) for the next try. */
  flush(): void {
    if (this.#dirty.length === 0 && this.#pendingEvents.length === 0) return;
    const events = this.#pendingEvents;
    this.#pendingEvents = [];
    try {
      // Synchronous: no report can change an entry while the transaction reads it.
      this.#store.write(this.#dirty, events);
      for (const entry of this.#dirty) entry.pending = false;
      this.#dirty = [];
      if (this.#failing) this.#log.info('history writes again');
      this.#failing = false;
    } catch (err) {
      this.#pendingEvents = events.concat(this.#pendingEvents);
      if (!this.#failing) this.#log.error({ err }, 'history cannot write; values held in memory');
      this.#failing = true;
    }
  }

  maintain(): void {
    try {
      const { dropped, bytes } = this.#store.maintain();
      if (dropped > 0) this.#log.info({ dropped, bytes }, 'history over its size budget: oldest rows dropped');
    } catch (err) {
      this.#log.error({ err }, 'history maintenance failed');
    }
  }
}
