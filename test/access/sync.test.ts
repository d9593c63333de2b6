import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { md5Hex } from '../../edge/access/sync/download.js';
import { canTransition, TRANSITIONS } from '../../edge/access/deploy/sync-status.js';
import { SYNC_STATUSES } from '../../edge/access/codes.js';
import { fileServer, makeCore, type TestCore } from './helpers.js';

const D = 'PK/door1';

// [seed 001 L2378-2401] the seed's QR permission file: add, delete, modify of the same code.
const SEED_QR_FILE = `{
    "qrCodePermissionList":[
        {"type":1,"qrCode":"ALIF24DD9END8CD3","startTime":"1568270392000","endTime":"1599892792000","maxScanTimes":600,"maxScanScope":"SHARE"},
        {"type":2,"qrCode":"ALIF24DD9END8CD3"},
        {"type":3,"qrCode":"ALIF24DD9END8CD3","startTime":"1568270392000","endTime":"1599892792000","maxScanTimes":600,"maxScanScope":"SHARE"}
    ]
}`;
// [seed 000 L2664-2673] the seed's face file (with its userInfo JSON string).
const SEED_FACE_FILE = JSON.stringify({
  groupId: 'egqQkuFBPgh8pltWiw1S000100',
  addFaceInfos: [
    {
      faceId: '552f3570-4717-4a39-910b-d72542552d89',
      faceMd5: '36c36fa96920e45ca5f00334675484bc',
      faceUrl: '',
      userInfo: '{"userName": "Xiao Wang", "expire": "2020-12-31 23:59:59", "policy": "DENY", "userExtInfo": "BLACKLIST"}',
      index: 0,
      clientTag: '',
    },
  ],
  deleteFaceInfos: [{ faceId: 'xxxx' }, { faceId: 'yyyy' }],
  isCleanAll: false,
  isCleanAllGroup: false,
});

describe('permission sync files', () => {
  let t: TestCore;
  afterEach(() => t.close());

  it('applies the seed QR file in order and is idempotent', () => {
    t = makeCore();
    const r = t.core.applyPermissionText(D, SEED_QR_FILE);
    expect(r).toMatchObject({ SyncPicStatus: 0, counts: { added: 1, deleted: 1, modified: 1 } });
    const row = t.core.permissions.qr(D, 'ALIF24DD9END8CD3');
    expect(row).toMatchObject({ start_ms: 1568270392000, end_ms: 1599892792000, max_scans: 600, scope: 'SHARE', device_scans: 0 });
    t.core.applyPermissionText(D, SEED_QR_FILE);
    expect(t.core.permissions.totals().qr).toBe(1);
  });

  it('applies the seed card file and queues the card for the door', () => {
    t = makeCore();
    t.core.applyPermissionText(
      D,
      '{"tradCardPermissionList":[{"cardId":"card001","endTime":"1618625794000","type":3,"userId":"50a0alc68805f48a59b6879e837e684f67171474"}]}',
    );
    expect(t.core.permissions.credential('tradCard', 'card001', D)).toMatchObject({
      end_ms: 1618625794000,
      identity_id: '50a0alc68805f48a59b6879e837e684f67171474',
    });
    const pending = t.core.pendingDeployments(D);
    expect(pending).toEqual([
      expect.objectContaining({
        kind: 'tradCard',
        item: 'card001',
        op: 'upsert',
        data: expect.objectContaining({ expiryTime: 1618625794000 }),
      }),
    ]);
    expect(t.core.markDeployed(D, [{ kind: 'tradCard', item: 'card001', ok: true }])).toEqual({ done: 1, failed: 0, ignored: 0 });
    t.core.applyPermissionText(D, '{"tradCardPermissionList":[{"cardId":"card001","type":2}]}');
    expect(t.core.pendingDeployments(D)).toEqual([expect.objectContaining({ item: 'card001', op: 'delete' })]);
  });

  it.each([
    ['bad JSON', '{"qrCodePermissionList": [', /not valid JSON/],
    ['not an object', '[1,2]', /JSON object/],
    ['no list', '{"foo": 1}', /no qrCodePermissionList/],
    ['wrong type code', '{"qrCodePermissionList":[{"type":7,"qrCode":"A","startTime":"1","endTime":"2"}]}', /type/],
    ['missing qrCode', '{"qrCodePermissionList":[{"type":1,"startTime":"1","endTime":"2"}]}', /qrCode: missing/],
    ['time not epoch ms', '{"qrCodePermissionList":[{"type":1,"qrCode":"A","startTime":"2020-01-01","endTime":"2"}]}', /startTime/],
    ['bad scope', '{"qrCodePermissionList":[{"type":1,"qrCode":"A","startTime":"1","endTime":"2","maxScanScope":"ALL"}]}', /maxScanScope/],
    ['card without endTime', '{"tradCardPermissionList":[{"type":1,"cardId":"c"}]}', /endTime: missing/],
    ['number as code', '{"tradCardPermissionList":[{"type":1,"cardId":123,"endTime":"5"}]}', /expected a string/],
  ])('refuses %s whole and applies nothing', (_n, text, msg) => {
    t = makeCore();
    const good = '{"type":1,"qrCode":"GOOD","startTime":"1","endTime":"2"}';
    const withGood = text.includes('qrCodePermissionList":[')
      ? text.replace('qrCodePermissionList":[', `qrCodePermissionList":[${good},`)
      : text;
    const r = t.core.applyPermissionText(D, withGood);
    expect(r.SyncPicStatus).toBe(3);
    expect(r.message).toMatch(msg);
    expect(t.core.permissions.totals()).toEqual({ qr: 0, tradCard: 0, bleCard: 0, password: 0 });
    expect(t.outbox.of('DEVICE_SYNC_ERROR')).toHaveLength(1);
  });
});

