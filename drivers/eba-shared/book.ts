/**
 * Which device property each point feeds, and each device's health, for every EBA driver
 * (ModbusV3, BACnetV3): the device table maps properties to points [seed 001 L16475-16510,
 * L16693-16729]; a property without a point never updates and commands to it fail
 * [seed 001 L16348-16350, L16605-16607]. A device is online once one of its points has been
 * read and none of its faults is open; it goes offline with the fault's reason, so the log and
 * the console name the protocol error or the timeout.
 */
import type { Answer, DeviceHandle } from '../../edge/host/sdk/driver.js';

export interface BookPoint {
  id: string;
  channel: string;
}

export interface BookedDevice<P extends BookPoint = BookPoint> {
  handle: DeviceHandle;
  /** property → point */
  mapping: Map<string, P>;
  faults: Map<string, string>;
  seen: boolean;
  online: boolean;
  /** offline() already said since the last change (a device that never came up is reported once). */
  reportedOffline: boolean;
}

/** One (device, property) a point feeds; `next` chains the rare further ones. */
interface Subscriber<P extends BookPoint> {
  dev: BookedDevice<P>;
  prop: string;
  next: Subscriber<P> | undefined;
}

export class DeviceBook<P extends BookPoint, V = unknown> {
  readonly devices = new Map<string, BookedDevice<P>>();
  /**
   * point id → the devices and properties it feeds, as a chain: almost every point feeds one
   * property, and an array per point costs ~150 bytes (V8 gives a pushed-to empty array 17
   * slots), 30 MB at the seed's 1 000 devices × 200 points.
   */
  readonly #subscribers = new Map<string, Subscriber<P>>();

  add(handle: DeviceHandle, mapping: Map<string, P>): BookedDevice<P> {
    const dev: BookedDevice<P> = { handle, mapping, faults: new Map(), seen: mapping.size === 0, online: false, reportedOffline: false };
    this.devices.set(keyOf(handle), dev);
    for (const [prop, p] of mapping) this.#subscribers.set(p.id, { dev, prop, next: this.#subscribers.get(p.id) });
    this.#update(dev);
    return dev;
  }

