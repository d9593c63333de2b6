/** Topology bookkeeping without a broker: batch limits, ownership, hostile and failing replies. */
import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import type { AlinkReply } from '../../edge/cloud/alink/messages.js';
import { parseCloudConfig } from '../../edge/cloud/config.js';
import { cloudMigrations } from '../../edge/cloud/outbox/schema.js';
import { ReplyTracker } from '../../edge/cloud/replies.js';
import { Topology, TOPO_DELETE_BATCH } from '../../edge/cloud/topology.js';
import { silentLogger } from '../../edge/log.js';
import { migrate, openDatabase, type Db } from '../../edge/store/db.js';

const cfg = parseCloudConfig({ productKey: 'GW', deviceName: 'box', deviceSecret: 's', url: 'mqtt://127.0.0.1:1' });
type Answer = (method: string, params: unknown) => AlinkReply | undefined;

function rig(answer: Answer, db: Db = freshDb()) {
  const replies = new ReplyTracker({ timeoutMs: 300 });
  replies.start();
  const sent: Array<{ topic: string; method: string; params: unknown }> = [];
  let id = 0;
  const client = {
    publish(topic: string, payload: string) {
      const body = JSON.parse(payload) as { id: string; method: string; params: unknown };
      sent.push({ topic, method: body.method, params: body.params });
      const r = answer(body.method, body.params);
      const path = topic.split('/').slice(4).join('/');
      if (r) setImmediate(() => replies.settle(`GW/box|${path}|${body.id}`, { ...r, id: body.id }));
    },
  } as unknown as MqttClient;
  const topology = new Topology({ db, log: silentLogger(), replies, nextId: () => String(++id) }, cfg);
  return { topology, client, sent, replies, db };
}

function freshDb(): Db {
  const db = openDatabase(':memory:');
  migrate(db, 'cloud', cloudMigrations);
  return db;
}

const dev = (i: number) => ({ productKey: 'PK', deviceName: `d${i}`, deviceSecret: `sec${i}` });
const refs = (params: unknown) =>
  (params as Array<{ productKey: string; deviceName: string }>).map((d) => ({ productKey: d.productKey, deviceName: d.deviceName }));

describe('Topology', () => {
  it('detaches only owned devices, at most 30 per topo/delete, and forgets them on success', async () => {
    const { topology, client, sent, replies } = rig((method, params) => ({
      id: '',
      code: 200,
      data: method === 'thing.topo.get' ? [] : refs(params),
    }));
    await topology.add(
      client,
      Array.from({ length: 65 }, (_, i) => dev(i)),
    );
    expect(sent.filter((s) => s.method === 'thing.topo.add').map((s) => (s.params as unknown[]).length)).toEqual([30, 30, 5]);
    expect(topology.owned()).toHaveLength(65);
    const stranger = { productKey: 'PK', deviceName: 'not-mine' };
    const done = await topology.remove(client, [...Array.from({ length: 65 }, (_, i) => dev(i)), stranger]);
    const deletes = sent.filter((s) => s.method === 'thing.topo.delete');
    expect(deletes.map((s) => (s.params as unknown[]).length)).toEqual([30, 30, 5]);
    expect(deletes.every((s) => s.topic === '/sys/GW/box/thing/topo/delete')).toBe(true);
    expect(deletes.flatMap((s) => refs(s.params)).some((d) => d.deviceName === 'not-mine')).toBe(false);
    expect(deletes[0]!.params).toEqual([
      { productKey: 'PK', deviceName: 'd0' },
      ...Array.from({ length: 29 }, (_, i) => ({ productKey: 'PK', deviceName: `d${i + 1}` })),
    ]);
    expect(done).toHaveLength(65);
    expect(topology.owned()).toEqual([]);
    expect(TOPO_DELETE_BATCH).toBe(30);
    replies.stop();
  });

  it('keeps ownership across a restart (SQLite) and after a failed delete, asks one by one on 6100', async () => {
    const db = freshDb();
    const first = rig((_m, params) => ({ id: '', code: 200, data: refs(params) }), db);
    await first.topology.add(first.client, [dev(1), dev(2), dev(3)]);
    first.replies.stop();

    // A platform that times out: nothing is disowned, the next connect tries again.
    const silent = rig(() => undefined, db);
    expect(silent.topology.owned().sort()).toEqual(['PK/d1', 'PK/d2', 'PK/d3']);
    expect(await silent.topology.remove(silent.client, [dev(1), dev(2), dev(3)])).toEqual([]);
    expect(silent.topology.owned()).toHaveLength(3);
    silent.replies.stop();

    // d2 is unknown to the platform: the batch fails with 6100, each is asked alone.
    const picky = rig(
      (_m, params) =>
        refs(params).some((d) => d.deviceName === 'd2')
          ? { id: '', code: 6100, message: 'device not found' }
          : { id: '', code: 200, data: refs(params) },
      db,
    );
    const done = await picky.topology.remove(picky.client, [dev(1), dev(2), dev(3)]);
    expect(done.sort()).toEqual(['PK/d1', 'PK/d2', 'PK/d3']);
    expect(picky.sent.map((s) => refs(s.params).length)).toEqual([3, 1, 1, 1]);
    expect(picky.topology.owned()).toEqual([]);
    picky.replies.stop();
  });

  it('takes topo/get as the truth, skips malformed entries, and keeps what it knew when there is no answer', async () => {
    const db = freshDb();
    const listing = [
      { productKey: 'PK', deviceName: 'd1' },
      null,
      7,
      { productKey: 'PK' },
      { productKey: '', deviceName: 'x' },
      { productKey: 'PK', deviceName: 'd9' },
    ];
    const a = rig((m, params) => ({ id: '', code: 200, data: m === 'thing.topo.get' ? listing : refs(params) }), db);
    await a.topology.add(a.client, [dev(1), dev(2)]);
    expect(a.topology.owned().sort()).toEqual(['PK/d1', 'PK/d2']);
    const listed = await a.topology.fetch(a.client);
    expect([...listed!].sort()).toEqual(['PK/d1', 'PK/d9']);
    expect(a.topology.isAttached('PK', 'd1')).toBe(true);
    expect(a.topology.isAttached('PK', 'd2')).toBe(false);
    // d2 owned but no longer listed: removed on the platform, nothing left to detach. d9 is not ours.
    expect(a.topology.owned()).toEqual(['PK/d1']);
    a.replies.stop();

    const b = rig((m) => (m === 'thing.topo.get' ? { id: '', code: 200, data: 'not a list' } : undefined), db);
    expect(await b.topology.fetch(b.client)).toBeUndefined();
    expect(b.topology.owned()).toEqual(['PK/d1']);
    b.topology.removedByPlatform('PK', 'd1');
    expect(b.topology.owned()).toEqual([]);
    b.replies.stop();
  });
});
