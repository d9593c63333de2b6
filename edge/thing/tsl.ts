/**
 * The thing model (TSL) in the Alink JSON shape the cloud uses (seed 001 L17868-17908):
 * `properties`, `events`, `services`, each member carrying a `dataType {type, specs}` whose
 * numeric specs are strings (`"min":"0"`). Data-type rules: seed 001 L16566-16597.
 */
import { edgeError } from '../errors.js';

export type DataTypeName = 'int' | 'float' | 'double' | 'text' | 'date' | 'bool' | 'enum' | 'struct' | 'array';

export const MAX_TEXT_LENGTH = 10240; // seed 001 L16590 数据长度 最大10240
export const MAX_ARRAY_SIZE = 512; // seed 001 L16592 元素个数 最大512
const ARRAY_ITEM_TYPES: ReadonlySet<string> = new Set(['int', 'float', 'double', 'text', 'struct']); // seed 001 L16582

export type DataType =
  | { type: 'int' | 'float' | 'double'; specs: NumberSpecs }
  | { type: 'text'; specs: { length: number } }
  | { type: 'date'; specs: Record<string, never> }
  | { type: 'bool' | 'enum'; specs: Record<string, string> }
  | { type: 'struct'; specs: Param[] }
  | { type: 'array'; specs: { size: number; item: DataType } };

export interface NumberSpecs {
  min?: number;
  max?: number;
  step?: number;
  unit?: string;
  unitName?: string;
}

export interface Param {
  identifier: string;
  name: string;
  dataType: DataType;
}

export interface Property extends Param {
  accessMode: 'r' | 'rw';
  required: boolean;
  desc?: string;
}

export interface ThingEvent {
  identifier: string;
  name: string;
  type: 'info' | 'alert' | 'error';
  method: string;
  outputData: Param[];
}

export interface Service {
  identifier: string;
  name: string;
  callType: 'async' | 'sync';
  method: string;
  inputData: Param[];
  outputData: Param[];
}

