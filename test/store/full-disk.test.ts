/**
 * A database that cannot grow (SQLite's SQLITE_FULL, what a full disk gives it; here made with
 * `max_page_count`): the outbox and the pass records hold their data in memory, keep order and
 * ids, bound what they hold, write everything once there is room again, and the store's write
 * health reports one episode. The whole daemon on a really full filesystem is in
 * test/runtime/full-disk.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Outbox, type OutboxInput } from '../../edge/cloud/outbox/outbox.js';
import { silentLogger } from '../../edge/log.js';
import { openDatabase, type Db } from '../../edge/store/db.js';
import type { EdgeError } from '../../edge/errors.js';
import { isStorageFailure, writeHealthOf, type WriteHealthListener } from '../../edge/store/write-health.js';
import { makeCore } from '../access/helpers.js';
import { waitFor } from '../helpers/runtime.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function open(): Db {
  const d = mkdtempSync(join(tmpdir(), 'pe-full-'));
  dirs.push(d);
  return openDatabase(join(d, 'edge.db'));
}
/** No new page: every write that needs room fails with SQLITE_FULL, as on a full disk. */
const fill = (db: Db): void => void db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
const makeRoom = (db: Db): void => void db.pragma('max_page_count = 1073741823');

const msg = (dn: string, cls: OutboxInput['class'] = 'property'): OutboxInput => ({
  productKey: 'pk',
  deviceName: dn,
  class: cls,
  topic: `/sys/pk/${dn}/thing/event/property/post`,
  payload: (id) => JSON.stringify({ id, pad: 'x'.repeat(500) }),
});

function changes(db: Db): Parameters<WriteHealthListener>[0][] {
  const seen: Parameters<WriteHealthListener>[0][] = [];
  writeHealthOf(db).onChange((c) => seen.push(c));
  return seen;
}

describe('a full disk', () => {
  it('is recognised from SQLite and OS error codes', () => {
    expect(isStorageFailure(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }))).toBe(true);
    expect(isStorageFailure(Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' }))).toBe(true);
    expect(isStorageFailure(Object.assign(new Error('no space left'), { code: 'ENOSPC' }))).toBe(true);
    expect(isStorageFailure(Object.assign(new Error('UNIQUE constraint failed'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }))).toBe(false);
    expect(isStorageFailure(new TypeError('x is undefined'))).toBe(false);
  });

  it('outbox: messages wait in memory in order, then are written with gap-free ids; one episode is reported', async () => {
    const db = open();
    const ob = new Outbox({ db, log: silentLogger() }, { quotaBytes: 1e9 });
    const seen = changes(db);
    for (let i = 0; i < 3; i++) ob.enqueue(msg('a'));
    ob.flush();
    fill(db);
    for (let i = 0; i < 100; i++) {
      ob.enqueue(msg('a'));
      ob.enqueue(msg('b'));
    }
    expect(() => ob.flush()).not.toThrow();
    expect(ob.held).toBe(200);
    expect(ob.depth).toBe(3); // the failed transaction's rows are not counted
    expect(writeHealthOf(db).state()).toMatchObject({ writable: false, area: 'cloud outbox' });
    ob.enqueue(msg('a')); // more while full: held, no write attempt per message
    expect(ob.held).toBe(201);
    makeRoom(db);
    await waitFor(() => ob.held === 0, 3000);
    expect(ob.depth).toBe(204);
    const rows = ob.after(0, 1000);
    expect(rows.filter((r) => r.device === 'pk/a').map((r) => Number(r.alinkId))).toEqual(Array.from({ length: 104 }, (_, i) => i + 1));
    expect(rows.filter((r) => r.device === 'pk/b').map((r) => Number(r.alinkId))).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    await waitFor(() => writeHealthOf(db).writable, 5000); // after 2 s without a failure
    expect(seen.map((c) => c.writable)).toEqual([false, true]);
    expect(writeHealthOf(db).state().failures).toBeGreaterThanOrEqual(1);
    db.close();
  });

  it('outbox: holds at most maxHeld, dropping the oldest telemetry first and counting the drops', async () => {
    const db = open();
    const ob = new Outbox({ db, log: silentLogger() }, { quotaBytes: 1e9, maxHeld: 100 });
    fill(db);
    for (let i = 0; i < 10; i++) ob.enqueue(msg('door', 'record'));
    ob.flush(); // fails: from now on messages are held
    for (let i = 0; i < 150; i++) ob.enqueue(msg('meter'));
    expect(ob.held).toBeLessThanOrEqual(100);
    makeRoom(db);
    await waitFor(() => ob.held === 0, 3000);
    const rows = ob.after(0, 1000);
    expect(rows.filter((r) => r.class === 'record')).toHaveLength(10); // records are never the first to go
    const dropped = ob.dropped().property;
    expect(dropped).toBeGreaterThan(0);
    expect(rows.filter((r) => r.class === 'property').length + dropped).toBe(150);
    // The newest telemetry is what stays.
    expect(JSON.parse(rows.at(-1)!.payload).id).toBe(rows.at(-1)!.alinkId);
    db.close();
  });

  it('pass records: a pass that cannot be committed is refused busy, nothing half-written; passes record again once there is room', async () => {
    const t = makeCore();
    try {
      const count = () => t.db.prepare('SELECT COUNT(*) FROM access_pass_records').pluck().get() as number;
      const rec = (i: number) =>
        t.core.records.record({
          deviceKey: 'pk/door1',
          kind: 'tradCard',
          content: `card-${i}`,
          code: 0,
          message: 'success',
          time: 1_700_000_000_000 + i,
          identityId: `p${i}`,
        });
      const before = count();
      fill(t.db);
      const outcomes: Array<'stored' | 'busy'> = [];
      for (let i = 0; i < 300; i++) {
        try {
          rec(i);
          outcomes.push('stored');
        } catch (err) {
          expect((err as EdgeError).code).toBe('EDGE_ERR_STORE_UNAVAILABLE');
          outcomes.push('busy');
        }
      }
      // What fitted in free pages is committed; every other pass was answered busy, none is held.
      const stored = outcomes.filter((o) => o === 'stored').length;
      expect(outcomes).toContain('busy');
      expect(count()).toBe(before + stored);
      expect(writeHealthOf(t.db).writable).toBe(false);
      makeRoom(t.db);
      const after = rec(1000);
      expect(after.passId).toMatch(/^[0-9a-f-]{36}$/);
      expect(count()).toBe(before + stored + 1);
      // Every committed record has its one id and its outbox row, written in the same transaction.
      const ids = t.db
        .prepare('SELECT pass_id FROM access_pass_records WHERE content LIKE ? ORDER BY id')
        .pluck()
        .all('card-%') as string[];
      expect(new Set(ids).size).toBe(ids.length);
      expect(t.db.prepare('SELECT COUNT(*) FROM access_pass_records WHERE content LIKE ? AND uploaded = 1').pluck().get('card-%')).toBe(
        ids.length,
      );
      await waitFor(() => writeHealthOf(t.db).writable, 5000);
    } finally {
      t.close();
    }
  });
});
