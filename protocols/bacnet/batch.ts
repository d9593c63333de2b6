/**
 * ReadPropertyMultiple batching: split a device's property references into requests whose
 * complete answer fits one APDU of the device's max size, so no answer needs segmentation
 * (most field controllers do not segment, and the ones that do answer a too-large request with
 * an abort anyway). Sizes are worst cases for the encodings of Clause 20.2 / 21.
 */
import type { DataType } from './point.js';

export interface PropertyRef {
  key: string;
  objectType: number;
  instance: number;
  property: number;
  dataType: DataType;
}

export interface RpmBatch {
  refs: PropertyRef[];
  /** The request as the client encodes it: one access spec per object. */
  specs: { objectId: { type: number; instance: number }; properties: { id: number; index: number }[] }[];
}

/** BACNET_ARRAY_ALL: no array index. */
export const ARRAY_ALL = 0xffffffff;
/** Complex-ACK header (type, invoke id, service choice). */
const ACK_HEADER = 3;
/** Object identifier context tag (5) + opening and closing tags of the result list (2). */
const PER_OBJECT = 7;
/** Text values have no fixed size: assume a modest name; a longer one makes the device abort and the batch halves. */
const TEXT_BUDGET = 64;

/** Worst-case bytes of one property's result: identifier (≤4), opening/closing (2), value or error (≤ 8). */
export function resultSize(r: Pick<PropertyRef, 'property' | 'dataType'>): number {
  const id = r.property < 0x100 ? 2 : r.property < 0x10000 ? 3 : 4;
  const value = r.dataType === 'double' ? 10 : r.dataType === 'text' ? TEXT_BUDGET + 3 : 6;
  return id + 2 + Math.max(value, 6);
}

/**
 * Plan batches for one device. `maxApdu` is the smaller of the device's and ours;
 * `maxProperties` caps the references per request (some devices limit it).
 */
export function planBatches(refs: readonly PropertyRef[], maxApdu: number, maxProperties = 256): RpmBatch[] {
  const sorted = [...refs].sort((a, b) => a.objectType - b.objectType || a.instance - b.instance || a.property - b.property);
  const batches: RpmBatch[] = [];
  let cur: PropertyRef[] = [];
  let size = ACK_HEADER;
  let lastObject = '';
  for (const r of sorted) {
    const obj = `${r.objectType}:${r.instance}`;
    const add = resultSize(r) + (obj === lastObject ? 0 : PER_OBJECT);
    if (cur.length > 0 && (size + add > maxApdu || cur.length >= maxProperties)) {
      batches.push(toBatch(cur));
      cur = [];
      size = ACK_HEADER;
      lastObject = '';
    }
    size += resultSize(r) + (obj === lastObject ? 0 : PER_OBJECT);
    lastObject = obj;
    cur.push(r);
  }
  if (cur.length > 0) batches.push(toBatch(cur));
  return batches;
}

function toBatch(refs: PropertyRef[]): RpmBatch {
  const specs: RpmBatch['specs'] = [];
  for (const r of refs) {
    const last = specs[specs.length - 1];
    if (last && last.objectId.type === r.objectType && last.objectId.instance === r.instance)
      last.properties.push({ id: r.property, index: ARRAY_ALL });
    else specs.push({ objectId: { type: r.objectType, instance: r.instance }, properties: [{ id: r.property, index: ARRAY_ALL }] });
  }
  return { refs, specs };
}

/** Split a batch in two (the device refused its size). */
export function halve(b: RpmBatch): RpmBatch[] {
  if (b.refs.length <= 1) return [b];
  const mid = Math.ceil(b.refs.length / 2);
  return [toBatch(b.refs.slice(0, mid)), toBatch(b.refs.slice(mid))];
}
