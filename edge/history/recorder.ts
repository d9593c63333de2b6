/**
 * Feeds the history from the event bus, off the hot path: a property report only appends to a
 * buffer; a timer writes the buffer in one transaction every `flushMs`, and maintenance
 * (downsampling, expiry, the size budget) runs every `maintenanceS`. A buffer that outgrows
 * `maxPending` (the database cannot keep up or cannot write) drops its oldest values, counted.
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
  #values: ValueChange[] = [];
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
    this.#events.on(OWNER, 'device.properties', (p) => {
      const device = keyOf(p);
      for (const [prop, tv] of Object.entries(p.params)) this.#values.push({ device, prop, t: tv.time, value: tv.value });
      if (this.#values.length > this.#o.maxPending) {
        const over = this.#values.length - this.#o.maxPending;
        this.#values.splice(0, over);
        this.dropped += over;
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
    if (this.#values.length === 0 && this.#pendingEvents.length === 0) return;
    const values = this.#values;
    const events = this.#pendingEvents;
    this.#values = [];
    this.#pendingEvents = [];
    try {
      this.#store.write(values, events);
      if (this.#failing) this.#log.info('history writes again');
      this.#failing = false;
    } catch (err) {
      this.#values = values.concat(this.#values);
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
