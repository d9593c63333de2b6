import { describe, expect, it } from 'vitest';
import { computeSign, postJson } from '../../protocols/door-standard/index.js';
import { waitFor } from '../helpers/runtime.js';
import { useHarness } from './harness.js';

const hx = useHarness();

describe('door-standard driver: sessions', () => {
  it('completes the two-way connect, issues tokens ≤64 bytes and brings the logical devices online', async () => {
    const door = await hx().addDoor('DOOR-0001', '127.0.0.2');
    expect(hx().h('DOOR-0001.2').isOnline).toBe(false);
    const reply = await door.connect();
    expect(reply.code).toBe(0);
    expect(Buffer.byteLength(door.edge.token!)).toBeLessThanOrEqual(64);
    await door.waitEdgeConnected();
    await waitFor(() => hx().h('DOOR-0001.1').isOnline && hx().h('DOOR-0001.5').isOnline);
    expect(hx().driver.terminals.get('127.0.0.2')!.state).toBe('online');
    expect((await door.edge.keepalive()).code).toBe(0);
  });

  it('answers 4 to unknown, replayed and superseded tokens; the door reconnects on 4', async () => {
    const door = await hx().addDoor('DOOR-0002', '127.0.0.3');
    await door.connect();
    const old = door.edge.token!;
    await door.connect();
    expect(door.edge.token).not.toBe(old);
    const replay = await postJson(`${hx().edgeUrl}/keepalive`, { token: old }, { timeoutMs: 3000, localAddress: '127.0.0.3' });
    expect(replay.code).toBe(4);
    expect((await postJson(`${hx().edgeUrl}/qrcode`, { token: 'forged', qrCode: 'A'.repeat(32) }, { timeoutMs: 3000 })).code).toBe(4);
    door.edge.token = 'bogus';
    expect((await door.keepalive()).code).toBe(0); // keepalive got 4, reconnected
    expect((await door.edge.keepalive()).code).toBe(0);
  });

  it('refuses a wrong sign (6), an unconfigured ip (7), a spoofed ip (7) and bad fields (5)', async () => {
    await hx().addDoor('DOOR-0003', '127.0.0.4');
    const f = { time: Math.floor(Date.now() / 1000), mac: '02-00-7F-00-00-04', sn: 'DOOR-0003', ip: '127.0.0.4' };
    const base = { ...f, keepalive: 30, signMethod: 'md5' };
    const send = (body: object, from = '127.0.0.4') => postJson(`${hx().edgeUrl}/connect`, body, { timeoutMs: 3000, localAddress: from });
    expect((await send({ ...base, sign: computeSign('md5', { ...f, sn: 'other' }) })).code).toBe(6);
    expect((await send({ ...base, ip: '127.0.0.99', sign: computeSign('md5', { ...f, ip: '127.0.0.99' }) }, '127.0.0.99')).code).toBe(7);
    expect((await send({ ...base, sign: computeSign('md5', f) }, '127.0.0.5')).code).toBe(7);
    expect((await send({ ...base, keepalive: 5, sign: computeSign('md5', f) })).code).toBe(5);
    expect((await send({ ...base, signMethod: 'crc32', sign: computeSign('md5', f) })).code).toBe(5);
    expect((await send({ ...base, signMethod: 'SHA-256', sign: computeSign('sha256', f) })).code).toBe(0);
  });

  it('goes offline when the door stops sending keep-alives, revokes its token, and resyncs on reconnect', async () => {
    const door = await hx().addDoor('DOOR-0004', '127.0.0.6');
    await door.connect();
    await door.waitEdgeConnected();
    const t = hx().driver.terminals.get('127.0.0.6')!;
    await waitFor(() => t.state === 'online');
    t.lastSeen = Date.now() - 31_000; // 3 × 10 s keep-alive periods without a request
    await t.checkLiveness();
    expect(t.state).toBe('offline');
    expect(hx().h('DOOR-0004.3').isOnline).toBe(false);
    expect((await door.edge.keepalive()).code).toBe(4);
    expect((await door.keepalive()).code).toBe(0); // reconnected
    await waitFor(() => t.state === 'online');
  });
});

