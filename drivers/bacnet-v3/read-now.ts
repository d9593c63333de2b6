/** On-demand reads (getProperties, write read-back): the points asked for, now, in batches that fit the device. */
import { planBatches, type PropertyRef } from '../../protocols/bacnet/batch.js';
import type { PointDef } from '../../protocols/bacnet/point.js';
import type { BacnetSession, ReadResult } from '../../protocols/bacnet/session.js';
import { decodeValue, type PointValue } from '../../protocols/bacnet/values.js';
import { propertyRef, readEach, refKey } from './point-results.js';

export interface ReadTarget {
  address: string;
  maxApdu: number;
  maxPropertiesPerRequest: number;
  /** False for devices without ReadPropertyMultiple. */
  rpm: boolean;
  session: BacnetSession;
  /** One exchange; throws on timeout. */
  call<T>(fn: () => Promise<T>): Promise<T>;
}

const rethrow = (_ref: PropertyRef, err: Error): never => {
  throw err;
};

export async function readNow(points: readonly PointDef[], t: ReadTarget): Promise<Map<string, PointValue>> {
  const { address, session } = t;
  const readOne = (r: PropertyRef): Promise<ReadResult['value']> =>
    t.call(() => session.readProperty(address, r.objectType, r.instance, r.property));
  const out = new Map<string, PointValue>();
  for (const b of planBatches(points.map(propertyRef), t.maxApdu, t.maxPropertiesPerRequest)) {
    const results = t.rpm
      ? await t.call(() => session.readMultiple(address, b, t.maxApdu))
      : (await readEach(b.refs, readOne, rethrow)).results;
    for (const r of results) {
      for (const p of points.filter((x) => refKey(x) === refKey(r))) {
        if (r.error)
          throw Object.assign(new Error(`point ${p.id}: device error class ${r.error.errorClass} code ${r.error.errorCode}`), {
            bacnetError: r.error,
          });
        out.set(p.id, decodeValue(p, r.value));
      }
    }
  }
  return out;
}