  remove(handle: DeviceHandle): void {
    const dev = this.devices.get(keyOf(handle));
    if (!dev) return;
    this.devices.delete(keyOf(handle));
    for (const p of dev.mapping.values()) {
      let kept: Subscriber<P> | undefined;
      for (let s = this.#subscribers.get(p.id); s; s = s.next) if (s.dev !== dev) kept = { dev: s.dev, prop: s.prop, next: kept };
      if (kept) this.#subscribers.set(p.id, kept);
      else this.#subscribers.delete(p.id);
    }
  }

  get(handle: DeviceHandle): BookedDevice<P> | undefined {
    return this.devices.get(keyOf(handle));
  }

  /** The points some device uses, on one channel. */
  pointsOf(channel: string): P[] {
    const seen = new Map<string, P>();
    for (const d of this.devices.values()) for (const p of d.mapping.values()) if (p.channel === channel) seen.set(p.id, p);
    return [...seen.values()];
  }

  /** Points were read: `changed` holds the values to report (every point if periodic, changed ones if on-change). */
  block(points: readonly P[], changed: [P, V][], time: number): void {
    const reports = new Map<BookedDevice<P>, Record<string, unknown>>();
    for (const [p, v] of changed) {
      for (let s = this.#subscribers.get(p.id); s; s = s.next) {
        let r = reports.get(s.dev);
        if (!r) reports.set(s.dev, (r = {}));
        r[s.prop] = v;
      }
    }
    for (const p of points) {
      for (let s = this.#subscribers.get(p.id); s; s = s.next) {
        if (!s.dev.seen) {
          s.dev.seen = true;
          this.#update(s.dev);
        }
      }
    }
    for (const [dev, values] of reports) dev.handle.reportProperties(values, time);
  }

  /** A fault appeared (`reason`) or cleared (undefined) on these points. */
  fault(key: string, points: readonly P[], reason: string | undefined): void {
    const touched = new Set<BookedDevice<P>>();
    for (const p of points) for (let s = this.#subscribers.get(p.id); s; s = s.next) touched.add(s.dev);
    for (const dev of touched) {
      if (reason === undefined) dev.faults.delete(key);
      else dev.faults.set(key, reason);
      this.#update(dev);
    }
  }

  /** A channel went down or came back: every device with a point on it. */
  channelFault(channel: string, reason: string | undefined): void {
    this.fault(`ch:${channel}`, this.pointsOf(channel), reason);
  }

  #update(dev: BookedDevice<P>): void {
    const healthy = dev.seen && dev.faults.size === 0;
    if (healthy && !dev.online) {
      dev.online = true;
      dev.handle.online();
    } else if (dev.faults.size > 0 && (dev.online || !dev.reportedOffline)) {
      dev.online = false;
      dev.reportedOffline = true;
      dev.handle.offline([...dev.faults.values()][0]);
    }
  }
}

export const keyOf = (d: { productKey: string; deviceName: string }): string => `${d.productKey}/${d.deviceName}`;

/** The driver's answer codes for a call the point tables cannot serve. */
export interface MappingCodes {
  unknownDevice: number;
  noPoint: number;
}

/**
 * The points behind some properties of a device, or the answer that refuses the call: a device
 * not deployed, or a property without a point — it never updates and commands to it fail
 * [seed 001 L16344-16350].
 */
export function mappedPoints<P extends BookPoint>(book: DeviceBook<P, unknown>, d: DeviceHandle, keys: string[], codes: MappingCodes): { found: [string, P][] } | { refusal: Answer<never> } {
  const dev = book.get(d);
  if (!dev) return { refusal: { code: codes.unknownDevice, message: `device ${d.productKey}/${d.deviceName} not deployed` } };
  const found: [string, P][] = [];
  const missing: string[] = [];
  for (const k of keys) {
    const p = dev.mapping.get(k);
    if (p) found.push([k, p]);
    else missing.push(k);
  }
  if (missing.length > 0) return { refusal: { code: codes.noPoint, message: `no point mapped to ${missing.join(', ')}: unmapped properties never update and commands to them fail` } };
  return { found };
}

/** Read mapped points with one batch per channel; property → value. */
export async function readByChannel<P extends BookPoint>(found: [string, P][], read: (channel: string, points: P[]) => Promise<Map<string, unknown>>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [channel, list] of groupByChannel(found)) {
    const values = await read(channel, list.map(([, p]) => p));
    for (const [prop, p] of list) out[prop] = values.get(p.id);
  }
  return out;
}

/**
 * Write each property's point in turn and collect what the device reads back, which is then
 * reported. The first failing write is logged with its property and rethrown.
 */
export async function writeMapped<P extends BookPoint>(d: DeviceHandle, found: [string, P][], values: Record<string, unknown>, write: (p: P, value: unknown) => Promise<unknown>): Promise<Record<string, unknown>> {
  const readBack: Record<string, unknown> = {};
  for (const [prop, p] of found) {
    try {
      readBack[prop] = await write(p, values[prop]);
    } catch (err) {
      d.log.warn({ prop, point: p.id, err: (err as Error).message }, 'write failed');
      throw err;
    }
  }
  d.reportProperties(readBack);
  return readBack;
}

/** (property, point) pairs grouped by the point's channel. */
export function groupByChannel<P extends BookPoint>(found: [string, P][]): Map<string, [string, P][]> {
  const out = new Map<string, [string, P][]>();
  for (const f of found) out.set(f[1].channel, [...(out.get(f[1].channel) ?? []), f]);
  return out;
}

/** Book a device with its custom `points` mapping; returns the channels whose plan changes. */
export function bookDevice<P extends BookPoint>(book: DeviceBook<P, unknown>, d: DeviceHandle, points: ReadonlyMap<string, P>, mapping: Map<string, string>): Set<string> {
  const m = new Map<string, P>();
  for (const [prop, id] of mapping) {
    const p = points.get(id);
    if (!p) throw new Error(`property ${prop} maps to point ${id}, which is not in the point table`);
    m.set(prop, p);
  }
  book.add(d, m);
  return new Set([...m.values()].map((p) => p.channel));
}

/** Take a device out; returns the channels whose plan changes. */
export function unbookDevice<P extends BookPoint>(book: DeviceBook<P, unknown>, d: DeviceHandle): Set<string> {
  const dev = book.get(d);
  book.remove(d);
  return new Set([...(dev?.mapping.values() ?? [])].map((p) => p.channel));
}
