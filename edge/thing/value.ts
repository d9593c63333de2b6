/**
 * Value validation and coercion at the host boundary (seed 001 L16566-16597): a value that
 * does not fit its data type is refused with a reason; a value that fits after a lossless or
 * documented coercion (numeric string → number, true → 1, float rounded to the step grid)
 * goes on in its canonical form. Validators are compiled once per data type: this is the hot path.
 */
import type { DataType, Param } from './tsl.js';

export type Checked = { ok: true; value: unknown } | { ok: false; reason: string };
export type Validator = (raw: unknown) => Checked;

const fail = (reason: string): Checked => ({ ok: false, reason });

function toNumber(raw: unknown): number {
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'string' && raw.trim() !== '') return Number(raw);
  if (typeof raw === 'boolean') return raw ? 1 : 0;
  return NaN;
}

function decimals(x: number): number {
  const s = String(x);
  const e = s.indexOf('e-');
  if (e >= 0) return Number(s.slice(e + 2));
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

function numberValidator(dt: Extract<DataType, { type: 'int' | 'float' | 'double' }>): Validator {
  const { min, max, step } = dt.specs;
  const isInt = dt.type === 'int';
  const base = min ?? 0;
  const places = step !== undefined ? Math.min(decimals(step) + decimals(base), 12) : 0;
  return (raw) => {
    let n = toNumber(raw);
    if (!Number.isFinite(n)) return fail(`not a number: ${preview(raw)}`);
    if (isInt) {
      if (!Number.isInteger(n)) return fail(`not an integer: ${n}`);
      if (n > 2147483647 || n < -2147483648) return fail(`int out of 32-bit range: ${n}`);
    } else if (dt.type === 'float' && Math.abs(n) > 3.4028234663852886e38) {
      return fail(`float out of range: ${n}`);
    }
    // Out of range is dropped, never clamped: a clamped reading would be a lie (seed 001 L16584).
    if (min !== undefined && n < min) return fail(`${n} below min ${min}`);
    if (max !== undefined && n > max) return fail(`${n} above max ${max}`);
    if (step !== undefined) {
      // Snap to the step grid anchored at min; the step is the smallest change the model knows.
      // toFixed(9) first: (21.55 - -40) / 0.1 is 615.4999… in binary and must round as 615.5.
      const snapped = base + Math.round(Number(((n - base) / step).toFixed(9))) * step;
      n = isInt ? Math.round(snapped) : Number(snapped.toFixed(places));
      if (max !== undefined && n > max) n = max;
      if (min !== undefined && n < min) n = min;
    }
    return { ok: true, value: n };
  };
}

function textValidator(length: number): Validator {
  return (raw) => {
    if (typeof raw !== 'string') {
      if (typeof raw === 'number' || typeof raw === 'boolean') raw = String(raw);
      else return fail(`not text: ${preview(raw)}`);
    }
    const s = raw as string;
    if (s.length > length) return fail(`text longer than ${length}`);
    return { ok: true, value: s };
  };
}

// date is a String of UTC milliseconds (seed 001 L16578).
const dateValidator: Validator = (raw) => {
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : typeof raw === 'number' ? raw : NaN;
  if (!Number.isSafeInteger(n) || n < 0) return fail(`not a UTC millisecond time: ${preview(raw)}`);
  return { ok: true, value: String(n) };
};

function labelledValidator(type: 'bool' | 'enum', labels: Record<string, string>): Validator {
  const keys = new Set(Object.keys(labels));
  if (type === 'bool') {
    keys.add('0');
    keys.add('1');
  }
  return (raw) => {
    const n = typeof raw === 'boolean' ? (raw ? 1 : 0) : toNumber(raw);
    if (!Number.isInteger(n)) return fail(`${type} needs an integer, got ${preview(raw)}`);
    if (!keys.has(String(n))) return fail(`${n} is not one of ${[...keys].join(', ')}`);
    return { ok: true, value: n };
  };
}

function structValidator(members: Param[]): Validator {
  const byId = new Map(members.map((m) => [m.identifier, compileValidator(m.dataType)] as const));
  return (raw) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail(`struct needs an object, got ${preview(raw)}`);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(raw)) {
      const check = byId.get(k);
      if (!check) return fail(`unknown struct member ${k}`);
      const r = check(v);
      if (!r.ok) return fail(`${k}: ${r.reason}`);
      out[k] = r.value;
    }
    return { ok: true, value: out };
  };
}

function arrayValidator(size: number, item: DataType): Validator {
  const check = compileValidator(item);
  return (raw) => {
    if (!Array.isArray(raw)) return fail(`array needs a list, got ${preview(raw)}`);
    if (raw.length > size) return fail(`array has ${raw.length} elements, size is ${size}`);
    const out: unknown[] = new Array(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const r = check(raw[i]);
      if (!r.ok) return fail(`[${i}]: ${r.reason}`);
      out[i] = r.value;
    }
    return { ok: true, value: out };
  };
}

export function compileValidator(dt: DataType): Validator {
  switch (dt.type) {
    case 'int':
    case 'float':
    case 'double':
      return numberValidator(dt);
    case 'text':
      return textValidator(dt.specs.length);
    case 'date':
      return dateValidator;
    case 'bool':
    case 'enum':
      return labelledValidator(dt.type, dt.specs);
    case 'struct':
      return structValidator(dt.specs);
    case 'array':
      return arrayValidator(dt.specs.size, dt.specs.item);
  }
}

function preview(v: unknown): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/** Check a parameter list (service input, event output) against its definitions. */
export function checkParams(
  defs: Map<string, Validator>,
  params: unknown,
): { ok: true; value: Record<string, unknown> } | { ok: false; reason: string } {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return { ok: false, reason: 'params must be an object' };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    const check = defs.get(k);
    if (!check) return { ok: false, reason: `unknown parameter ${k}` };
    const r = check(v);
    if (!r.ok) return { ok: false, reason: `${k}: ${r.reason}` };
    out[k] = r.value;
  }
  return { ok: true, value: out };
}