describe('sync over HTTP', () => {
  const files = new Map<string, Buffer | string | ((res: import('node:http').ServerResponse) => void)>();
  let srv: Awaited<ReturnType<typeof fileServer>>;
  let t: TestCore;
  beforeAll(async () => {
    srv = await fileServer(files);
  });
  afterAll(() => srv.close());
  afterEach(() => t.close());

  it('downloads, checks the MD5 and applies', async () => {
    files.set('/perm.json', SEED_QR_FILE);
    t = makeCore();
    expect((await t.core.syncPermissions(D, `${srv.url}/perm.json`, md5Hex(SEED_QR_FILE))).SyncPicStatus).toBe(0);
    const bad = await t.core.syncPermissions(D, `${srv.url}/perm.json`, '0'.repeat(32));
    expect(bad).toMatchObject({ SyncPicStatus: 2, message: expect.stringMatching(/MD5/) });
  });

  it('refuses unreachable URLs, HTTP errors, 10× oversized files and non-http URLs with nothing applied', async () => {
    t = makeCore({ sync: { maxFileBytes: 100_000, retries: 1, retryDelayMs: 10, timeoutMs: 2000 } });
    files.set('/huge.json', Buffer.alloc(1_000_000, 0x20));
    files.set('/slow.json', () => undefined); // never answers
    expect((await t.core.syncPermissions(D, 'http://127.0.0.1:1/x.json')).SyncPicStatus).toBe(2);
    expect((await t.core.syncPermissions(D, `${srv.url}/missing.json`)).message).toMatch(/HTTP 404/);
    expect((await t.core.syncPermissions(D, `${srv.url}/huge.json`)).message).toMatch(/limit/);
    expect((await t.core.syncPermissions(D, 'file:///etc/passwd')).message).toMatch(/not an http/);
    t.core.config.sync.timeoutMs = 300;
    expect((await t.core.syncPermissions(D, `${srv.url}/slow.json`)).message).toMatch(/within 300 ms/);
    expect(t.core.permissions.totals().qr).toBe(0);
  });
});

