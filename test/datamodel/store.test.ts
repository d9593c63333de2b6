/** Records in the box database: validation at the boundary, ids, queries and retention. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataModelError } from '../../edge/datamodel/codes.js';
import { checkModelId, checkProperties } from '../../edge/datamodel/properties.js';
import { parseQuery } from '../../edge/datamodel/query.js';
import { RecordStore } from '../../edge/datamodel/records.js';
import { openDatabase, type Db } from '../../edge/store/db.js';

const code = (fn: () => unknown): number | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof DataModelError ? err.code : -1;
  }
  return undefined;
};

describe('properties and model ids', () => {
  it('takes a JSON object and gives back its JSON text', () => {
    const p = checkProperties({ plateNumber: '浙A5C393', direction: 0, nested: { a: [1, 2] } }, 1024);
    expect(JSON.parse(p.json)).toEqual({ plateNumber: '浙A5C393', direction: 0, nested: { a: [1, 2] } });
  });

  it('refuses what is not an object, empty, too large or too deep', () => {
    expect(code(() => checkProperties(undefined, 1024))).toBe(460);
    expect(code(() => checkProperties(null, 1024))).toBe(460);
    expect(code(() => checkProperties([1], 1024))).toBe(460);
    expect(code(() => checkProperties('x', 1024))).toBe(460);
    expect(code(() => checkProperties({}, 1024))).toBe(460);
    expect(code(() => checkProperties({ a: 'x'.repeat(2000) }, 1024))).toBe(413);
    let deep: Record<string, unknown> = { v: 1 };
    for (let i = 0; i < 10; i++) deep = { d: deep };
    expect(code(() => checkProperties(deep, 1 << 20))).toBe(460);
  });

  it('refuses prototype-pollution keys at any depth, as JSON.parse makes them', () => {
    for (const text of ['{"__proto__":{"x":1}}', '{"a":{"constructor":{"prototype":{"x":1}}}}', '{"a":[{"prototype":1}]}']) {
      expect(code(() => checkProperties(JSON.parse(text), 1024))).toBe(460);
    }
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('takes identifier model ids only', () => {
    expect(checkModelId('iot_park_pass_record')).toBe('iot_park_pass_record');
    for (const bad of ['', '../x', 'a b', '1abc', 'x'.repeat(65), 7, undefined]) expect(code(() => checkModelId(bad))).toBe(460);
  });
});

describe('record store', () => {
  let dir: string;
  let db: Db;
  let store: RecordStore;
  const put = (modelId: string, props: Record<string, unknown>, createdAt = 1000): number =>
    db.transaction(() => store.insert({ modelId, app: 'a', json: JSON.stringify(props), createdAt, queued: false }))();

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pe-dm-store-'));
    db = openDatabase(join(dir, 'edge.db'));
    store = new RecordStore(db, { retentionMs: 10_000, maxRecords: 1000, maxBytes: 1 << 20 });
  });

  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives increasing data ids that are never reused, even after the newest record was removed', () => {
    const a = put('m', { v: 1 });
    const b = put('m', { v: 2 });
    expect(b).toBeGreaterThan(a);
    db.prepare('DELETE FROM datamodel_records WHERE data_id = ?').run(b);
    expect(put('m', { v: 3 })).toBeGreaterThan(b);
  });

  it('queries by model and property conditions, paged, newest first by default', () => {
    for (let i = 1; i <= 30; i++) put('iot_park_pass_record', { direction: i % 2, plateNumber: `P${i}`, amount: i * 1.5, ok: i > 25 });
    put('other', { direction: 1 });
    const q = (params: Record<string, unknown>) => {
      const parsed = parseQuery({ modelId: 'iot_park_pass_record', ...params });
      if (parsed.kind !== 'conditions') throw new Error('expected conditions');
      return store.query(parsed);
    };
    const page = q({ conditions: [{ fieldName: 'direction', operate: 'eq', value: 1 }], pageSize: 10 });
    expect(page.total).toBe(15);
    expect(page.items).toHaveLength(10);
    expect(page.hasNext).toBe(true);
    expect(page.items[0]!.properties.plateNumber).toBe('P29');
    const second = q({ conditions: [{ fieldName: 'direction', operate: 'eq', value: 1 }], pageSize: 10, pageNum: 2 });
    expect(second.items).toHaveLength(5);
    expect(second.hasNext).toBe(false);
    expect(
      q({ conditions: [{ fieldName: 'amount', operate: 'bt', value: 3, value1: 6 }], order: 'asc' }).items.map(
        (r) => r.properties.plateNumber,
      ),
    ).toEqual(['P2', 'P3', 'P4']);
    expect(q({ conditions: [{ fieldName: 'plateNumber', operate: 'in', value: ['P7', 'P9', 'nope'] }] }).total).toBe(2);
    expect(q({ conditions: [{ fieldName: 'amount', operate: 'mt', value: 42 }] }).total).toBe(2);
    expect(q({ conditions: [{ fieldName: 'ok', operate: 'eq', value: true }] }).total).toBe(5);
    expect(q({ conditions: [{ fieldName: 'id', operate: 'lteq', value: 3 }] }).total).toBe(3);
  });

  it('refuses malformed queries with 460, and nothing of them reaches the SQL text', () => {
    const bad = [
      { modelId: 'm', conditions: [{ fieldName: "a') OR 1=1 --", value: 1 }] },
      { modelId: 'm', conditions: [{ fieldName: 'a', operate: 'like', value: 1 }] },
      { modelId: 'm', conditions: [{ fieldName: 'a', value: { $gt: 1 } }] },
      { modelId: 'm', conditions: 'x' },
      { modelId: 'm', pageSize: 201 },
      { modelId: 'm', pageNum: 0 },
      { dataId: -1 },
      { dataId: 'x' },
      {},
    ];
    for (const params of bad)
      expect(
        code(() => parseQuery(params)),
        JSON.stringify(params),
      ).toBe(460);
  });

  it('keeps to its budget: age, count and bytes, the oldest first', () => {
    for (let i = 0; i < 5; i++) put('m', { i }, 1000 + i);
    expect(store.prune(11_002)).toBe(2); // created before 1002: older than 10 s
    expect(store.count).toBe(3);
    const small = new RecordStore(db, { retentionMs: 1e12, maxRecords: 2, maxBytes: 1 << 20 });
    expect(small.prune(0)).toBe(1);
    expect(small.count).toBe(2);
    const ids = (db.prepare('SELECT data_id FROM datamodel_records ORDER BY data_id').all() as Array<{ data_id: number }>).map(
      (r) => r.data_id,
    );
    expect(ids).toEqual([4, 5]);
    const byBytes = new RecordStore(db, { retentionMs: 1e12, maxRecords: 100, maxBytes: 8 });
    expect(byBytes.bytes).toBe(14);
    expect(byBytes.prune(0)).toBe(1);
    expect(byBytes.bytes).toBe(7);
  });
});
