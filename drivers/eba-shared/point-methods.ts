/**
 * The driver methods every EBA driver shares on top of its device book (book.ts): the points
 * behind a call's properties, reads grouped by channel, writes with read-back, booking and
 * unbooking a device from its point mapping.
 */
import { ok, type Answer, type DeviceHandle, type Driver } from '../../edge/host/sdk/driver.js';
import type { BookPoint, DeviceBook } from './book.js';
import { deviceMapping } from './tables.js';

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
export function mappedPoints<P extends BookPoint>(
  book: DeviceBook<P, unknown>,
  d: DeviceHandle,
  keys: string[],
  codes: MappingCodes,
): { found: [string, P][] } | { refusal: Answer<never> } {
  const dev = book.get(d);
  if (!dev) return { refusal: { code: codes.unknownDevice, message: `device ${d.productKey}/${d.deviceName} not deployed` } };
  const found: [string, P][] = [];
  const missing: string[] = [];
  for (const k of keys) {
    const p = dev.mapping.get(k);
    if (p) found.push([k, p]);
    else missing.push(k);
  }
  if (missing.length > 0)
    return {
      refusal: {
        code: codes.noPoint,
        message: `no point mapped to ${missing.join(', ')}: unmapped properties never update and commands to them fail`,
      },
    };
  return { found };
}

/** Read mapped points with one batch per channel; property → value. */
export async function readByChannel<P extends BookPoint>(
  found: [string, P][],
  read: (channel: string, points: P[]) => Promise<Map<string, unknown>>,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [channel, list] of groupByChannel(found)) {
    const values = await read(
      channel,
      list.map(([, p]) => p),
    );
    for (const [prop, p] of list) out[prop] = values.get(p.id);
  }
  return out;
}

/**
 * Write each property's point in turn and collect what the device reads back, which is then
 * reported. The first failing write is logged with its property and rethrown.
 */
export async function writeMapped<P extends BookPoint>(
  d: DeviceHandle,
  found: [string, P][],
  values: Record<string, unknown>,
  write: (p: P, value: unknown) => Promise<unknown>,
): Promise<Record<string, unknown>> {
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
export function bookDevice<P extends BookPoint>(
  book: DeviceBook<P, unknown>,
  d: DeviceHandle,
  points: ReadonlyMap<string, P>,
  mapping: Map<string, string>,
): Set<string> {
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

/** What an EBA driver plugs into the shared device methods: its points, I/O and answer codes. */
export interface PointIo<P extends BookPoint> {
  points: ReadonlyMap<string, P>;
  codes: MappingCodes & { readbackMismatch: number };
  /** A channel's set of booked points changed: plan its polling again. */
  replan(channel: string): void;
  read(channel: string, points: P[]): Promise<Map<string, unknown>>;
  write(p: P, value: unknown): Promise<unknown>;
  /** Does what the device reads back after a write equal what was asked (each protocol's rule)? */
  same(readBack: unknown, requested: unknown): boolean;
  /** Why a read-back can differ, said in the answer. */
  mismatchHint: string;
  failure(err: unknown): Answer<never>;
}

/**
 * addDevice / removeDevice / getProperties / setProperties of a point-table driver: devices are
 * booked by their `custom.points`, reads go one batch per channel, writes are read back and a
 * difference is answered with the driver's read-back code (the values read back as data).
 */
export function pointDeviceMethods<P extends BookPoint>(
  book: DeviceBook<P, unknown>,
  io: PointIo<P>,
): Required<Pick<Driver, 'addDevice' | 'removeDevice' | 'getProperties' | 'setProperties'>> {
  return {
    async addDevice(d) {
      for (const c of bookDevice(book, d, io.points, deviceMapping(d.custom))) io.replan(c);
    },
    async removeDevice(d) {
      for (const c of unbookDevice(book, d)) io.replan(c);
    },
    async getProperties(d, keys) {
      const m = mappedPoints(book, d, keys, io.codes);
      if ('refusal' in m) return m.refusal;
      try {
        return ok(await readByChannel(m.found, io.read));
      } catch (err) {
        return io.failure(err);
      }
    },
    async setProperties(d, values) {
      const m = mappedPoints(book, d, Object.keys(values), io.codes);
      if ('refusal' in m) return m.refusal;
      let readBack: Record<string, unknown>;
      try {
        readBack = await writeMapped(d, m.found, values, io.write);
      } catch (err) {
        return io.failure(err);
      }
      const differs = Object.keys(readBack).filter((k) => !io.same(readBack[k], values[k]));
      if (differs.length > 0)
        return {
          code: io.codes.readbackMismatch,
          message: `read back differs for ${differs.join(', ')} (${io.mismatchHint})`,
          data: readBack,
        };
      return ok(readBack);
    },
  };
}
