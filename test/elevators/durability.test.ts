/**
 * What survives and what is deployed, on a real box without a cloud: relations and users from the
 * commissioning file, a restart during a delay (the call happens once, after the restart), the
 * records made offline, and the rules carried to a door that runs the linkage itself
 * (/elevator/rule/sync in the seed's wire format).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/runtime.js';
import { DAY, DEV, key, nextCommand, startElevatorBox, type ElevatorBox, recordsOf } from './rig.js';

const qr = (n: number) => `ALI${String(n).padStart(29, '0')}`;
let eb: ElevatorBox;
const linkage = () => eb.box.runtime.elevators!;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pe-elev-'));
  const file = join(dir, 'elevators.yaml');
  // The commissioning file: the seed's scenario 3 relation with a delay, and one user.
  writeFileSync(
    file,
    `
relations:
  - { dataId: unit-d-call, controlMode: CALL_WITH_TARGET, elevatorIotId: A, triggerIotId: D, triggerFloor: '1', delaySeconds: 2 }
  - { dataId: broken, controlMode: RELEASE_ONLY, elevatorIotId: A, triggerIotId: C }
users:
  - { dataId: unit-d-call, identityId: user-restart, userTargetList: [ { targetFloor: '10', targetRoomNo: '01' } ] }
`,
  );
  eb = await startElevatorBox({ extraYaml: `access: { elevators: { file: ${file} } }` });
}, 120_000);

afterAll(async () => {
  await eb?.close();
});

describe('linkage across restarts', () => {
  it('applies the commissioning file (refusing its bad entry)', () => {
    expect(linkage().store.relation('unit-d-call')).toMatchObject({ controlMode: 'CALL_WITH_TARGET', triggerFloor: '1', delaySeconds: 2 });
    expect(linkage().store.relation('broken')).toBeUndefined();
    expect(linkage().store.user('unit-d-call', 'IDENTITY', 'user-restart')?.userTargetList).toEqual([
      { targetFloor: '10', targetRoomNo: '01' },
    ]);
  });

  it('a restart during the delay still calls, once, after the restart; the record waits for a cloud', async () => {
    eb.box.runtime.access!.applyPermissionText(
      key(DEV.unitQr),
      JSON.stringify({
        qrCodePermissionList: [
          {
            type: 1,
            qrCode: qr(1),
            userId: 'user-restart',
            startTime: String(Date.now() - DAY),
            endTime: String(Date.now() + DAY),
            maxScanTimes: -1,
          },
        ],
      }),
    );
    const before = eb.gateway.elevatorCommands.length;
    expect((await eb.unit.scanQr(qr(1))).code).toBe(0);
    await waitFor(() => linkage().engine.waiting === 1);
    await eb.restart();
    const command =
      eb.gateway.elevatorCommands.length > before ? Promise.resolve(eb.gateway.elevatorCommands[before]!) : nextCommand(eb.gateway);
    expect(await command).toMatchObject({ path: '/elevator/call', value: { startFloor: '1', targetFloor: '10', targetRoom: '01' } });
    const [stored] = await recordsOf(linkage().records, 'unit-d-call');
    expect(stored).toMatchObject({ uploaded: 0, record: { identityID: 'user-restart', callResultCode: 200 } });
    expect(eb.box.runtime.db.prepare('SELECT COUNT(*) FROM elevator_jobs').pluck().get()).toBe(0);
    expect(eb.gateway.elevatorCommands.length).toBe(before + 1);
  });
});

describe('rules for a door that runs the linkage itself', () => {
  it('deploys the relations naming the door with /elevator/rule/sync and deletes them with the relation', async () => {
    // The unit door gets an elevator device with linkage: it runs the rules itself.
    const yaml = eb.yaml.replace(
      /( {6}- \{ productKey: PEDoorFace, deviceName: UNIT-D\.1, custom: \{ ip: 127\.0\.0\.21, port: (\d+)[^\n]*\n)/,
      (line, _all, port: string) =>
        `${line}      - { productKey: PEElevatorGateway, deviceName: UNIT-D-EL, custom: { ip: 127.0.0.21, port: ${port}, linkage: true } }\n`,
    );
    expect(yaml).toContain('UNIT-D-EL');
    await eb.box.runtime.redeploy(
      yaml.replace(/^\n/, `box: { name: test-box, dataDir: ${eb.box.dir} }\nhttp: { host: 127.0.0.1, port: 0 }\n`),
      'test',
    );
    await waitFor(() => eb.box.runtime.registry.get('PEElevatorGateway', 'UNIT-D-EL')?.status === 'online', 20_000);
    const api = linkage().api;
    const dataId = api.addRelation(
      { controlMode: 'CALL_WITH_TARGET', elevatorIotId: 'A', triggerIotId: 'D', triggerFloor: '1', triggerRoomNo: '601', delaySeconds: 10 },
      'test',
    );
    api.saveUser({
      dataId,
      identityId: 'ac1c2-31a7-3**066',
      expiryTime: '2030-05-15 00:00:00',
      userTargetList: [{ targetFloor: '9', targetRoomNo: '01' }],
    });
    const sync = await waitFor(
      () => eb.unit.calls.find((c) => c.path === '/elevator/rule/sync' && JSON.stringify(c.body).includes('ac1c2-31a7-3**066')),
      15_000,
    );
    // The seed's rule shape (L37290-37310): version, token, rules[{ruleId, userId, controlMode, startFloor, startRoom, targetFloorRoomList, delaySeconds, expiryTime}].
    expect(sync.body).toMatchObject({ version: '2021-12-13', token: expect.any(String) });
    const rule = (sync.body.rules as Array<Record<string, unknown>>).find((r) => r.userId === 'ac1c2-31a7-3**066');
    // [L37290-37310] and the seed's own expiryTime value: 2030-05-15 00:00:00 at UTC+8 is 1905004800000.
    expect(rule).toEqual({
      type: 1,
      ruleId: expect.stringMatching(/^[0-9a-f]{32}$/),
      userId: 'ac1c2-31a7-3**066',
      controlMode: 'CALL_WITH_TARGET',
      startFloor: '1',
      startRoom: '601',
      targetFloorRoomList: [{ floor: '9', roomNumber: '01' }],
      delaySeconds: 10,
      expiryTime: '1905004800000',
    });
    // The commissioning file's relation names the same door: it is the door's too.
    expect([...eb.unit.state.rules.values()].map((r) => r.userId).sort()).toEqual(['ac1c2-31a7-3**066', 'user-restart']);
    const ruleId = String(rule!.ruleId);
    expect(eb.unit.state.rules.has(ruleId)).toBe(true);
    // The door runs this relation: the box does not call for it.
    eb.box.runtime.access!.applyPermissionText(
      key(DEV.unitQr),
      JSON.stringify({
        qrCodePermissionList: [
          {
            type: 1,
            qrCode: qr(2),
            userId: 'ac1c2-31a7-3**066',
            startTime: String(Date.now() - DAY),
            endTime: String(Date.now() + DAY),
            maxScanTimes: -1,
          },
        ],
      }),
    );
    const matched = linkage().engine.stats.matched;
    expect((await eb.unit.scanQr(qr(2))).code).toBe(0);
    await waitFor(() => eb.box.runtime.access!.records.list({ deviceKey: key(DEV.unitQr), limit: 1 })[0]?.content === qr(2));
    api.deleteRelation({ dataId });
    await waitFor(() => !eb.unit.state.rules.has(ruleId), 15_000);
    expect(linkage().engine.stats.matched).toBe(matched);
  });
});
