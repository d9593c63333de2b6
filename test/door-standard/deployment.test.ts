import { describe, expect, it } from 'vitest';
import { featureMd5, userInfoMd5 } from '../../protocols/door-standard/index.js';
import { waitFor } from '../helpers/runtime.js';
import { useHarness } from './harness.js';

const hx = useHarness();

const DAY = 86_400_000;
const card = (i: number) => ({ key: `C${String(i).padStart(7, '0')}`, userId: `u${i}`, effectiveTime: Date.now() - DAY, expiryTime: Date.now() + DAY });

describe('door-standard deployment', () => {
  it('queues card permissions while the door is offline, pushes them in batches of ≤200, and resyncs fully on reconnect', async () => {
    const door = await hx().addDoor('DOOR-0100', '127.0.0.100');
    const cardKey = 'PEDoorCard/DOOR-0100.3';
    for (let i = 0; i < 450; i++) hx().access.upsert(cardKey, 'card', card(i));
    await door.connect();
    await waitFor(() => door.state.cards.size === 450 && hx().access.pendingCount(cardKey, 'card') === 0);
    expect(door.received.get('/cardAC/syncPermissions')).toBe(3); // 200 + 200 + 50
    expect(door.calls.filter((c) => c.path === '/cardAC/syncPermissions').every((c) => (c.body.permissions as unknown[]).length <= 200)).toBe(true);
    expect((await door.swipeCard('C0000007')).code).toBe(0);
    expect(hx().h('DOOR-0100.3').events.at(-1)).toEqual({ id: 'passEvent', params: { type: 'CARD', credential: 'C0000007' } });

    // The door goes away (replaced by a blank one) while permissions change.
    const t = hx().driver.terminals.get('127.0.0.100')!;
    t.goOffline('test');
    door.state.cards.clear();
    hx().access.remove(cardKey, 'card', 'C0000001');
    hx().access.upsert(cardKey, 'card', card(999));
    hx().driver.deployer('127.0.0.100')!.kickAll(); // nothing moves while offline
    expect(hx().access.pendingCount(cardKey, 'card')).toBe(2);
    expect((await door.keepalive()).code).toBe(0); // 4 → reconnect
    await waitFor(() => door.state.cards.size === 450 && hx().access.pendingCount(cardKey, 'card') === 0, 15_000);
    expect(door.state.cards.has('C0000999')).toBe(true);
    expect(door.state.cards.has('C0000001')).toBe(false);
  });

  it('retries a failed batch with backoff and reports the failure to the access core', async () => {
    const door = await hx().addDoor('DOOR-0101', '127.0.0.101');
    const bleKey = 'PEDoorBle/DOOR-0101.4';
    hx().access.upsert(bleKey, 'ble', { key: '514152694808390', effectiveTime: 2, expiryTime: 1 }); // expiry before effective: the door refuses (code 5)
    await door.connect();
    await waitFor(() => hx().access.acks.some((a) => a.kind === 'ble' && !a.ok));
    await waitFor(() => hx().access.acks.filter((a) => a.kind === 'ble' && !a.ok).length >= 2, 5000); // retried
    expect(hx().driver.deployer('127.0.0.101')!.status().ble!.failures).toBeGreaterThanOrEqual(2);
    hx().access.upsert(bleKey, 'ble', { key: '514152694808390', effectiveTime: 1, expiryTime: Date.now() + DAY });
    await waitFor(() => door.state.bleCards.has('514152694808390'), 5000);
    expect((await door.bleOpen('514152694808390')).code).toBe(0);
  });

  it('reconciles device-side faces by [faceId, userInfoMd5, featureMd5] and syncs only the difference', async () => {
    const door = await hx().addDoor('DOOR-0102', '127.0.0.102', { sim: { faceQueryPageSize: 2 } });
    const faceKey = 'PEDoorFace/DOOR-0102.1';
    hx().driver.terminals.get('127.0.0.102')!.cfg.faceMode = 'device';
    const feature = (i: number) => [i / 10, 0.0069077396765351295, -0.5];
    for (let i = 1; i <= 5; i++) hx().access.upsert(faceKey, 'face', { key: `face-${i}`, userId: `u${i}`, userName: '张三', expiryTime: 1905004800000, isInBlackList: false, feature: feature(i) });
    // The door already holds face-1 (current), face-2 (stale user info) and face-9 (no longer permitted).
    door.state.applyFaces([
      { type: 1, faceId: 'face-1', userInfo: { userId: 'u1', userName: '张三', expiryTime: '1905004800000', isInBlackList: false }, feature: feature(1) },
      { type: 1, faceId: 'face-2', userInfo: { userId: 'u2', userName: '旧名', expiryTime: '1905004800000', isInBlackList: false }, feature: feature(2) },
      { type: 1, faceId: 'face-9', userInfo: { userId: 'u9' }, feature: [1] },
    ]);
    await door.connect();
    await waitFor(() => door.state.faces.size === 5 && !door.state.faces.has('face-9') && door.state.faces.get('face-2')!.userInfo.userName === '张三');
    const firstSync = door.calls.find((c) => c.path === '/faceAC/syncFaces')!.body.faces as { type: number; faceId: string; feature?: unknown }[];
    expect(firstSync.map((f) => [f.type, f.faceId])).toEqual([[3, 'face-2'], [1, 'face-3'], [1, 'face-4'], [1, 'face-5'], [2, 'face-9']]);
    expect(firstSync[0]!.feature).toBeUndefined(); // only the user info changed
    expect(door.received.get('/faceAC/queryFaces')).toBe(2); // full query, then page 2 of 2 (3 faces, 2 per page)
    const f3 = door.state.faces.get('face-3')!;
    expect(f3.featureMd5).toBe(featureMd5(feature(3)));
    expect(f3.userInfoMd5).toBe(userInfoMd5({ userId: 'u3', userName: '张三', expiryTime: '1905004800000', isInBlackList: false }));

    // A reconnect with nothing changed sends no face at all.
    await waitFor(() => hx().driver.deployer('127.0.0.102')!.status().face?.state === 'idle');
    const syncs = door.received.get('/faceAC/syncFaces');
    await door.connect();
    await waitFor(() => (door.received.get('/faceAC/queryFaces') ?? 0) >= 5);
    await waitFor(() => hx().driver.deployer('127.0.0.102')!.status().face?.state === 'idle');
    expect(door.received.get('/faceAC/syncFaces')).toBe(syncs); // the diff is empty and nothing is pending
  });
});
