/**
 * Device reports → outbox. Property reports of one device within `coalesceMs` merge into one
 * post, unless a property would be overwritten: then the pending post is queued first, so no
 * sample is lost. An event of a device first queues that device's pending properties, so the
 * order per device is the order the driver reported in. Data captured while the link is down
 * is queued in its history form (original timestamps) [seed 000 L4345-4351, L4847].
 * With `packPost`, logged-in sub-devices' reports of one window go up together on the
 * gateway's pack topic (pack.ts); a device switching between the two paths flushes the other
 * path first, so its order holds.
 */
import type { EventBus, TimedValue } from '../events.js';
import { deviceKey } from '../thing/registry.js';
import { eventPost, historyPost, historyPostMany, packPost, propertyPost, type PackEntry } from './alink/messages.js';
import { alinkTopics } from './alink/topics.js';
import type { Outbox } from './outbox/outbox.js';
import { PackBuffer } from './pack.js';

const OWNER = 'cloud-uplink';

interface PendingPost {
  productKey: string;
  deviceName: string;
  params: Record<string, TimedValue>;
  timer: NodeJS.Timeout | undefined;
}

export interface UplinkDeps {
  events: EventBus;
  outbox: Outbox;
  /** Realtime or history form is chosen when the message is queued. */
  linkOnline(): boolean;
  /** Disabled or deleted by the platform: nothing is sent for it. */
  isBlocked(productKey: string, deviceName: string): boolean;
  /** Pack posts carry only sub-devices with a session (the platform fails a pack whole). */
  isLoggedIn(productKey: string, deviceName: string): boolean;
  gateway: { productKey: string; deviceName: string };
}

export class Uplink {
  readonly #deps: UplinkDeps;
  readonly #coalesceMs: number;
  readonly #pending = new Map<string, PendingPost>();
  readonly #pack: PackBuffer | undefined;
  blocked = 0;
  salvaged = 0;

  constructor(deps: UplinkDeps, options: { coalesceMs: number; packPost?: boolean }) {
    this.#deps = deps;
    this.#coalesceMs = options.coalesceMs;
    if (options.packPost) this.#pack = new PackBuffer(options.coalesceMs, (entries) => this.#queuePack(entries));
  }

  start(): void {
    this.#deps.events.on(OWNER, 'device.properties', ({ productKey, deviceName, params }) =>
      this.properties(productKey, deviceName, params),
    );
    this.#deps.events.on(OWNER, 'device.event', ({ productKey, deviceName, eventId, params, time }) =>
      this.event(productKey, deviceName, eventId, params, time),
    );
  }

  stop(): void {
    this.#deps.events.removeAll(OWNER);
    for (const key of [...this.#pending.keys()]) this.#flush(key);
    this.#pack?.flush();
    this.#deps.outbox.flush();
  }

  properties(productKey: string, deviceName: string, params: Record<string, TimedValue>): void {
    if (this.#deps.isBlocked(productKey, deviceName)) {
      this.blocked++;
      return;
    }
    const key = deviceKey(productKey, deviceName);
    if (this.#pack && PackBuffer.fits(params) && this.#deps.linkOnline() && this.#deps.isLoggedIn(productKey, deviceName)) {
      this.#flush(key);
      this.#pack.add(productKey, deviceName, params);
      return;
    }
    if (this.#pack?.has(productKey, deviceName)) this.#pack.flush();
    if (this.#coalesceMs === 0) {
      this.#queueProperties(productKey, deviceName, params);
      return;
    }
    let p = this.#pending.get(key);
    if (p && Object.keys(params).some((k) => k in p!.params)) {
      this.#flush(key);
      p = undefined;
    }
    if (!p) {
      p = { productKey, deviceName, params: {}, timer: undefined };
      this.#pending.set(key, p);
      p.timer = setTimeout(() => this.#flush(key), this.#coalesceMs);
    }
    Object.assign(p.params, params);
  }

  event(productKey: string, deviceName: string, eventId: string, value: Record<string, unknown>, time: number): void {
    if (this.#deps.isBlocked(productKey, deviceName)) {
      this.blocked++;
      return;
    }
    this.#flush(deviceKey(productKey, deviceName));
    if (this.#pack?.has(productKey, deviceName)) this.#pack.flush();
    const online = this.#deps.linkOnline();
    this.#deps.outbox.enqueue({
      productKey,
      deviceName,
      class: 'event',
      topic: online ? alinkTopics.eventPost(productKey, deviceName, eventId) : alinkTopics.historyPost(productKey, deviceName),
      payload: online
        ? (id) => eventPost(id, eventId, value, time)
        : (id) => historyPost(id, productKey, deviceName, { events: { [eventId]: { value, time } } }),
    });
  }

  #flush(key: string): void {
    const p = this.#pending.get(key);
    if (!p) return;
    this.#pending.delete(key);
    if (p.timer) clearTimeout(p.timer);
    this.#queueProperties(p.productKey, p.deviceName, p.params);
  }

  #queueProperties(productKey: string, deviceName: string, params: Record<string, TimedValue>): void {
    const online = this.#deps.linkOnline();
    this.#deps.outbox.enqueue({
      productKey,
      deviceName,
      class: 'property',
      topic: online ? alinkTopics.propertyPost(productKey, deviceName) : alinkTopics.historyPost(productKey, deviceName),
      payload: online ? (id) => propertyPost(id, params) : (id) => historyPost(id, productKey, deviceName, { properties: params }),
    });
  }

  /**
   * A pack the platform refused (one sub-device failed its check, e.g. logged out while the
   * pack was queued): every other sub-device's values are queued again on its own topic, in
   * history form (original times; they are no longer the newest values).
   */
  salvagePack(payload: string): void {
    let subs: Array<{ identity?: { productKey?: unknown; deviceName?: unknown }; properties?: Record<string, TimedValue> }>;
    try {
      subs = (JSON.parse(payload) as { params: { subDevices: typeof subs } }).params.subDevices;
    } catch {
      return;
    }
    for (const s of subs) {
      const pk = s.identity?.productKey;
      const dn = s.identity?.deviceName;
      if (typeof pk !== 'string' || typeof dn !== 'string' || !s.properties || this.#deps.isBlocked(pk, dn)) continue;
      const properties = s.properties;
      this.salvaged++;
      this.#deps.outbox.enqueue({
        productKey: pk,
        deviceName: dn,
        class: 'property',
        topic: alinkTopics.historyPost(pk, dn),
        payload: (id) => historyPost(id, pk, dn, { properties }),
      });
    }
  }

  /** One pack on the gateway's topic and id space; its history form if the link went down meanwhile. */
  #queuePack(entries: PackEntry[]): void {
    const { productKey, deviceName } = this.#deps.gateway;
    const online = this.#deps.linkOnline();
    this.#deps.outbox.enqueue({
      productKey,
      deviceName,
      class: 'property',
      topic: online ? alinkTopics.packPost(productKey, deviceName) : alinkTopics.historyPost(productKey, deviceName),
      payload: online ? (id) => packPost(id, entries) : (id) => historyPostMany(id, entries),
    });
  }
}
