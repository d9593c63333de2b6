/** The outbox on a real SQLite file: stable gap-free ids, one-transaction API, quota policy, acknowledgement. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Outbox, type OutboxInput } from '../../edge/cloud/outbox/outbox.js';
import { silentLogger } from '../../edge/log.js';
import { openDatabase, type Db } from '../../edge/store/db.js';

const dirs: string[] = [];
function open(dir?: string): { db: Db; dir: string } {
  const d = dir ?? mkdtempSync(join(tmpdir(), 'pe-outbox-'));
  if (!dir) dirs.push(d);
  return { db: openDatabase(join(d, 'edge.db')), dir: d };
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const msg = (dn: string, cls: OutboxInput['class'] = 'property', size = 10): OutboxInput => ({
  productKey: 'pk',
  deviceName: dn,
  class: cls,
  topic: `/sys/pk/${dn}/thing/event/property/post`,
  payload: (id) => JSON.stringify({ id, pad: 'x'.repeat(size) }),
});

describe('outbox', () => {
  it('allocates gap-free ids per device that survive a reopen, and keeps send order', () => {
    const { db, dir } = open();
    const ob = new Outbox({ db, log: silentLogger() }, { quotaBytes: 1e9 });
    expect(ob.oldestQueuedAt()).toBeUndefined();
    const before = Date.now();
    for (let i = 0; i < 5; i++) {
      ob.enqueue(msg('a'));
      ob.enqueue(msg('b'));
    }
    ob.flush();
    expect(ob.oldestQueuedAt()).toBeGreaterThanOrEqual(before);
    const rows = ob.after(0, 100);
    expect(rows.filter((r) => r.device === 'pk/a').map((r) => r.alinkId)).toEqual(['1', '2', '3', '4', '5']);
    expect(rows.map((r) => r.seq)).toEqual([...rows.map((r) => r.seq)].sort((x, y) => x - y));
    expect(JSON.parse(rows[0]!.payload).id).toBe(rows[0]!.alinkId);
    ob.acknowledge(rows.slice(0, 4));
    db.close();
    const again = open(dir);
    const ob2 = new Outbox({ db: again.db, log: silentLogger() }, { quotaBytes: 1e9 });
    expect(ob2.depth).toBe(6);
    expect(ob2.after(0, 100).map((r) => r.alinkId)).toEqual(rows.slice(4).map((r) => r.alinkId));
    ob2.enqueue(msg('a'));
    ob2.flush();
    expect(ob2.after(0, 100).at(-1)!.alinkId).toBe('6'); // never reused after a restart
    again.db.close();
  });

  it('writes a record and its upload in one transaction: both or neither', () => {
    const { db } = open();
    const ob = new Outbox({ db, log: silentLogger() }, { quotaBytes: 1e9 });
    db.exec('CREATE TABLE pass_records (id INTEGER PRIMARY KEY, who TEXT)');
    const insert = db.prepare('INSERT INTO pass_records (who) VALUES (?)');
    const write = db.transaction((who: string, fail: boolean) => {
      insert.run(who);
      ob.enqueueInTransaction(msg('door', 'record'));
      if (fail) throw new Error('boom');
    });
    write('alice', false);
    expect(() => write('bob', true)).toThrow('boom');
    expect((db.prepare('SELECT count(*) AS n FROM pass_records').get() as { n: number }).n).toBe(1);
    expect(db.prepare('SELECT count(*) AS n FROM cloud_outbox').get()).toEqual({ n: 1 });
    expect(() => ob.enqueueInTransaction(msg('door', 'record'))).toThrow(/inside db.transaction/);
    db.close();
  });

  it('when full drops the oldest properties first, then events, records last, and counts them', () => {
    const { db } = open();
    const ob = new Outbox({ db, log: silentLogger() }, { quotaBytes: 10_000 });
    for (let i = 0; i < 20; i++) ob.enqueue(msg('r', 'record', 100));
    for (let i = 0; i < 20; i++) ob.enqueue(msg('e', 'event', 100));
    for (let i = 0; i < 40; i++) ob.enqueue(msg('p', 'property', 100));
    ob.flush();
    expect(ob.bytes).toBeLessThanOrEqual(10_000);
    let d = ob.dropped();
    expect(d.property).toBeGreaterThan(0);
    expect(d.event + d.record).toBe(0);
    const left = ob.after(0, 1000);
    expect(left.filter((r) => r.class === 'record')).toHaveLength(20);
    // The newest property messages are the ones kept.
    const keptIds = left.filter((r) => r.class === 'property').map((r) => Number(r.alinkId));
    expect(Math.max(...keptIds)).toBe(40);
    for (let i = 0; i < 80; i++) ob.enqueue(msg('r2', 'record', 100));
    ob.flush();
    d = ob.dropped();
    expect(d.event).toBe(20);
    expect(d.record).toBeGreaterThan(0);
    expect(ob.bytes).toBeLessThanOrEqual(10_000);
    ob.clearDropped(d);
    expect(ob.dropped()).toMatchObject({ property: 0, event: 0, record: 0 });
    db.close();
  });
});