describe('door-standard driver: passage and services', () => {
  it('decides a QR scan offline through the access core and reports a pass event on the .2 device', async () => {
    const door = await hx().addDoor('DOOR-0010', '127.0.0.10');
    await door.connect();
    const code = 'ALI1234567890azxswdfghggfgsgERTG';
    hx().access.qr.set(code, '123456');
    const ok = await door.scanQr(code);
    expect(ok).toMatchObject({ code: 0, message: 'success', data: { userId: '123456' } });
    expect(hx().h('DOOR-0010.2').events).toContainEqual({ id: 'passEvent', params: expect.objectContaining({ type: 'QRCODE', userId: '123456' }) });
    expect((await door.scanQr('B'.repeat(32))).code).toBe(1);
    expect((await door.scanQr('short')).code).toBe(5);
    hx().access.available = false;
    expect((await door.scanQr(code)).code).toBe(99);
  });

  it('opens the door remotely through remoteOpen and its alias remoteControl', async () => {
    const door = await hx().addDoor('DOOR-0011', '127.0.0.11');
    expect((await hx().driver.callService(hx().h('DOOR-0011.2'), 'remoteOpen', {})).code).toBe(6101); // not connected yet
    await door.connect();
    await door.waitEdgeConnected();
    await waitFor(() => hx().driver.terminals.get('127.0.0.11')!.state === 'online');
    expect((await hx().driver.callService(hx().h('DOOR-0011.2'), 'remoteOpen', {})).code).toBe(200);
    expect((await hx().driver.callService(hx().h('DOOR-0011.3'), 'remoteControl', {})).code).toBe(200);
    expect(door.state.opens).toBe(2);
    expect((await hx().driver.callService(hx().h('DOOR-0011.3'), 'setKeepOpen', { keepOpen: 1 })).code).toBe(200);
    expect(await hx().driver.callService(hx().h('DOOR-0011.3'), 'getKeepOpen', {})).toMatchObject({ code: 200, data: { keepOpen: 1 } });
    expect((await hx().driver.callService(hx().h('DOOR-0011.1'), 'setTempCheckRule', { isCheck: 1, maxThreshold: '37.5', minThreshold: '36.0' })).code).toBe(200);
    expect(door.state.tempRule).toEqual({ isCheck: 1, maxThreshold: '37.5', minThreshold: '36.0' });
    // the edge-side temperature rule now applies to /recognize
    hx().access.faces.set('f1', { faceId: 'f1', userId: 'u1', name: '王小飞' });
    expect((await door.presentFace(undefined, '38.2')).code).toBe(1);
    expect(await door.presentFace(undefined, '36.5')).toMatchObject({ code: 0, data: { faceId: 'f1', userId: 'u1', name: '王小飞' } });
  });

  it('validates alarms (types 0-7, card number for 2 and 3) and maps them to thing events', async () => {
    const door = await hx().addDoor('DOOR-0012', '127.0.0.12');
    await door.connect();
    expect((await door.raiseAlarm(2)).code).toBe(5);
    expect((await door.raiseAlarm(8)).code).toBe(5);
    expect((await door.raiseAlarm(0)).code).toBe(0);
    expect((await door.swipeCard('F47B0BA2')).code).toBe(0); // not whitelisted: alarm 2
    expect(hx().h('DOOR-0012.3').events.map((e) => e.id)).toEqual(['alarmEvent', 'abnormalCreditCard']);
    expect(hx().h('DOOR-0012.2').events[0]).toEqual({ id: 'alarmEvent', params: { alarmType: 0 } });
  });

  it('answers intercom lookups locally and pushes the SIP account on every connection', async () => {
    const door = await hx().addDoor('DOOR-0013', '127.0.0.13');
    const ic = hx().h('DOOR-0013.5');
    const sip = { sipNumber: 'MNUtFSr9soldjp34IxYCBz', password: 'pw-1', sipServerAddr: '127.0.0.1', sipServerPort: '6050' };
    expect((await hx().driver.callService(ic, 'SyncSipNumber', sip)).code).toBe(200); // stored while offline
    expect((await hx().driver.callService(ic, 'SyncGroupIdAndRoomId', { list: [{ roomId: '1-9-3-1202', groupId: '4sewsEXT8ezMnlHlbWkjbL' }] })).code).toBe(200);
    await door.connect();
    await waitFor(() => door.state.sip?.sipNumber === sip.sipNumber);
    expect(await door.edge.getGroupId('1-9-3-1202')).toEqual({ code: 0, message: 'success', groupId: '4sewsEXT8ezMnlHlbWkjbL' });
    expect((await door.edge.getGroupId('9-3-1202')).groupId).toBe('4sewsEXT8ezMnlHlbWkjbL'); // phase defaults to 1
    expect((await door.edge.getGroupId('1-9-3-9999')).code).not.toBe(0);
    expect((await door.edge.checkPhoneNumber('18012345678')).code).toBe(0);
    expect(ic.events).toContainEqual({ id: 'checkPhoneNumber', params: { phoneNumber: '18012345678' } });
    expect((await hx().driver.callService(ic, 'NotifyPhoneNumberCheckResult', { phoneNumber: '18012345678', result: 0 })).code).toBe(200);
    expect(door.state.phoneResults).toEqual([{ phoneNumber: '18012345678', result: 0 }]);
    expect((await door.edge.reportOpenDoor({ type: 0, number: sip.sipNumber, roomId: '1-9-3-1202' })).code).toBe(0);
    expect(ic.events.at(-1)).toEqual({ id: 'doorOpenEvent', params: { type: 0, number: sip.sipNumber, roomId: '1-9-3-1202' } });
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
