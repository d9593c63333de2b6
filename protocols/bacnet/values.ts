/**
 * BACnet application values ↔ point values. Reading converts whatever application tag the
 * device sent into the point's 数据类型 (bool as 0/1, the thing model's bool [seed 001 L16795]);
 * writing picks the tag the object type expects for its present value (REAL for analog,
 * ENUMERATED for binary, UNSIGNED for multistate, Clause 12) and NULL to relinquish.
 */
import { ApplicationTag, type BACNetAppData } from '@bacnet-js/client';
import { isAnalog, isBinary, isMultistate, PRESENT_VALUE, type PointDef } from './point.js';

export type PointValue = number | string;

/** A value the device sent that the point's data type cannot hold. */
export class ValueTypeError extends Error {}

const asNumber = (d: { type: number; value: unknown }): number | undefined => {
  switch (d.type) {
    case ApplicationTag.BOOLEAN:
      return d.value ? 1 : 0;
    case ApplicationTag.UNSIGNED_INTEGER:
    case ApplicationTag.SIGNED_INTEGER:
    case ApplicationTag.REAL:
    case ApplicationTag.DOUBLE:
    case ApplicationTag.ENUMERATED:
      return typeof d.value === 'number' && Number.isFinite(d.value) ? d.value : undefined;
    default:
      return undefined;
  }
};

/** The first application value of a property, as the point's data type. */
export function decodeValue(
  p: Pick<PointDef, 'dataType' | 'id'>,
  values: readonly { type: number; value: unknown }[] | undefined,
): PointValue {
  const d = values?.[0];
  if (!d || typeof d !== 'object' || typeof d.type !== 'number') throw new ValueTypeError(`point ${p.id}: the device sent no value`);
  if (p.dataType === 'text') {
    if (d.type === ApplicationTag.CHARACTER_STRING && typeof d.value === 'string') return d.value;
    const n = asNumber(d);
    if (n !== undefined) return String(n);
    throw new ValueTypeError(`point ${p.id}: application tag ${d.type} is not text`);
  }
  const n = asNumber(d);
  if (n === undefined) throw new ValueTypeError(`point ${p.id}: application tag ${d.type} is not a number, bool or enumeration`);
  switch (p.dataType) {
    case 'bool':
      return n ? 1 : 0;
    case 'int':
    case 'enum':
      return Math.round(n);
    case 'float':
      return Math.fround(n);
    default:
      return n;
  }
}

/** The application value to write for this point. `null` relinquishes the point's priority slot. */
export function encodeValue(p: Pick<PointDef, 'objectType' | 'property' | 'dataType' | 'id'>, value: unknown): BACNetAppData {
  if (value === null) return { type: ApplicationTag.NULL, value: null };
  const pv = p.property === PRESENT_VALUE;
  if (p.dataType === 'text') {
    if (typeof value !== 'string') throw new RangeError(`point ${p.id} takes text`);
    return { type: ApplicationTag.CHARACTER_STRING, value };
  }
  const n = typeof value === 'boolean' ? (value ? 1 : 0) : Number(value);
  if (typeof value === 'string' && value.trim() === '') throw new RangeError(`point ${p.id} takes a number`);
  if (!Number.isFinite(n)) throw new RangeError(`point ${p.id} takes a number, got ${JSON.stringify(value)}`);
  if (pv && isBinary(p.objectType)) {
    if (n !== 0 && n !== 1) throw new RangeError(`point ${p.id} is binary: 0 (inactive) or 1 (active)`);
    return { type: ApplicationTag.ENUMERATED, value: n } as BACNetAppData;
  }
  if (pv && isMultistate(p.objectType)) {
    if (!Number.isInteger(n) || n < 1 || n > 0xffffffff) throw new RangeError(`point ${p.id} is multistate: a state number from 1`);
    return { type: ApplicationTag.UNSIGNED_INTEGER, value: n };
  }
  if (pv && isAnalog(p.objectType)) return { type: ApplicationTag.REAL, value: n };
  switch (p.dataType) {
    case 'bool':
      return { type: ApplicationTag.BOOLEAN, value: n !== 0 };
    case 'int':
    case 'enum':
      if (!Number.isInteger(n)) throw new RangeError(`point ${p.id} takes a whole number`);
      return n < 0 ? { type: ApplicationTag.SIGNED_INTEGER, value: n } : { type: ApplicationTag.UNSIGNED_INTEGER, value: n };
    case 'float':
      return { type: ApplicationTag.REAL, value: n };
    default:
      return { type: ApplicationTag.DOUBLE, value: n };
  }
}

/** Equal as far as the point's type can tell (a REAL read back is a float32). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const x = Number(a);
  const y = Number(b);
  return Number.isFinite(x) && Number.isFinite(y) && Math.abs(x - y) <= 1e-6 * Math.max(1, Math.abs(y));
}
