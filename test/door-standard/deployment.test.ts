import { describe, expect, it } from 'vitest';
import { observeFor } from '../helpers/wait.js';
import { featureMd5, userInfoMd5 } from '../../protocols/door-standard/index.js';
import { waitFor } from '../helpers/runtime.js';
import { cardEntry, faceEntry, useHarness } from './harness.js';

const hx = useHarness();

const card = (i: number) => cardEntry(`C${String(i).padStart(7, '0')}`, `u${i}`);

describe('door-standard deployment', () => {
  it('queues card permissions while the door is offline, pushes them in batches of ≤200, and resyncs fully on reconnect', async () => {
    const door = await hx().addDoor('DOOR-0100', '127.0.0.100');
    const cardKey = 'PEDoorCard/DOOR-0100.3';
    hx().permit(cardKey, { tradCardPermissionList: Array.from({ length: 450 }, (_, i) => card(i)) });
    expect(hx().undelivered(cardKey, 'tradCard')).toBe(450);
    await door.connect();
    await waitFor(() => door.state.cards.size === 450 && hx().undelivered(cardKey, 'tradCard') === 0);
    expect(
      hx()
        .deployments(cardKey, 'tradCard')
        .every((r) => r.status === 'transferred'),
    ).toBe(true);
    expect(door.received.get('/cardAC/syncPermissions')).toBe(3); // 200 + 200 + 50
    expect(
      door.calls.filter((c) => c.path === '/cardAC/syncPermissions').every((c) => (c.body.permissions as unknown[]).length <= 200),
    ).toBe(true);
    expect(door.state.cards.get('C0000007')).toMatchObject({ userId: 'u7' });
    expect((await door.swipeCard('C0000007')).code).toBe(0);
    expect(hx().records(cardKey)[0]).toMatchObject({ kind: 'tradCard', content: 'C0000007', code: 0, uploaded: 1 });
    expect(
      hx()
        .h('DOOR-0100.3')
        .events.filter((e) => e.id === 'passEvent'),
    ).toEqual([]);

    // The door goes away (replaced by a blank one) while permissions change.
    const t = hx().driver.terminals.get('127.0.0.100')!;
    t.goOffline('test');
    door.state.cards.clear();
    hx().permit(cardKey, { tradCardPermissionList: [{ type: 2, cardId: 'C0000001' }, card(999)] });
    hx().driver.deployer('127.0.0.100')!.kickAll(); // nothing moves while offline
    await observeFor(100); // quiet: nothing moves while offline
    expect(hx().undelivered(cardKey, 'tradCard')).toBe(2);
    expect((await door.keepalive()).code).toBe(0); // 4 → reconnect
    await waitFor(() => door.state.cards.size === 450 && hx().undelivered(cardKey, 'tradCard') === 0, 15_000);
    expect(door.state.cards.has('C0000999')).toBe(true);
    expect(door.state.cards.has('C0000001')).toBe(false);
    expect(
      hx()
        .deployments(cardKey, 'tradCard')
        .find((r) => r.item === 'C0000001'),
    ).toMatchObject({ status: 'transferDeleted' });
  });

  it('retries a failed batch with backoff, reports the failure to the access core, and delivers the next permission', async () => {
    const door = await hx().addDoor('DOOR-0101', '127.0.0.101');
    const bleKey = 'PEDoorBle/DOOR-0101.4';
    // The access core takes any card number up to 255 characters; the door only [0-9A-Za-z]{1,64}: it refuses the batch.
    hx().permit(bleKey, { bleCardPermissionList: [cardEntry('BLE-514152694808390')] });
    await door.connect();
    await waitFor(() => (hx().core.deployments.get(bleKey, 'bleCard', 'BLE-514152694808390')?.attempts ?? 0) >= 2, 5000); // retried
    expect(hx().driver.deployer('127.0.0.101')!.status().ble!.failures).toBeGreaterThanOrEqual(2);
    // After its attempts the bad one waits for a person (needManual), and no longer blocks the door.
    await waitFor(() => hx().core.deployments.get(bleKey, 'bleCard', 'BLE-514152694808390')?.status === 'needManual', 10_000);
    expect(hx().core.deployments.get(bleKey, 'bleCard', 'BLE-514152694808390')?.error).toMatch(/cardId/);
    hx().permit(bleKey, { bleCardPermissionList: [cardEntry('514152694808390')] });
    hx().driver.deployer('127.0.0.101')!.kickAll();
    await waitFor(() => door.state.bleCards.has('514152694808390'), 5000);
    expect(door.state.bleCards.has('BLE-514152694808390')).toBe(false);
    expect((await door.bleOpen('514152694808390')).code).toBe(0);
    expect(hx().records(bleKey)[0]).toMatchObject({ kind: 'bleCard', content: '514152694808390', code: 0 });
  });

  it('reconciles device-side faces by [faceId, userInfoMd5, featureMd5] and syncs only the difference', async () => {
    const door = await hx().addDoor('DOOR-0102', '127.0.0.102', { sim: { faceQueryPageSize: 2 } });
    const faceKey = 'PEDoorFace/DOOR-0102.1';
    hx().driver.terminals.get('127.0.0.102')!.cfg.faceMode = 'device';
    const feature = (i: number) => [i / 10, 0.0069077396765351295, -0.5];
    const info = (i: number) => ({ userId: `u${i}`, userName: '张三', expire: '2030-05-15 00:00:00' }); // 1905004800000 at UTC+8
    hx().faces(faceKey, {
      groupId: 'g-102',
      addFaceInfos: Array.from({ length: 5 }, (_, k) => faceEntry(`face-${k + 1}`, info(k + 1), feature(k + 1))),
    });
    // What the box holds for each face, as the door should hold it.
    const desired = new Map(
      hx()
        .core.desiredFaces(faceKey)
        .map((f) => [f.faceId as string, f as { userInfo: Record<string, unknown>; feature: number[] }]),
    );
    expect(desired.get('face-1')!.userInfo).toEqual({ userId: 'u1', userName: '张三', expiryTime: '1905004800000', isInBlackList: false });
    // The door already holds face-1 (current), face-2 (stale user info) and face-9 (no longer permitted).
    door.state.applyFaces([
      {
        type: 1,
        faceId: 'face-1',
        userInfo: { userId: 'u1', userName: '张三', expiryTime: '1905004800000', isInBlackList: false },
        feature: desired.get('face-1')!.feature,
      },
      {
        type: 1,
        faceId: 'face-2',
        userInfo: { userId: 'u2', userName: '旧名', expiryTime: '1905004800000', isInBlackList: false },
        feature: desired.get('face-2')!.feature,
      },
      { type: 1, faceId: 'face-9', userInfo: { userId: 'u9' }, feature: [1] },
    ]);
    await door.connect();
    await waitFor(
      () => door.state.faces.size === 5 && !door.state.faces.has('face-9') && door.state.faces.get('face-2')!.userInfo.userName === '张三',
    );
    const firstSync = door.calls.find((c) => c.path === '/faceAC/syncFaces')!.body.faces as {
      type: number;
      faceId: string;
      feature?: unknown;
    }[];
    expect(firstSync.map((f) => [f.type, f.faceId])).toEqual([
      [3, 'face-2'],
      [1, 'face-3'],
      [1, 'face-4'],
      [1, 'face-5'],
      [2, 'face-9'],
    ]);
    expect(firstSync[0]!.feature).toBeUndefined(); // only the user info changed
    expect(door.received.get('/faceAC/queryFaces')).toBe(2); // full query, then page 2 of 2 (3 faces, 2 per page)
    const f3 = door.state.faces.get('face-3')!;
    expect(f3.featureMd5).toBe(featureMd5(desired.get('face-3')!.feature));
    expect(f3.userInfoMd5).toBe(userInfoMd5({ userId: 'u3', userName: '张三', expiryTime: '1905004800000', isInBlackList: false }));

    // Every face of the door's deployment is delivered.
    await waitFor(() => hx().undelivered(faceKey, 'face') === 0 && hx().driver.deployer('127.0.0.102')!.status().face?.state === 'idle');
    expect(
      hx()
        .deployments(faceKey, 'face')
        .map((r) => [r.item, r.status]),
    ).toEqual([1, 2, 3, 4, 5].map((i) => [`face-${i}`, 'transferred']));

    // A reconnect with nothing changed sends no face at all.
    const syncs = door.received.get('/faceAC/syncFaces');
    await door.connect();
    await waitFor(() => (door.received.get('/faceAC/queryFaces') ?? 0) >= 5);
    await waitFor(() => hx().driver.deployer('127.0.0.102')!.status().face?.state === 'idle');
    expect(door.received.get('/faceAC/syncFaces')).toBe(syncs); // the diff is empty and nothing is pending
  });
});
