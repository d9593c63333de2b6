/**
 * Field readers of the event API's messages: each throws 804 naming the parameter as the seed's
 * tables spell it (`param check error: /'<param>/'`) on the first violation. Unknown fields are
 * ignored (the API has grown by revisions, L43928-43966).
 */
import { paramError } from './codes.js';

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const IPV4 = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Picture types of the API (JPG, PNG, BMP), case-insensitive on the wire. */
export const PIC_TYPES = ['JPG', 'PNG', 'BMP'] as const;
export type PicType = (typeof PIC_TYPES)[number];

export function reqObj(o: Obj, key: string): Obj {
  const v = o[key];
  if (!isObj(v)) throw paramError(key);
  return v;
}

export function optObj(o: Obj, key: string): Obj | undefined {
  return o[key] === undefined || o[key] === null ? undefined : reqObj(o, key);
}

export function reqStr(o: Obj, key: string, max = 255): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0 || v.length > max) throw paramError(key);
  return v;
}

export function optStr(o: Obj, key: string, max = 255): string | undefined {
  return o[key] === undefined || o[key] === null ? undefined : reqStr(o, key, max);
}

export function reqIp(o: Obj, key = 'ip'): string {
  const v = reqStr(o, key, 15);
  if (!IPV4.test(v)) throw paramError(key);
  return v;
}

export function reqInt(o: Obj, key: string, min: number, max: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw paramError(key);
  return v;
}

export function optInt(o: Obj, key: string, min: number, max: number): number | undefined {
  return o[key] === undefined || o[key] === null ? undefined : reqInt(o, key, min, max);
}

export function reqOneOf<T extends number>(o: Obj, key: string, values: readonly T[]): T {
  const v = o[key];
  if (typeof v !== 'number' || !values.includes(v as T)) throw paramError(key);
  return v as T;
}

export function optOneOf<T extends number>(o: Obj, key: string, values: readonly T[]): T | undefined {
  return o[key] === undefined || o[key] === null ? undefined : reqOneOf(o, key, values);
}

/** A number in (min, max) exclusive when `open`, else [min, max]. */
export function reqNum(o: Obj, key: string, min = -Infinity, max = Infinity, open = false): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw paramError(key);
  if (open ? v <= min || v >= max : v < min || v > max) throw paramError(key);
  return v;
}

/** A Base64 picture (standard alphabet, padded) of at most `maxChars`. */
export function reqBase64(o: Obj, key: string, maxChars: number): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0 || v.length > maxChars || v.length % 4 !== 0 || !BASE64.test(v)) throw paramError(key);
  return v;
}

export function reqPicType(o: Obj, key: string): PicType {
  const v = o[key];
  const t = typeof v === 'string' ? v.toUpperCase() : '';
  if (!(PIC_TYPES as readonly string[]).includes(t)) throw paramError(key);
  return t as PicType;
}

/** A picture and its type, both required (`required`) or both absent. */
export function picture(
  o: Obj,
  b64: string,
  type: string,
  required: boolean,
  maxChars: number,
): { base64: string; type: PicType } | undefined {
  if (!required && o[b64] === undefined && o[type] === undefined) return undefined;
  return { base64: reqBase64(o, b64, maxChars), type: reqPicType(o, type) };
}

/** UTC seconds: a positive integer below 10^11 (a millisecond value is refused, not read as a far future). */
export function reqSeconds(o: Obj, key: string): number {
  return reqInt(o, key, 1, 99_999_999_999);
}
