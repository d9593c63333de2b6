/**
 * The console's access page API (issue 22 item 6): persons found by name or part of their id,
 * cards masked with the doors that hold them, faces as thumbnails; pass records with the
 * person's name, filtered by a door's alias, exported as CSV; a retry says how much it queued.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsoleBox, type ConsoleBox } from './box.js';
import { ConsoleClient } from './client.js';

const PASSWORD = 'Access-Page-Pass-3';
const METER = 'PEDemoMeter/meter-01'; // alias 一号楼电表 (test/console/box.ts)
const OTHER = 'PEDemoMeter/meter-02'; // alias 二号楼电表

describe('console access API', () => {
  let box: ConsoleBox;
  let c: ConsoleClient;
  beforeAll(async () => {
    box = await startConsoleBox();
    c = new ConsoleClient(box.runtime.http);
    expect((await c.setup(box.runtime.console!.setupToken!, PASSWORD)).statusCode).toBe(200);
    const access = box.runtime.access!;
    const end = String(Date.now() + 86_400_000);
    access.persons.upsert(
      [
        { identityId: 'zhang-0001', name: '张三' },
        { identityId: 'zhang-0002', name: '张小明' },
        { identityId: 'li-0003', name: '李四' },
        { identityId: 'pct_100%', name: 'Percent' },
      ],
      Date.now(),
    );
    access.applyPermissionText(
      METER,
      JSON.stringify({ tradCardPermissionList: [{ type: 1, cardId: '1234567890', userId: 'zhang-0001', endTime: end }] }),
    );
    access.applyPermissionText(
      OTHER,
      JSON.stringify({ tradCardPermissionList: [{ type: 1, cardId: '1234567890', userId: 'zhang-0001', endTime: end }] }),
    );
    access.applyFaceText(
      METER,
      JSON.stringify({
        groupId: 'g1',
        addFaceInfos: [
          {
            faceId: 'f1',
            faceMd5: '',
            faceUrl: '',
            userInfo: JSON.stringify({ userName: '张三', userId: 'zhang-0001' }),
            index: 1,
            clientTag: '',
          },
        ],
      }),
      { features: false },
    );
    const sha = 'a'.repeat(64);
    const thumb = access.images.path(sha, true);
    mkdirSync(dirname(thumb), { recursive: true });
    writeFileSync(
      thumb,
      await sharp({ create: { width: 8, height: 8, channels: 3, background: '#888' } })
        .jpeg()
        .toBuffer(),
    );
    access.faces.setImage('g1', 'f1', 'ready', sha, null);
    const now = Date.now();
    access.records.record({ deviceKey: METER, kind: 'tradCard', content: '1234567890', code: 0, message: 'success', time: now - 2000 });
    access.records.record({ deviceKey: OTHER, kind: 'tradCard', content: '999', code: 203, message: 'no card', time: now - 1000 });
  });
  afterAll(() => box?.close());

  it('finds persons by part of the name or id, wildcards taken literally', async () => {
    const byName = (await c.get(`/api/access/persons?q=${encodeURIComponent('张')}`)).json();
    expect(byName.total).toBe(2);
    expect(byName.persons.map((p: { identityId: string }) => p.identityId).sort()).toEqual(['zhang-0001', 'zhang-0002']);
    expect(byName.persons.find((p: { identityId: string }) => p.identityId === 'zhang-0001').credentials).toEqual({ tradCard: 2 });
    expect((await c.get('/api/access/persons?q=0003')).json().persons).toEqual([expect.objectContaining({ name: '李四' })]);
    expect((await c.get(`/api/access/persons?q=${encodeURIComponent('%')}`)).json().persons.map((p: { name: string }) => p.name)).toEqual([
      'Percent',
    ]);
    expect((await c.get('/api/access/persons?q=')).statusCode).toBe(400);
    expect((await c.get(`/api/access/persons?q=${'x'.repeat(65)}`)).statusCode).toBe(400);
  });

  it('shows one person with the card number masked, the doors holding it, and the face thumbnail', async () => {
    const p = (await c.get('/api/access/persons/zhang-0001')).json();
    expect(p.cards).toEqual([{ kind: 'tradCard', masked: '******7890', devices: [METER, OTHER] }]);
    expect(JSON.stringify(p)).not.toContain('1234567890');
    expect(p.faces).toEqual([{ groupId: 'g1', faceId: 'f1', state: 'ready', thumbUrl: `/api/access/faces/${'a'.repeat(64)}/thumb` }]);
    const img = await c.get(p.faces[0].thumbUrl);
    expect(img.headers['content-type']).toBe('image/jpeg');
    expect(img.rawPayload.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect((await c.get(`/api/access/faces/${'b'.repeat(64)}/thumb`)).statusCode).toBe(404);
    expect((await c.get('/api/access/faces/..%2F..%2Fedge.db/thumb')).statusCode).toBe(400);
  });

  it('lists pass records with the person, filtered by a door alias, and exports them as CSV', async () => {
    const all = (await c.get('/api/access/records')).json();
    expect(all.find((r: { device: string }) => r.device === METER)).toMatchObject({ personId: 'zhang-0001', personName: '张三' });
    const byAlias = (await c.get(`/api/access/records?device=${encodeURIComponent('一号楼')}`)).json();
    expect(byAlias.map((r: { device: string }) => r.device)).toEqual([METER]);
    expect((await c.get(`/api/access/records?device=${encodeURIComponent('电表')}`)).json()).toHaveLength(2);
    expect((await c.get('/api/access/records?device=nowhere')).json()).toEqual([]);
    const csv = await c.get(`/api/access/records.csv?device=${encodeURIComponent('电表')}`);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('time,device,alias,personId,personName,method,result');
    expect(lines).toHaveLength(3);
    expect(lines.some((l) => l.includes(`${METER},一号楼电表,zhang-0001,张三,tradCard,pass`))).toBe(true);
  });

  it('says how many items a retry queued again', async () => {
    const r = (await c.post(`/api/access/sync/${encodeURIComponent(METER)}/retry`, {})).json();
    expect(r).toEqual({ ok: true, queued: expect.any(Number) });
  });
});
