/**
 * The query parameters of `/data/model/data/query`, checked, and the SQL they become. Conditions
 * follow the platform's query API: `{fieldName, operate, value, value1}` with the operators
 * eq, neq, lt, lteq, mt, mteq, bt (value..value1), in (a list) [Alibaba IoT data-model API,
 * doc 140317]; `id` and `gmt_create` name the system fields (data id, creation time ms), any other
 * field a top-level property. Field names are identifiers and every value is bound, so nothing
 * of the request reaches the SQL text.
 */
import { dmError } from './codes.js';
import { checkModelId, FIELD_PATTERN } from './properties.js';

export const MAX_PAGE_SIZE = 200;
const MAX_CONDITIONS = 16;
const MAX_IN = 100;

type Scalar = string | number;
const OPS = { eq: '=', neq: '!=', lt: '<', lteq: '<=', mt: '>', mteq: '>=' } as const;

export type Condition =
  | { field: string; op: keyof typeof OPS; value: Scalar }
  | { field: string; op: 'bt'; value: Scalar; value1: Scalar }
  | { field: string; op: 'in'; values: Scalar[] };

export type RecordQuery =
  | { kind: 'byId'; dataId: number }
  | { kind: 'conditions'; modelId: string; conditions: Condition[]; pageNum: number; pageSize: number; desc: boolean };

function scalar(v: unknown, what: string): Scalar {
  if (typeof v === 'boolean') return v ? 1 : 0; // JSON true/false are stored as 1/0 by SQLite's json_extract
  if (typeof v === 'string' && Buffer.byteLength(v) <= 1024) return v;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  throw dmError('param', `${what} must be a string (at most 1024 bytes), a finite number or a boolean`);
}

export function checkDataId(raw: unknown): number {
  const n = typeof raw === 'string' && /^\d{1,16}$/.test(raw) ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) throw dmError('param', 'dataId must be a positive integer');
  return n;
}

function whole(raw: unknown, name: string, def: number, min: number, max: number): number {
  if (raw === undefined || raw === null) return def;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < min || raw > max)
    throw dmError('param', `${name} must be a whole number in [${min}, ${max}]`);
  return raw;
}

export function parseQuery(params: Record<string, unknown>): RecordQuery {
  const id = params.dataId ?? params.id;
  if (id !== undefined) return { kind: 'byId', dataId: checkDataId(id) };
  const modelId = checkModelId(params.modelId);
  const raw = params.conditions ?? [];
  if (!Array.isArray(raw) || raw.length > MAX_CONDITIONS) throw dmError('param', `conditions must be a list of at most ${MAX_CONDITIONS}`);
  const conditions = raw.map((c, i) => parseCondition(c, `conditions[${i}]`));
  const order = params.order ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw dmError('param', 'order must be asc or desc');
  return {
    kind: 'conditions',
    modelId,
    conditions,
    pageNum: whole(params.pageNum, 'pageNum', 1, 1, 1_000_000),
    pageSize: whole(params.pageSize, 'pageSize', 20, 1, MAX_PAGE_SIZE),
    desc: order === 'desc',
  };
}

function parseCondition(raw: unknown, at: string): Condition {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw dmError('param', `${at} must be an object`);
  const c = raw as Record<string, unknown>;
  const field = c.fieldName;
  if (typeof field !== 'string' || !FIELD_PATTERN.test(field)) throw dmError('param', `${at}.fieldName must be an identifier`);
  const op = c.operate ?? 'eq';
  if (op === 'bt') return { field, op, value: scalar(c.value, `${at}.value`), value1: scalar(c.value1, `${at}.value1`) };
  if (op === 'in') {
    if (!Array.isArray(c.value) || c.value.length === 0 || c.value.length > MAX_IN)
      throw dmError('param', `${at}.value must be a list of 1 to ${MAX_IN} values for in`);
    return { field, op, values: c.value.map((v, i) => scalar(v, `${at}.value[${i}]`)) };
  }
  if (typeof op !== 'string' || !Object.hasOwn(OPS, op))
    throw dmError('param', `${at}.operate must be one of eq, neq, lt, lteq, mt, mteq, bt, in`);
  return { field, op: op as keyof typeof OPS, value: scalar(c.value, `${at}.value`) };
}

/** The WHERE clause (after `model_id = ?`) and its bound values. */
export function conditionSql(conditions: readonly Condition[]): { sql: string; args: Scalar[] } {
  const parts: string[] = [];
  const args: Scalar[] = [];
  for (const c of conditions) {
    let column: string;
    if (c.field === 'id') column = 'data_id';
    else if (c.field === 'gmt_create') column = 'created_at';
    else {
      column = 'json_extract(properties, ?)';
      args.push(`$.${c.field}`);
    }
    if (c.op === 'bt') {
      parts.push(`${column} BETWEEN ? AND ?`);
      args.push(c.value, c.value1);
    } else if (c.op === 'in') {
      parts.push(`${column} IN (${c.values.map(() => '?').join(', ')})`);
      args.push(...c.values);
    } else {
      parts.push(`${column} ${OPS[c.op]} ?`);
      args.push(c.value);
    }
  }
  return { sql: parts.map((p) => ` AND ${p}`).join(''), args };
}