export interface ThingModel {
  productKey: string;
  properties: Map<string, Property>;
  events: Map<string, ThingEvent>;
  services: Map<string, Service>;
}

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class TslReader {
  readonly problems: string[] = [];

  problem(path: string, what: string): void {
    this.problems.push(`${path}: ${what}`);
  }

  num(path: string, raw: Json): number | undefined {
    if (raw === undefined || raw === null || raw === '') return undefined;
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : NaN;
    if (!Number.isFinite(n)) {
      this.problem(path, `expected a number (as string), got ${JSON.stringify(raw)}`);
      return undefined;
    }
    return n;
  }

  /** int, float, double: bounds, step and unit. */
  #numberSpecs(path: string, type: 'int' | 'float' | 'double', specs: Json | undefined): NumberSpecs {
    const s = isObject(specs) ? specs : {};
    const out: NumberSpecs = {};
    const min = this.num(`${path}.specs.min`, s.min);
    const max = this.num(`${path}.specs.max`, s.max);
    const step = this.num(`${path}.specs.step`, s.step);
    if (min !== undefined) out.min = min;
    if (max !== undefined) out.max = max;
    if (step !== undefined) {
      if (step <= 0) this.problem(`${path}.specs.step`, 'step must be positive');
      else out.step = step;
    }
    if (min !== undefined && max !== undefined && min > max) this.problem(`${path}.specs`, `min ${min} is above max ${max}`);
    if (type === 'int' && ((min !== undefined && !Number.isInteger(min)) || (max !== undefined && !Number.isInteger(max)))) {
      this.problem(`${path}.specs`, 'int bounds must be integers');
    }
    if (typeof s.unit === 'string') out.unit = s.unit;
    if (typeof s.unitName === 'string') out.unitName = s.unitName;
    return out;
  }

  /** bool, enum: integer keys → labels. */
  #labels(path: string, type: 'bool' | 'enum', specs: Json | undefined): Record<string, string> {
    const s = isObject(specs) ? specs : {};
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(s)) {
      if (!/^-?\d+$/.test(k)) this.problem(`${path}.specs.${k}`, `${type} keys must be integers`);
      labels[k] = String(v);
    }
    if (type === 'bool') {
      for (const k of Object.keys(labels)) if (k !== '0' && k !== '1') this.problem(`${path}.specs.${k}`, 'bool keys are 0 and 1');
    } else if (Object.keys(labels).length === 0) {
      this.problem(`${path}.specs`, 'enum needs at least one item');
    }
    return labels;
  }

  dataType(path: string, raw: Json): DataType | undefined {
    if (!isObject(raw)) {
      this.problem(path, 'dataType must be an object');
      return undefined;
    }
    const type = raw.type;
    const specs = raw.specs;
    switch (type) {
      case 'int':
      case 'float':
      case 'double':
        return { type, specs: this.#numberSpecs(path, type, specs) };
      case 'text': {
        const s = isObject(specs) ? specs : {};
        const length = this.num(`${path}.specs.length`, s.length) ?? MAX_TEXT_LENGTH;
        if (!Number.isInteger(length) || length < 1 || length > MAX_TEXT_LENGTH) {
          this.problem(`${path}.specs.length`, `text length must be an integer 1..${MAX_TEXT_LENGTH}`);
        }
        return { type, specs: { length: Math.min(Math.max(1, Math.trunc(length)), MAX_TEXT_LENGTH) } };
      }
      case 'date':
        return { type, specs: {} };
      case 'bool':
      case 'enum':
        return { type, specs: this.#labels(path, type, specs) };
      case 'struct': {
        if (!Array.isArray(specs)) {
          this.problem(`${path}.specs`, 'struct specs must be an array of members');
          return undefined;
        }
        const members = this.params(`${path}.specs`, specs, { allowNested: false });
        return { type, specs: members };
      }
      case 'array': {
        const s = isObject(specs) ? specs : {};
        const size = this.num(`${path}.specs.size`, s.size) ?? MAX_ARRAY_SIZE;
        if (!Number.isInteger(size) || size < 1 || size > MAX_ARRAY_SIZE) {
          this.problem(`${path}.specs.size`, `array size must be an integer 1..${MAX_ARRAY_SIZE}`);
        }
        const itemRaw = s.item;
        if (!isObject(itemRaw) || typeof itemRaw.type !== 'string' || !ARRAY_ITEM_TYPES.has(itemRaw.type)) {
          this.problem(`${path}.specs.item`, 'array item type must be one of int, float, double, text, struct');
          return undefined;
        }
        const item = this.dataType(`${path}.specs.item`, itemRaw);
        if (!item) return undefined;
        return { type, specs: { size: Math.min(Math.max(1, Math.trunc(size)), MAX_ARRAY_SIZE), item } };
      }
      default:
        this.problem(
          `${path}.type`,
          `unknown data type ${JSON.stringify(type)} (int, float, double, text, date, bool, enum, struct, array)`,
        );
        return undefined;
    }
  }

  params(path: string, raw: Json[], opts: { allowNested: boolean }): Param[] {
    const out: Param[] = [];
    const seen = new Set<string>();
    raw.forEach((p, i) => {
      const param = this.param(`${path}[${i}]`, p, opts);
      if (!param) return;
      if (seen.has(param.identifier)) this.problem(`${path}[${i}]`, `duplicate identifier ${param.identifier}`);
      seen.add(param.identifier);
      out.push(param);
    });
    return out;
  }

  param(at: string, p: Json, opts: { allowNested: boolean }): Param | undefined {
    if (!isObject(p) || typeof p.identifier !== 'string' || p.identifier === '') {
      this.problem(at, 'member needs an identifier');
      return undefined;
    }
    const dataType = this.dataType(`${at}.dataType`, p.dataType);
    if (!dataType) return undefined;
    // A struct may hold the seven scalar types only (seed 001 L16580).
    if (!opts.allowNested && (dataType.type === 'struct' || dataType.type === 'array')) {
      this.problem(`${at}.dataType`, 'a struct member cannot be a struct or an array');
      return undefined;
    }
    return { identifier: p.identifier, name: typeof p.name === 'string' ? p.name : p.identifier, dataType };
  }
}

/** Parse and check a TSL JSON document (object or JSON string). Throws EDGE_ERR_TSL_INVALID listing every problem. */
export function parseThingModel(input: unknown, fallbackProductKey?: string): ThingModel {
  const doc: Json = typeof input === 'string' ? JSON.parse(input) : input;
  const r = new TslReader();
  if (!isObject(doc)) throw edgeError('EDGE_ERR_TSL_INVALID', fallbackProductKey ?? '?', 'not an object');
  const profile = isObject(doc.profile) ? doc.profile : {};
  const productKey = typeof profile.productKey === 'string' ? profile.productKey : fallbackProductKey;
  if (!productKey) r.problem('profile.productKey', 'missing');

  const properties = new Map<string, Property>();
  const propsRaw = Array.isArray(doc.properties) ? doc.properties : [];
  for (const [i, p] of propsRaw.entries()) {
    const at = `properties[${i}]`;
    const param = r.param(at, p, { allowNested: true });
    if (!param || !isObject(p)) continue;
    if (properties.has(param.identifier)) r.problem(at, `duplicate property ${param.identifier}`);
    const accessMode = p.accessMode === 'r' ? 'r' : 'rw';
    if (p.accessMode !== undefined && p.accessMode !== 'r' && p.accessMode !== 'rw') r.problem(`${at}.accessMode`, 'must be "r" or "rw"');
    properties.set(param.identifier, {
      ...param,
      accessMode,
      required: p.required === true,
      ...(typeof p.desc === 'string' ? { desc: p.desc } : {}),
    });
  }

  const events = new Map<string, ThingEvent>();
  for (const [i, e] of (Array.isArray(doc.events) ? doc.events : []).entries()) {
    const at = `events[${i}]`;
    if (!isObject(e) || typeof e.identifier !== 'string') {
      r.problem(at, 'event needs an identifier');
      continue;
    }
    const type = e.type === 'alert' || e.type === 'error' ? e.type : 'info';
    const outputData = r.params(`${at}.outputData`, Array.isArray(e.outputData) ? e.outputData : [], { allowNested: true });
    events.set(e.identifier, {
      identifier: e.identifier,
      name: typeof e.name === 'string' ? e.name : e.identifier,
      type,
      method: typeof e.method === 'string' ? e.method : `thing.event.${e.identifier}.post`,
      outputData,
    });
  }

  const services = new Map<string, Service>();
  for (const [i, s] of (Array.isArray(doc.services) ? doc.services : []).entries()) {
    const at = `services[${i}]`;
    if (!isObject(s) || typeof s.identifier !== 'string') {
      r.problem(at, 'service needs an identifier');
      continue;
    }
    // The built-in `get` service lists property identifiers as plain strings (seed 001 L17881).
    const inputRaw = Array.isArray(s.inputData) ? s.inputData.filter((x) => typeof x !== 'string') : [];
    services.set(s.identifier, {
      identifier: s.identifier,
      name: typeof s.name === 'string' ? s.name : s.identifier,
      callType: s.callType === 'sync' ? 'sync' : 'async',
      method: typeof s.method === 'string' ? s.method : `thing.service.${s.identifier}`,
      inputData: r.params(`${at}.inputData`, inputRaw, { allowNested: true }),
      outputData: r.params(`${at}.outputData`, Array.isArray(s.outputData) ? s.outputData : [], { allowNested: true }),
    });
  }

  if (r.problems.length > 0) throw edgeError('EDGE_ERR_TSL_INVALID', productKey ?? '?', r.problems.join('; '));
  return { productKey: productKey as string, properties, events, services };
}

/** The thing model as plain JSON (the TSL keeps members in Maps): for the console and for comparing two versions. */
export function tslJson(tsl: ThingModel): { productKey: string; properties: Property[]; events: ThingEvent[]; services: Service[] } {
  return {
    productKey: tsl.productKey,
    properties: [...tsl.properties.values()],
    events: [...tsl.events.values()],
    services: [...tsl.services.values()],
  };
}
