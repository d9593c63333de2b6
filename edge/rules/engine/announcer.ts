/**
 * After an alarm's commit: the in-process `rules.alarm` event (console), the gateway's
 * `AlarmRecord` event on the local bus, and the retained list of open alarms — at most one per
 * `openIntervalMs` (the last state always follows): a storm of alarms would otherwise rebuild and
 * send the list for each one (200 records ≈ 100 KB).
 */
import type { EventBus } from '../../events.js';
import { recordOf, type AlarmRecord } from '../alarm-record.js';
import type { RulesStore } from '../store.js';

export type AlarmChange = 'raised' | 'recovered' | 'confirmed';

export const ALARM_TOPICS = {
  open: '/edge/alarms/open',
  event: (pk: string, dn: string) => `/sys/${pk}/${dn}/thing/event/AlarmRecord/post`,
} as const;

export interface AnnouncerDeps {
  store: RulesStore;
  events: EventBus;
  /** Publish on the local bus (absent: no bus). */
  publish?: ((topic: string, payload: string, retain: boolean) => void) | undefined;
  /** The box's identity: alarm events are the gateway's. */
  gateway: { productKey: string; deviceName: string };
  now: () => number;
}

export interface AnnouncerOptions {
  /** How many open alarms the retained list names (the total is always given). */
  openListed: number;
  openIntervalMs: number;
}

/** The time an AlarmRecord event carries: that of the change. */
function changeTime(record: AlarmRecord, change: AlarmChange): number {
  if (change === 'recovered') return record.recoveryTime ?? record.time;
  if (change === 'confirmed') return record.confirmTime ?? record.time;
  return record.time;
}

export class AlarmAnnouncer {
  readonly #deps: AnnouncerDeps;
  readonly #opts: AnnouncerOptions;
  #started = false;
  #eventId = 1;
  #openScheduled = false;
  #openPublishedAt = -Infinity;
  #openTimer: NodeJS.Timeout | undefined;

  constructor(deps: AnnouncerDeps, options: AnnouncerOptions) {
    this.#deps = deps;
    this.#opts = options;
  }

  start(): void {
    this.#started = true;
    this.#publishOpenSoon();
  }

  stop(): void {
    clearTimeout(this.#openTimer);
    this.#openScheduled = false;
    this.#started = false;
  }

  /** The open alarms, newest first. */
  openAlarms(limit: number): AlarmRecord[] {
    return this.#deps.store.open(limit).map(recordOf);
  }

  announce(record: AlarmRecord, change: AlarmChange): void {
    this.#deps.events.emit('rules.alarm', { change, record });
    const { publish, gateway } = this.#deps;
    if (publish) {
      const message = {
        id: String(this.#eventId++),
        version: '1.0',
        method: 'thing.event.AlarmRecord.post',
        params: { value: record, time: changeTime(record, change) },
      };
      publish(ALARM_TOPICS.event(gateway.productKey, gateway.deviceName), JSON.stringify(message), false);
    }
    this.#publishOpenSoon();
  }

  #publishOpenSoon(): void {
    if (!this.#deps.publish || this.#openScheduled || !this.#started) return;
    this.#openScheduled = true;
    const publish = (): void => {
      this.#openScheduled = false;
      if (!this.#started) return;
      this.#openPublishedAt = this.#deps.now();
      const total = this.#deps.store.openCount();
      const alarms = this.openAlarms(this.#opts.openListed);
      this.#deps.publish?.(ALARM_TOPICS.open, JSON.stringify({ total, alarms, time: this.#openPublishedAt }), true);
    };
    const wait = this.#openPublishedAt + this.#opts.openIntervalMs - this.#deps.now();
    if (wait <= 0) setImmediate(publish);
    else (this.#openTimer = setTimeout(publish, wait)).unref?.();
  }
}
