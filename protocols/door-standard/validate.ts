/**
 * A tiny boundary validator: each message parser reads fields through these helpers, which
 * throw `ParamError` with the field's path on the first violation. Parsers are lenient where
 * the seed's own examples are (numbers sent as numeric strings and back, spec 001f A5).
 */
export class ParamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParamError';
  }
}

export type Obj = Record<string, unknown>;
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asObj(v: unknown, path = 'body'): Obj {
  if (!isObj(v)) throw new ParamError(`${path} must be a JSON object`);
  return v;
}

/** Run a parser and turn its first ParamError into a result. */
export function parse<T>(fn: (o: Obj) => T, body: unknown): Parsed<T> {
  try {
    return { ok: true, value: fn(asObj(body)) };
  } catch (err) {
    if (err instanceof ParamError) return { ok: false, error: err.message };
    throw err;
  }
}

interface StrOpts {
  min?: number;
  max?: number;
  /** Length limit in UTF-8 bytes (the seed says "bytes" for tokens and faceId). */
  maxBytes?: number;
  pattern?: RegExp;
  /** Accept a number and turn it into its decimal string (e.g. `targetFloor: 8`, L37015). */
  lenient?: boolean;
}

function checkStr(v: string, key: string, o: StrOpts): string {
  if (o.min !== undefined && v.length < o.min) throw new ParamError(`${key} shorter than ${o.min}`);
  if (o.max !== undefined && v.length > o.max) throw new ParamError(`${key} longer than ${o.max}`);
  if (o.maxBytes !== undefined && Buffer.byteLength(v, 'utf8') > o.maxBytes) throw new ParamError(`${key} longer than ${o.maxBytes} bytes`);
  if (o.pattern && !o.pattern.test(v)) throw new ParamError(`${key} has an invalid format`);
  return v;
}

export function optStr(obj: Obj, key: string, o: StrOpts = {}): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && o.lenient && Number.isFinite(v)) return checkStr(String(v), key, o);
  if (typeof v !== 'string') throw new ParamError(`${key} must be a string`);
  return checkStr(v, key, o);
}

export function str(obj: Obj, key: string, o: StrOpts = {}): string {
  const v = optStr(obj, key, o);
  if (v === undefined) throw new ParamError(`${key} is required`);
  return v;
}

interface IntOpts {
  min?: number;
  max?: number;
  /** Accept a decimal string such as `"01"` (rule/get example, L37427). */
  lenient?: boolean;
}

export function optInt(obj: Obj, key: string, o: IntOpts = {}): number | undefined {
  let v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' && o.lenient && /^-?\d{1,15}$/.test(v)) v = Number(v);
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new ParamError(`${key} must be an integer`);
  if (o.min !== undefined && v < o.min) throw new ParamError(`${key} below ${o.min}`);
  if (o.max !== undefined && v > o.max) throw new ParamError(`${key} above ${o.max}`);
  return v;
}

export function int(obj: Obj, key: string, o: IntOpts = {}): number {
  const v = optInt(obj, key, o);
  if (v === undefined) throw new ParamError(`${key} is required`);
  return v;
}

export function optBool(obj: Obj, key: string): boolean | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new ParamError(`${key} must be a boolean`);
  return v;
}

export function optArr(obj: Obj, key: string, o: { max?: number; min?: number } = {}): unknown[] | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new ParamError(`${key} must be an array`);
  if (o.max !== undefined && v.length > o.max) throw new ParamError(`${key} has more than ${o.max} entries`);
  if (o.min !== undefined && v.length < o.min) throw new ParamError(`${key} has fewer than ${o.min} entries`);
  return v;
}

export function arr(obj: Obj, key: string, o: { max?: number; min?: number } = {}): unknown[] {
  const v = optArr(obj, key, o);
  if (v === undefined) throw new ParamError(`${key} is required`);
  return v;
}

export function oneOf<T extends string | number>(v: T | undefined, key: string, allowed: readonly T[]): T | undefined {
  if (v !== undefined && !allowed.includes(v)) throw new ParamError(`${key} must be one of ${allowed.join(', ')}`);
  return v;
}

/** Parse every element of an array with its own path in the error. */
export function each<T>(items: unknown[], key: string, fn: (o: Obj) => T): T[] {
  return items.map((item, i) => {
    try {
      return fn(asObj(item, `${key}[${i}]`));
    } catch (err) {
      if (err instanceof ParamError && !err.message.startsWith(`${key}[`)) throw new ParamError(`${key}[${i}].${err.message}`);
      throw err;
    }
  });
}

/** Drop undefined values so a built message carries only the fields that are set. */
export function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
