/** The door-standard driver on a harness box: passage decisions and the door services. */
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/runtime.js';
import { identityOfColor, simVector } from '../../scripts/sim/face-algo/server.js';
import { solidPng } from '../../scripts/sim/door-standard/png.js';
import { faceEntry, qrEntry, useHarness } from './harness.js';

const hx = useHarness({}, { faceAlgo: true });

describe('door-standard driver: passage and services', () => {
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

  it('decides a QR scan offline through the access core, answers after the record is committed, and reports it only through the outbox', async () => {
    const door = await hx().addDoor('DOOR-0010', '127.0.0.10');
    await door.connect();
    const key = 'PEDoorQr/DOOR-0010.2';
    const code = 'ALI1234567890azxswdfghggfgsgERTG';
    hx().permit(key, { qrCodePermissionList: [qrEntry(code, '123456')] });
    const ok = await door.scanQr(code);
    expect(ok).toMatchObject({ code: 0, message: 'success', data: { userId: '123456' } });
    // The pass is stored with its one id, announced once, and queued for the cloud in the same transaction.
    const [rec] = hx().records(key);
    expect(rec).toMatchObject({ kind: 'qrCode', content: code, code: 0, identity_id: '123456', uploaded: 1 });
    expect(rec!.pass_id).toMatch(UUID);
    expect(hx().passes).toEqual([expect.objectContaining({ passId: rec!.pass_id, deviceKey: key, identifier: 'passEvent' })]);
    const up = hx().outboxOf(rec!.pass_id)!;
    expect(up).toMatchObject({
      device: key,
      topicKind: 'event',
      identifier: 'passEvent',
      payload: { code: 0, type: 'qrCode', content: code },
    });
    expect(JSON.parse(up.payload.extInfo as string)).toMatchObject({ passId: rec!.pass_id, userID: '123456' });
    // The driver reports no pass event of its own (one route to the cloud).
    expect(
      hx()
        .h('DOOR-0010.2')
        .events.filter((e) => e.id === 'passEvent'),
    ).toEqual([]);

    // A refused scan is answered 1 and recorded too, with the core's code.
    expect((await door.scanQr('B'.repeat(32))).code).toBe(1);
    expect(hx().records(key)[0]).toMatchObject({ content: 'B'.repeat(32), code: 103 });
    expect(hx().outboxOf(hx().records(key)[0]!.pass_id)?.payload).toMatchObject({ code: 103 });
    expect((await door.scanQr('short')).code).toBe(5); // refused at the boundary: no record
    expect(hx().records(key)).toHaveLength(2);

    // The platform acknowledges: the records are marked uploaded.
    hx().store.outbox.acknowledge();
    expect(
      hx()
        .records(key)
        .map((r) => r.uploaded),
    ).toEqual([2, 2]);

    // No access service on the host (6304): the door is answered 99, never success, nothing recorded.
    hx().withoutAccess();
    expect((await door.scanQr(code)).code).toBe(99);
    hx().withAccess();
    expect(hx().records(key)).toHaveLength(2);
    expect((await door.scanQr(code)).code).toBe(0);
  });

  it('answers a card pass only once its record is committed: on a full disk the door gets 99 and no success is lost', async () => {
    const door = await hx().addDoor('DOOR-0015', '127.0.0.15');
    await door.connect();
    const key = 'PEDoorCard/DOOR-0015.3';
    door.state.applyPermissions(door.state.cards, [
      { type: 1, cardId: 'C0000001', effectiveTime: '0', expiryTime: String(Date.now() + 86_400_000) },
    ]);
    expect((await door.swipeCard('C0000001')).code).toBe(0);
    hx().fillDisk();
    let ok = 1;
    let busy = 0;
    for (let i = 0; i < 400 && busy === 0; i++) {
      const r = await door.swipeCard('C0000001');
      if (r.code === 0) ok++;
      else {
        expect(r.code).toBe(99);
        busy++;
      }
    }
    expect(busy).toBe(1);
    // Every pass answered success is in the store, each with its outbox row; the busy one is in neither.
    const recs = hx().records(key);
    expect(recs).toHaveLength(ok);
    expect(recs.every((r) => r.kind === 'tradCard' && r.uploaded === 1 && hx().outboxOf(r.pass_id) !== undefined)).toBe(true);
    expect(hx().passes.filter((p) => p.deviceKey === key)).toHaveLength(ok);
    hx().makeRoom();
    expect((await door.swipeCard('C0000001')).code).toBe(0);
    expect(hx().records(key)).toHaveLength(ok + 1);
  });

  it('opens the door remotely through remoteOpen and its alias remoteControl, each open a recorded pass', async () => {
    const door = await hx().addDoor('DOOR-0011', '127.0.0.11');
    expect((await hx().driver.callService(hx().h('DOOR-0011.2'), 'remoteOpen', {})).code).toBe(6101); // not connected yet
    await door.connect();
    await door.waitEdgeConnected();
    await waitFor(() => hx().driver.terminals.get('127.0.0.11')!.state === 'online');
    expect((await hx().driver.callService(hx().h('DOOR-0011.2'), 'remoteOpen', {})).code).toBe(200);
    const [open] = hx().records('PEDoorQr/DOOR-0011.2');
    expect(open).toMatchObject({ kind: 'remote', code: 0 });
    expect(hx().outboxOf(open!.pass_id)).toMatchObject({ identifier: 'passEvent', payload: { type: 'remote', code: 0 } });
    expect((await hx().driver.callService(hx().h('DOOR-0011.3'), 'remoteControl', {})).code).toBe(200);
    expect(door.state.opens).toBe(2);
    expect(
      hx()
        .records()
        .filter((r) => r.kind === 'remote'),
    ).toHaveLength(2);
    expect((await hx().driver.callService(hx().h('DOOR-0011.3'), 'setKeepOpen', { keepOpen: 1 })).code).toBe(200);
    expect(await hx().driver.callService(hx().h('DOOR-0011.3'), 'getKeepOpen', {})).toMatchObject({ code: 200, data: { keepOpen: 1 } });
    expect(
      (await hx().driver.callService(hx().h('DOOR-0011.1'), 'setTempCheckRule', { isCheck: 1, maxThreshold: '37.5', minThreshold: '36.0' }))
        .code,
    ).toBe(200);
    expect(door.state.tempRule).toEqual({ isCheck: 1, maxThreshold: '37.5', minThreshold: '36.0' });
  });

  it('decides /recognize photos on the box (face algorithm, face library) and records faces the door matched itself', async () => {
    const door = await hx().addDoor('DOOR-0016', '127.0.0.16');
    await door.connect();
    await door.waitEdgeConnected();
    await waitFor(() => hx().driver.terminals.get('127.0.0.16')!.state === 'online');
    const key = 'PEDoorFace/DOOR-0016.1';
    hx().core.setFaceCompareMode(key, 'edge');
    // The feature the algorithm gives the door's photo (a solid colour "person").
    const [r, g, b] = [200, 170, 150];
    const feature = simVector(identityOfColor(r, g, b), solidPng(160, 160, [r, g, b]), 512);
    hx().faces(key, {
      groupId: 'g-16',
      addFaceInfos: [faceEntry('f1', { userId: 'u1', userName: '王小飞', expire: '2099-01-01 00:00:00' }, feature)],
    });
    expect(
      (await hx().driver.callService(hx().h('DOOR-0016.1'), 'setTempCheckRule', { isCheck: 1, maxThreshold: '37.5', minThreshold: '36.0' }))
        .code,
    ).toBe(200);
    // the edge-side temperature rule applies to /recognize before any decision
    expect((await door.presentFace(undefined, '38.2')).code).toBe(1);
    expect(hx().records(key)).toHaveLength(0);
    const matched = await door.presentFace(undefined, '36.5');
    expect(matched).toMatchObject({ code: 0, data: { faceId: 'f1', userId: 'u1', name: '王小飞', photoId: expect.any(String) } });
    const [rec] = hx().records(key);
    expect(rec).toMatchObject({
      kind: 'face',
      face_id: 'f1',
      identity_id: 'u1',
      code: 0,
      photo: (matched.data as { photoId: string }).photoId,
    });
    expect(hx().outboxOf(rec!.pass_id)).toMatchObject({
      identifier: 'OnMatched',
      payload: { eventId: rec!.pass_id, faceId: 'f1', userName: '王小飞', temperature: 36.5 },
    });
    // A photo of nobody in the library: refused, recorded as a stranger.
    expect((await door.presentFace(solidPng(160, 160, [20, 240, 20]), '36.5')).code).toBe(1);
    expect(hx().records(key)[0]).toMatchObject({ kind: 'face', code: 505 });

    // Device-side compare: the door matched and reports; answered with the stored photo's id.
    door.state.applyFaces([{ type: 1, faceId: 'f1', userInfo: { userId: 'u1' }, feature: [1] }]);
    const pass = await door.faceMatched('f1', '0.93');
    expect(pass).toMatchObject({ code: 0, data: { photoId: expect.any(String) } });
    expect(hx().records(key)[0]).toMatchObject({
      kind: 'face',
      face_id: 'f1',
      code: 0,
      score: 0.93,
      photo: (pass.data as { photoId: string }).photoId,
    });
    expect(
      hx()
        .h('DOOR-0016.1')
        .events.filter((e) => e.id === 'passEvent' || e.id === 'OnMatched'),
    ).toEqual([]);
  });

  it('validates alarms (types 0-7, card number for 2 and 3) and maps them to thing events; an invalid card or BLE card is a refused pass record', async () => {
    const door = await hx().addDoor('DOOR-0012', '127.0.0.12');
    await door.connect();
    expect((await door.raiseAlarm(2)).code).toBe(5);
    expect((await door.raiseAlarm(8)).code).toBe(5);
    expect((await door.raiseAlarm(0)).code).toBe(0);
    expect(hx().records()).toHaveLength(0); // a tamper alarm is no pass
    expect((await door.swipeCard('F47B0BA2')).code).toBe(0); // not whitelisted: alarm 2
    expect((await door.bleOpen('B47B0BA2')).code).toBe(0); // alarm 3
    expect(
      hx()
        .h('DOOR-0012.3')
        .events.map((e) => e.id),
    ).toEqual(['alarmEvent', 'abnormalCreditCard']);
    expect(
      hx()
        .h('DOOR-0012.4')
        .events.map((e) => e.id),
    ).toEqual(['alarmEvent', 'abnormalBleCard']);
    expect(hx().h('DOOR-0012.2').events[0]).toEqual({ id: 'alarmEvent', params: { alarmType: 0 } });
    const refused = hx()
      .records()
      .map((r) => [r.device_key, r.kind, r.content, r.code]);
    expect(refused).toEqual([
      ['PEDoorBle/DOOR-0012.4', 'bleCard', 'B47B0BA2', 303],
      ['PEDoorCard/DOOR-0012.3', 'tradCard', 'F47B0BA2', 203],
    ]);
    for (const r of hx().records()) expect(hx().outboxOf(r.pass_id)).toMatchObject({ identifier: 'passEvent', payload: { code: r.code } });
  });

  it('answers intercom lookups locally and pushes the SIP account on every connection', async () => {
    const door = await hx().addDoor('DOOR-0013', '127.0.0.13');
    const ic = hx().h('DOOR-0013.5');
    const sip = { sipNumber: 'MNUtFSr9soldjp34IxYCBz', password: 'pw-1', sipServerAddr: '127.0.0.1', sipServerPort: '6050' };
    expect((await hx().driver.callService(ic, 'SyncSipNumber', sip)).code).toBe(200); // stored while offline
    expect(
      (await hx().driver.callService(ic, 'SyncGroupIdAndRoomId', { list: [{ roomId: '1-9-3-1202', groupId: '4sewsEXT8ezMnlHlbWkjbL' }] }))
        .code,
    ).toBe(200);
    await door.connect();
    await waitFor(() => door.state.sip?.sipNumber === sip.sipNumber);
    expect(await door.edge.getGroupId('1-9-3-1202')).toEqual({ code: 0, message: 'success', groupId: '4sewsEXT8ezMnlHlbWkjbL' });
    expect((await door.edge.getGroupId('9-3-1202')).groupId).toBe('4sewsEXT8ezMnlHlbWkjbL'); // phase defaults to 1
    expect((await door.edge.getGroupId('1-9-3-9999')).code).not.toBe(0);
    // The answer says whether the box could hand the check on to the cloud (L36370-36372).
    hx().cloud.online = false;
    expect(await door.edge.checkPhoneNumber('18012345678')).toMatchObject({
      code: 99,
      message: expect.stringMatching(/cannot reach the cloud/),
    });
    expect(ic.events.some((e) => e.id === 'checkPhoneNumber')).toBe(false);
    hx().cloud.online = true;
    expect((await door.edge.checkPhoneNumber('18012345678')).code).toBe(0);
    expect(ic.events).toContainEqual({ id: 'checkPhoneNumber', params: { phoneNumber: '18012345678' } });
    expect((await hx().driver.callService(ic, 'NotifyPhoneNumberCheckResult', { phoneNumber: '18012345678', result: 0 })).code).toBe(200);
    expect(door.state.phoneResults).toEqual([{ phoneNumber: '18012345678', result: 0 }]);
    expect((await door.edge.reportOpenDoor({ type: 0, number: sip.sipNumber, roomId: '1-9-3-1202' })).code).toBe(0);
    expect(ic.events.at(-1)).toEqual({ id: 'doorOpenEvent', params: { type: 0, number: sip.sipNumber, roomId: '1-9-3-1202' } });
    // An intercom open is a pass: recorded before the door was answered.
    expect(hx().records('PEDoorIntercom/DOOR-0013.5')[0]).toMatchObject({ kind: 'intercom', content: sip.sipNumber, code: 0 });
    // a reconnect pushes the SIP account again
    const before = door.received.get('/visualIntercom/syncSipNumber') ?? 0;
    await door.connect();
    await waitFor(() => (door.received.get('/visualIntercom/syncSipNumber') ?? 0) > before);
  });

  it('drives the elevator endpoints with version 2021-12-13 and validates linkage reports', async () => {
    const door = await hx().addDoor('ELEV-0001', '127.0.0.14', {
      devices: (port) => [{ productKey: 'PEDoorElevator', deviceName: 'ELEV-0001', custom: { ip: '127.0.0.14', port } }],
    });
    await door.connect();
    await door.waitEdgeConnected();
    await waitFor(() => hx().driver.terminals.get('127.0.0.14')!.state === 'online');
    const h = hx().h('ELEV-0001');
    expect((await door.reportRunState([{ elevatorId: '01', currentFloor: '9', carState: 1, carDirection: 2 }])).code).toBe(0);
    expect(h.props).toMatchObject({ CurrentFloor: '9', CarState: 1, CarDirection: 2 });
    expect((await hx().driver.callService(h, 'callElevator', { startFloor: '1', targetFloor: '8' })).code).toBe(200);
    expect(door.calls.at(-1)).toMatchObject({ path: '/elevator/call', body: { version: '2021-12-13', startFloor: '1', targetFloor: '8' } });
    expect(await hx().driver.callService(h, 'getAvailability', {})).toMatchObject({ code: 200, data: { availability: 'enable' } });
    const info = await hx().driver.callService(h, 'getElevatorInfo', {});
    expect(JSON.parse((info.data as { info: string }).info)).toMatchObject({ elevatorMode: 'ALL' });
    const report = { ruleId: 'r1', userId: 'u1', authType: 'face', authContent: 'f1', controlMode: 'RELEASE_ONLY' } as const;
    expect((await door.edge.ruleReport({ ...report })).code).toBe(5); // RELEASE_ONLY needs target floors
    expect((await door.edge.ruleReport({ ...report, targetFloorRoomList: [{ floor: '9' }] })).code).toBe(0);
    expect(h.events.at(-1)).toMatchObject({ id: 'linkageReport', params: { ruleId: 'r1', targetFloors: '9' } });
  });
});
