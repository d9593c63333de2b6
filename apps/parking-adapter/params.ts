/**
 * Checks of a service call's `params` at the boundary, each failure a ServiceError with the
 * seed's code: 1002 for a missing or mistyped field (R22), 606 for a date in neither accepted
 * format, 607 for an effective date after the expiry (R25, L32355-32362).
 */
import { ServiceError } from '../sdk/service-server.js';
import { CODES, type CodeName } from './codes.js';

export type Params = Record<string, unknown>;

export function fail(name: CodeName, detail?: string): never {
  const c = CODES[name];
  throw new ServiceError(c.code, detail ? `${c.message}: ${detail}` : c.message);
}

export function reqString(p: Params, key: string): string {
  const v = p[key];
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string' || v.trim() === '') fail('invalidParam', key);
  return v.trim();
}

export function optString(p: Params, key: string): string | undefined {
  const v = p[key];
  if (v === undefined || v === null || v === '') return undefined;
  return reqString(p, key);
}

/** A list of non-blank strings; a single string is taken as a list of one (the seed's ACCEPT_SINGLE_VALUE_AS_ARRAY, L40229-40250). */
export function stringList(p: Params, key: string, required: boolean): string[] {
  const v = p[key];
  if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) {
    if (required) fail('invalidParam', key);
    return [];
  }
  const list = Array.isArray(v) ? v : [v];
  return list.map((x, i) => {
    if (typeof x !== 'string' || x.trim() === '') fail('invalidParam', `${key}[${i}]`);
    return x.trim();
  });
}

/** An integer among `allowed`; a string of digits is accepted too (the seed's Java callers coerce). */
export function reqInt(p: Params, key: string, allowed: readonly number[]): number {
  const v = p[key];
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : Number.NaN;
  if (!allowed.includes(n)) fail('invalidParam', key);
  return n;
}

const DATE = /^(\d{4})[-/](\d{2})[-/](\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** `yyyy-MM-dd HH:mm:ss` or `yyyy/MM/dd HH:mm:ss`, a real calendar time; returned in the dashed form. */
export function date(p: Params, key: string, required: boolean): string | undefined {
  const v = p[key];
  if (v === undefined || v === null || v === '') {
    if (required) fail('invalidParam', key);
    return undefined;
  }
  if (typeof v !== 'string') fail('dateFormat', key);
  const m = DATE.exec(v.trim());
  if (!m || (v.includes('/') && v.includes('-'))) fail('dateFormat', key);
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const t = new Date(y, mo - 1, d, h, mi, s);
  if (t.getFullYear() !== y || t.getMonth() !== mo - 1 || t.getDate() !== d || h > 23 || mi > 59 || s > 59) fail('dateFormat', key);
  return `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6]}`;
}

export function dateOrder(effective: string | undefined, expiry: string | undefined): void {
  // Both are in the dashed form, so the strings order as the times do.
  if (effective !== undefined && expiry !== undefined && effective > expiry) fail('dateOrder');
}
