/**
 * Feeds the history from the event bus, off the hot path: a property report only appends to a
 * buffer; a timer writes the buffer in one transaction every `flushMs`, and maintenance
 * (downsampling, expiry, the size budget) runs every `maintenanceS`. Past `maxPending` series in
 * one window (the database cannot write), values of new series are dropped, counted.
 */
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import { keyOf } from '../host/sdk/device-key.js';
import type { HistoryEvent, HistoryStore, ValueChange } from './store.js';

const OWNER = 'history';

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
  /** The last value per series since the last flush (see start()). */
  #values = new Map<string, ValueChange>();
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
    this.#events.on(OWNER, 'device.properties', (p) => {
      const device = keyOf(p);
      for (const [prop, tv] of Object.entries(p.params)) {
        const key = `${device}\u0000${prop}`;
        if (this.#values.size >= this.#o.maxPending && !this.#values.has(key)) {
          this.dropped++;
          continue;
        }
        this.#values.set(key, { device, prop, t: tv.time, value: tv.value });
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

  /** Write what is buffered; on a failing database the batch stays buffered for the next try. */
  flush(): void {
    if (this.#values.size === 0 && this.#pendingEvents.length === 0) return;
    const values = this.#values;
    const events = this.#pendingEvents;
    this.#values = new Map();
    this.#pendingEvents = [];
    try {
      this.#store.write([...values.values()], events);
      if (this.#failing) this.#log.info('history writes again');
      this.#failing = false;
    } catch (err) {
      // Held for the next try; a newer value of a series that arrived meanwhile wins.
      for (const [k, v] of values) if (!this.#values.has(k)) this.#values.set(k, v);
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
