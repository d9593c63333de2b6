/**
 * What a record may hold, checked at the boundary before it is stored or forwarded: a model id
 * of the platform's identifier shape (`iot_park_pass_record`), and properties that are a JSON
 * object of bounded size and depth whose keys can never reach an object's prototype
 * (`__proto__`, `constructor`, `prototype` are refused at any depth: subscribers and the console
 * spread these objects).
 */
import { dmError } from './codes.js';

/** Model ids and property (field) names: an identifier, as the platform's models name them. */
export const MODEL_ID_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
export const FIELD_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_DEPTH = 8;
const MAX_KEYS = 1024;
const MAX_KEY_BYTES = 128;

export function checkModelId(raw: unknown, name = 'modelId'): string {
  if (typeof raw !== 'string' || raw === '') throw dmError('param', `${name} is blank`);
  if (!MODEL_ID_PATTERN.test(raw)) throw dmError('param', `${name} must be an identifier (letters, digits, _; at most 64)`);
  return raw;
}

/** The properties as stored: the object and its JSON text (what the size cap counts). */
export interface CheckedProperties {
  value: Record<string, unknown>;
  json: string;
}

export function checkProperties(raw: unknown, maxBytes: number): CheckedProperties {
  if (raw === undefined || raw === null) throw dmError('param', 'properties is blank');
  if (typeof raw !== 'object' || Array.isArray(raw)) throw dmError('param', 'properties must be a JSON object');
  let keys = 0;
  const walk = (v: unknown, depth: number, path: string): void => {
    if (v === null || typeof v !== 'object') return;
    if (depth > MAX_DEPTH) throw dmError('param', `properties nest deeper than ${MAX_DEPTH} levels at ${path}`);
    if (Array.isArray(v)) {
      for (const [i, item] of v.entries()) walk(item, depth + 1, `${path}[${i}]`);
      return;
    }
    for (const k of Object.keys(v)) {
      if (FORBIDDEN_KEYS.has(k)) throw dmError('param', `properties may not hold the key ${k} (at ${path})`);
      if (Buffer.byteLength(k) > MAX_KEY_BYTES) throw dmError('param', `a key longer than ${MAX_KEY_BYTES} bytes at ${path}`);
      if (++keys > MAX_KEYS) throw dmError('param', `properties hold more than ${MAX_KEYS} keys`);
      walk((v as Record<string, unknown>)[k], depth + 1, `${path}.${k}`);
    }
  };
  walk(raw, 1, 'properties');
  if (Object.keys(raw).length === 0) throw dmError('param', 'properties is empty');
  const json = JSON.stringify(raw);
  if (Buffer.byteLength(json) > maxBytes) throw dmError('tooLarge', `properties larger than ${maxBytes} bytes`);
  return { value: raw as Record<string, unknown>, json };
}
