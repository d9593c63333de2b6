/**
 * Which device property each point feeds, and each device's health, for every EBA driver
 * (ModbusV3, BACnetV3): the device table maps properties to points [seed 001 L16475-16510,
 * L16693-16729]; a property without a point never updates and commands to it fail
 * [seed 001 L16348-16350, L16605-16607]. A device is online once one of its points has been
 * read and none of its faults is open; it goes offline with the fault's reason, so the log and
 * the console name the protocol error or the timeout.
 */
import type { DeviceHandle } from '../../edge/host/sdk/driver.js';
import { keyOf } from '../../edge/host/sdk/device-key.js';

export interface BookPoint {
  id: string;
  channel: string;
}

/** The property list of a mapping, shared by every device that maps the same properties. */
interface MappingShape {
  props: readonly string[];
  index: ReadonlyMap<string, number>;
}

/**
 * A device's property → point table. Devices of one product map the same properties, so the
 * property list and its index are shared and each device keeps only its points, in one array:
 * a Map per device cost ~8 KB at 200 properties, 8 MB of the driver's heap at the seed's
 * 1 000 devices (heap snapshot, `npm run bench -- modbus`).
 */
export class PointMapping<P> {
  constructor(
    readonly shape: MappingShape,
    readonly points: readonly P[],
  ) {}

  get(prop: string): P | undefined {
    const i = this.shape.index.get(prop);
    return i === undefined ? undefined : this.points[i];
  }

  get size(): number {
    return this.points.length;
  }

  values(): IterableIterator<P> {
    return this.points.values();
  }

  *entries(): IterableIterator<[string, P]> {
    for (let i = 0; i < this.points.length; i++) yield [this.shape.props[i]!, this.points[i]!];
  }
}

export interface BookedDevice<P extends BookPoint = BookPoint> {
  handle: DeviceHandle;
  /** property → point */
  mapping: PointMapping<P>;
  /** Where the book keeps it (subscribers refer to devices by slot). */
  slot: number;
  faults: Map<string, string>;
  seen: boolean;
  online: boolean;
  /** offline() already said since the last change (a device that never came up is reported once). */
  reportedOffline: boolean;
}

/** A (device, property) a point feeds, packed into one number: device slot × SLOT + property index. */
const SLOT = 65_536;

export class DeviceBook<P extends BookPoint, V = unknown> {
  readonly devices = new Map<string, BookedDevice<P>>();
  /**
   * point id → the first (device, property) it feeds, packed; `#more` holds the rare further
   * ones. A number per point, not an object or an array: at the seed's 1 000 devices × 200
   * points an array per point cost 30 MB and a small object per point 8 MB of the driver's heap.
   */
  readonly #subscribers = new Map<string, number>();
  readonly #more = new Map<string, number[]>();
  readonly #slots: Array<BookedDevice<P> | undefined> = [];
  readonly #freeSlots: number[] = [];
  readonly #shapes = new Map<string, MappingShape>();

  add(handle: DeviceHandle, properties: Map<string, P>): BookedDevice<P> {
    if (properties.size > SLOT) throw new Error(`device ${keyOf(handle)} maps ${properties.size} properties; at most ${SLOT}`);
    const mapping = this.#compact(properties);
    const slot = this.#freeSlots.pop() ?? this.#slots.length;
    const dev: BookedDevice<P> = {
      handle,
      mapping,
      slot,
      faults: new Map(),
      seen: mapping.size === 0,
      online: false,
      reportedOffline: false,
    };
    this.#slots[slot] = dev;
    this.devices.set(keyOf(handle), dev);
    mapping.points.forEach((p, i) => {
      const code = slot * SLOT + i;
      if (!this.#subscribers.has(p.id)) this.#subscribers.set(p.id, code);
      else this.#more.set(p.id, [...(this.#more.get(p.id) ?? []), code]);
    });
    this.#update(dev);
    return dev;
  }

  #compact(properties: Map<string, P>): PointMapping<P> {
    const props = [...properties.keys()];
    const key = props.join('\u0000');
    let shape = this.#shapes.get(key);
    if (!shape) {
      shape = { props, index: new Map(props.map((p, i) => [p, i] as const)) };
      this.#shapes.set(key, shape);
    }
    return new PointMapping(shape, [...properties.values()]);
  }

  remove(handle: DeviceHandle): void {
    const dev = this.devices.get(keyOf(handle));
    if (!dev) return;
    this.devices.delete(keyOf(handle));
    const mine = (code: number): boolean => Math.floor(code / SLOT) === dev.slot;
    for (const p of dev.mapping.values()) {
      const rest = [this.#subscribers.get(p.id), ...(this.#more.get(p.id) ?? [])].filter((c): c is number => c !== undefined && !mine(c));
      this.#more.delete(p.id);
      if (rest.length === 0) this.#subscribers.delete(p.id);
      else {
        this.#subscribers.set(p.id, rest[0]!);
        if (rest.length > 1) this.#more.set(p.id, rest.slice(1));
      }
    }
    this.#slots[dev.slot] = undefined;
    this.#freeSlots.push(dev.slot);
  }

  /** Every (device, property) point `id` feeds. */
  #feeds(id: string, fn: (dev: BookedDevice<P>, prop: string) => void): void {
    const first = this.#subscribers.get(id);
    if (first === undefined) return;
    this.#visit(first, fn);
    if (this.#more.size === 0) return;
    const more = this.#more.get(id);
    if (more) for (const code of more) this.#visit(code, fn);
  }

  #visit(code: number, fn: (dev: BookedDevice<P>, prop: string) => void): void {
    const dev = this.#slots[Math.floor(code / SLOT)]!;
    fn(dev, dev.mapping.shape.props[code % SLOT]!);
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
      this.#feeds(p.id, (dev, prop) => {
        let r = reports.get(dev);
        if (!r) reports.set(dev, (r = {}));
        r[prop] = v;
      });
    }
    for (const p of points) {
      this.#feeds(p.id, (dev) => {
        if (!dev.seen) {
          dev.seen = true;
          this.#update(dev);
        }
      });
    }
    for (const [dev, values] of reports) dev.handle.reportProperties(values, time);
  }

  /** A fault appeared (`reason`) or cleared (undefined) on these points. */
  fault(key: string, points: readonly P[], reason: string | undefined): void {
    const touched = new Set<BookedDevice<P>>();
    for (const p of points) this.#feeds(p.id, (dev) => touched.add(dev));
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

export { keyOf } from '../../edge/host/sdk/device-key.js';