describe('face files', () => {
  let t: TestCore;
  afterEach(() => t.close());
  const G = 'group-1';
  const face = (id: string, extra: Record<string, unknown> = {}) => ({
    faceId: id,
    faceMd5: '',
    faceUrl: '',
    userInfo: JSON.stringify({ userName: `n-${id}`, expire: '2030-01-01 00:00:00', userId: `u-${id}` }),
    index: 0,
    clientTag: 'Demo',
    ...extra,
  });

  it('accepts the seed face file; QueryFacePermTotal and QueryAddedUserInfo report it', () => {
    t = makeCore();
    const r = t.core.applyFaceText(D, SEED_FACE_FILE, { features: false });
    expect(r).toMatchObject({ SyncPicStatus: 0, counts: { added: 1, deleted: 0 } });
    const f = t.core.faces.get('egqQkuFBPgh8pltWiw1S000100', '552f3570-4717-4a39-910b-d72542552d89');
    // 2020-12-31 23:59:59 at UTC+8
    expect(f).toMatchObject({
      user_name: 'Xiao Wang',
      policy: 'DENY',
      user_ext_info: 'BLACKLIST',
      expire_ms: Date.UTC(2020, 11, 31, 15, 59, 59),
    });
    expect(t.core.queryFacePermTotal(D)).toEqual({ FacePermTotal: 1 });
    const q = t.core.queryAddedUserInfo(D, 'egqQkuFBPgh8pltWiw1S000100');
    expect(q.content.currentFaceInfos).toEqual([
      {
        faceId: '552f3570-4717-4a39-910b-d72542552d89',
        userInfo: '{"userName": "Xiao Wang", "expire": "2020-12-31 23:59:59", "policy": "DENY", "userExtInfo": "BLACKLIST"}',
        faceMd5: '36c36fa96920e45ca5f00334675484bc',
        index: 0,
        clientTag: '',
      },
    ]);
    expect(q).toMatchObject({ Type: 1, SyncPicStatus: 0 });
  });

  it('adds, modifies, deletes, cleans a group and cleans all groups', () => {
    t = makeCore();
    t.core.applyFaceText(D, JSON.stringify({ groupId: G, addFaceInfos: [face('a'), face('b'), face('c')] }), { features: false });
    t.core.applyFaceText(D, JSON.stringify({ groupId: 'g2', addFaceInfos: [face('z')] }), { features: false });
    expect(t.core.queryFacePermTotal(D).FacePermTotal).toBe(4);
    t.core.applyFaceText(
      D,
      JSON.stringify({
        groupId: G,
        addFaceInfos: [face('a', { userInfo: '{"userName":"renamed","policy":"DENY"}' })],
        deleteFaceInfos: [{ faceId: 'b' }, { faceId: 'nope' }],
      }),
      { features: false },
    );
    expect(t.core.faces.get(G, 'a')).toMatchObject({ user_name: 'renamed', policy: 'DENY', expire_ms: null });
    expect(t.core.faces.get(G, 'b')).toBeUndefined();
    expect(t.core.queryFacePermTotal(D).FacePermTotal).toBe(3);
    t.core.applyFaceText(D, JSON.stringify({ groupId: G, isCleanAll: true, addFaceInfos: [face('d')] }), { features: false });
    expect(t.core.faces.facesOf(G).map((f) => f.face_id)).toEqual(['d']);
    expect(t.core.queryFacePermTotal(D).FacePermTotal).toBe(2);
    t.core.applyFaceText(D, JSON.stringify({ groupId: G, isCleanAllGroup: true }), { features: false });
    expect(t.core.queryFacePermTotal(D).FacePermTotal).toBe(0);
  });

  it('refuses malformed face files whole', () => {
    t = makeCore();
    t.core.applyFaceText(D, JSON.stringify({ groupId: G, addFaceInfos: [face('keep')] }), { features: false });
    const bad = [
      { addFaceInfos: [face('x')] },
      { groupId: G, addFaceInfos: [face('x'), face('x')] },
      { groupId: G, addFaceInfos: [face('x', { userInfo: '{not json' })] },
      { groupId: G, addFaceInfos: [face('x', { userInfo: '{"expire":"2020-02-30 00:00:00"}' })] },
      { groupId: G, addFaceInfos: [face('x', { faceMd5: 'zz' })] },
      { groupId: G, isCleanAll: 'yes', addFaceInfos: [face('x')] },
    ];
    for (const b of bad) expect(t.core.applyFaceText(D, JSON.stringify(b), { features: false }).SyncPicStatus).toBe(3);
    expect(t.core.applyFaceText(D, JSON.stringify({ groupId: G, addFaceInfos: [face('x')] }), { features: true }).message).toMatch(
      /features/,
    );
    expect(t.core.faces.facesOf(G).map((f) => f.face_id)).toEqual(['keep']);
  });

  it('walks the per-door status machine and reports FACE_SYNC_STATUS through the outbox', () => {
    t = makeCore();
    t.core.applyFaceText(D, JSON.stringify({ groupId: G, addFaceInfos: [face('a'), face('b')] }), { features: false });
    expect(t.outbox.of('FACE_SYNC_STATUS').map((m) => JSON.parse(m.payload.data as string))).toEqual([
      { identityId: 'u-a', faceId: 'a', status: 'toBeTransferred' },
      { identityId: 'u-b', faceId: 'b', status: 'toBeTransferred' },
    ]);
    const taken = t.core.pendingDeployments(D, 10, 'face');
    expect(taken.map((p) => p.item)).toEqual(['a', 'b']);
    expect(taken[0]!.data).toMatchObject({ faceId: 'a', userInfo: { userId: 'u-a', userName: 'n-a', isInBlackList: false } });
    expect(t.core.pendingDeployments(D, 10)).toEqual([]); // in flight
    t.core.markDeployed(D, [
      { kind: 'face', item: 'a', ok: true },
      { kind: 'face', item: 'b', ok: false, message: 'door refused' },
    ]);
    expect(t.core.deployments.get(D, 'face', 'a')?.status).toBe('transferred');
    expect(t.core.deployments.get(D, 'face', 'b')).toMatchObject({ status: 'facePushError', attempts: 1, pre_status: 'transferring' });
    for (let i = 0; i < 2; i++) {
      expect(t.core.pendingDeployments(D, 10).map((p) => p.item)).toEqual(['b']);
      t.core.markDeployed(D, [{ kind: 'face', item: 'b', ok: false, status: 'unknownError' }]);
    }
    expect(t.core.deployments.get(D, 'face', 'b')).toMatchObject({ status: 'needManual', pre_status: 'unknownError', attempts: 3 });
    const last = t.outbox.of('FACE_SYNC_STATUS').map((m) => JSON.parse(m.payload.data as string));
    expect(last).toContainEqual({ identityId: 'u-a', faceId: 'a', status: 'transferred', preStatus: 'transferring' });
    expect(last).toContainEqual({ identityId: 'u-b', faceId: 'b', status: 'needManual', preStatus: 'unknownError' });
    expect(t.core.pendingDeployments(D, 10)).toEqual([]);
    // Offline door: waiting work becomes deviceOffline and is retried later.
    t.core.applyFaceText(D, JSON.stringify({ groupId: G, deleteFaceInfos: [{ faceId: 'a' }] }), { features: false });
    expect(t.core.deviceOffline(D)).toBe(1);
    expect(t.core.deployments.get(D, 'face', 'a')).toMatchObject({ status: 'deviceOffline', is_delete: 1 });
    const again = t.core.pendingDeployments(D, 10);
    expect(again).toEqual([expect.objectContaining({ item: 'a', op: 'delete' })]);
    t.core.markDeployed(D, [{ kind: 'face', item: 'a', ok: true }]);
    expect(t.core.deployments.get(D, 'face', 'a')?.status).toBe('transferDeleted');
  });

  it('a change that arrives while the previous version is in flight supersedes it', () => {
    t = makeCore();
    t.core.applyFaceText(D, JSON.stringify({ groupId: G, addFaceInfos: [face('a')] }), { features: false });
    expect(t.core.pendingDeployments(D, 10, 'face').map((p) => p.item)).toEqual(['a']);
    expect(t.core.deployments.get(D, 'face', 'a')?.status).toBe('transferring');
    // A sync file modifying the face, and a reset after a reconnect, while it is in flight.
    const r = t.core.applyFaceText(D, JSON.stringify({ groupId: G, addFaceInfos: [{ ...face('a'), faceMd5: 'f'.repeat(32) }] }), {
      features: false,
    });
    expect(r.SyncPicStatus).not.toBe(3);
    expect(t.core.deployments.get(D, 'face', 'a')).toMatchObject({ status: 'toBeTransferred', pre_status: 'transferring' });
    expect(t.core.pendingDeployments(D, 10, 'face').map((p) => p.item)).toEqual(['a']);
    expect(t.core.resetDeployments(D, 'face')).toBe(1);
    expect(t.core.deployments.get(D, 'face', 'a')).toMatchObject({ status: 'toBeTransferred', pre_status: 'transferring' });
    // The late answer for the superseded transfer is ignored; the new version goes out.
    expect(t.core.markDeployed(D, [{ kind: 'face', item: 'a', ok: true }])).toMatchObject({ ignored: 1 });
    expect(t.core.pendingDeployments(D, 10, 'face').map((p) => p.item)).toEqual(['a']);
  });

  it('the transition table allows exactly its listed moves', () => {
    expect(canTransition('none', 'toBeTransferred')).toBe(true);
    expect(canTransition('none', 'transferred')).toBe(false);
    expect(canTransition('transferred', 'transferring')).toBe(false);
    expect(canTransition('needManual', 'transferring')).toBe(false);
    expect(canTransition('transferring', 'faceDlError')).toBe(true);
    for (const from of Object.keys(TRANSITIONS))
      for (const to of TRANSITIONS[from as keyof typeof TRANSITIONS]) expect(SYNC_STATUSES).toContain(to);
  });
});
