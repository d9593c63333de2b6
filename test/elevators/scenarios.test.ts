/**
 * The seed's five elevator scenarios (seed 000 L1706-1895 = seed 001 L26757-26945) end to end on
 * real parts: the cloud stand-in sets the relations and users up through the box's gateway
 * services, a simulated door reports a pass, the box's linkage calls the simulated elevator
 * gateway over the door standard protocol, and the AutoElevatorCallRecord reaches the stand-in.
 * Then the refusals: an expired user, a switched-off elevator, a double scan, a relation deleted
 * during its delay, and a gateway that cannot be reached.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Post } from '../../scripts/sim/cloud/stand-in.js';
import { formatLocalDateTime } from '../../edge/access/time.js';
import { waitFor } from '../helpers/runtime.js';
import { DAY, DEV, GW, key, nextCommand, startElevatorBox, type ElevatorBox, recordsOf } from './rig.js';

const USER = '500eopb710fa6e2af4e85fcae3388cdb3dad2900'; // the seed's user (L26771)
const qr = (n: number) => `ALI${String(n).padStart(29, '0')}`;

let eb: ElevatorBox;
const cloud = () => eb.rig!.cloud;
const engine = () => eb.box.runtime.elevators!.engine;

async function gatewayService(id: string, params: Record<string, unknown>) {
  const r = await cloud().invoke(GW.productKey, GW.deviceName, id, params);
  expect(r, `${id} ${JSON.stringify(params)}`).toMatchObject({ code: 200 });
  return r.data;
}

async function addRelation(params: Record<string, unknown>): Promise<string> {
  return String(await gatewayService('ElevatorLinkageDeviceAdd', params));
}

/** Give `userId` a QR code valid on `device` (the door permission the seed says is pushed separately, L26345). */
function permitQr(device: { productKey: string; deviceName: string }, code: string, userId: string): void {
  eb.box.runtime.access!.applyPermissionText(
    key(device),
    JSON.stringify({
      qrCodePermissionList: [
        { type: 1, qrCode: code, userId, startTime: String(Date.now() - DAY), endTime: String(Date.now() + DAY), maxScanTimes: -1 },
      ],
    }),
  );
}

function recordsAtCloud(): Array<Record<string, unknown>> {
  return cloud()
    .postsOf(DEV.gateway.productKey, DEV.gateway.deviceName)
    .filter((p: Post) => p.kind === 'event:AutoElevatorCallRecord')
    .map((p) => (p.body.params as { value: Record<string, unknown> }).value);
}

function recordAtCloud(eventId: string): Promise<Record<string, unknown>> {
  return cloud().waitFor(() => recordsAtCloud().find((r) => r.eventId === eventId), 15_000, `record ${eventId} at the cloud`);
}

beforeAll(async () => {
  eb = await startElevatorBox({ cloud: true });
}, 120_000);

afterAll(async () => {
  await eb?.close();
});

describe('the seed scenarios', () => {
  it("S1: a card swipe in car X lights the user's one target floor (ACTIVATE_ONLY)", async () => {
    const dataId = await addRelation({ controlMode: 'ACTIVATE_ONLY', elevatorIotId: 'A', triggerIotId: 'B', triggerElevatorId: 'X' });
    await gatewayService('ElevatorLinkageUserSave', {
      dataId,
      identityId: USER,
      userTargetList: [{ targetFloor: '10', targetRoomNo: '01' }],
    });
    // The card is the user's through its door permission (the card pass itself names no one).
    eb.box.runtime.access!.applyPermissionText(
      key(DEV.carB),
      JSON.stringify({
        tradCardPermissionList: [
          { type: 1, cardId: '10086001', userId: USER, effectiveTime: String(Date.now() - DAY), expiryTime: String(Date.now() + DAY) },
        ],
      }),
    );
    const command = nextCommand(eb.gateway);
    expect((await eb.carB.reportPass('card', '10086001')).code).toBe(0);
    expect(await command).toMatchObject({
      path: '/elevator/activateFloor',
      value: { elevatorId: 'X', floorRoomList: [{ floor: '10', roomNumber: '01' }] },
    });
    // The wire body is the seed's: version, token, elevatorId, floorRoomList with roomNumber (L36880-36905).
    expect(eb.gateway.calls.at(-1)!.body).toEqual({
      version: '2021-12-13',
      token: expect.any(String),
      elevatorId: 'X',
      floorRoomList: [{ floor: '10', roomNumber: '01' }],
    });
    const stored = await waitFor(() => eb.box.runtime.elevators!.records.list({ dataId })[0]);
    const atCloud = await recordAtCloud(stored.record.eventId);
    expect(atCloud).toEqual({
      eventId: stored.record.eventId,
      eventTime: expect.stringMatching(/^\d{13}$/),
      identityID: USER,
      mediaType: 'CARD',
      mediaID: '10086001',
      entranceProductKey: 'PEDoorCard',
      entranceDeviceName: 'CAR-B.3',
      elevatorProductKey: 'PEElevatorGateway',
      elevatorDeviceName: 'EL-A',
      startFloor: '',
      StartRoomNumber: '',
      targetList: JSON.stringify([{ targetFloor: '10', targetRoomNo: '01' }]),
      callResultCode: 200,
      callResultMsg: 'success',
      deviceExtInfo: '',
      userExtInfo: '',
      eventExtInfo: expect.stringContaining(`"dataId":"${dataId}"`),
    });
  });

  it("S2: a QR scan in car X releases the user's floors, rooms where given (RELEASE_ONLY)", async () => {
    const dataId = await addRelation({ controlMode: 'RELEASE_ONLY', elevatorIotId: 'A', triggerIotId: 'C', triggerElevatorId: 'X' });
    await gatewayService('ElevatorLinkageUserSave', {
      dataId,
      identityId: USER,
      userTargetList: [{ targetFloor: '10', targetRoomNo: '01' }, { targetFloor: '11', targetRoomNo: '02' }, { targetFloor: '12' }],
    });
    permitQr(DEV.carC, qr(2), USER);
    const command = nextCommand(eb.gateway);
    expect((await eb.carC.scanQr(qr(2))).code).toBe(0);
    expect(await command).toMatchObject({
      path: '/elevator/releaseFloors',
      value: { elevatorId: 'X', floorRoomList: [{ floor: '10', roomNumber: '01' }, { floor: '11', roomNumber: '02' }, { floor: '12' }] },
    });
    // releaseFloors names the room `room` on the wire (L36790-36810).
    expect(eb.gateway.calls.at(-1)!.body.floorRoomList).toEqual([
      { floor: '10', room: '01' },
      { floor: '11', room: '02' },
      { floor: '12' },
    ]);
    const stored = await waitFor(() => eb.box.runtime.elevators!.records.list({ dataId })[0]);
    expect(await recordAtCloud(stored.record.eventId)).toMatchObject({
      mediaType: 'QRCODE',
      mediaID: qr(2),
      identityID: USER,
      entranceDeviceName: 'CAR-C.2',
      callResultCode: 200,
    });
  });

  it("S3: a pass at the floor-1 unit door calls the elevator to floor 1 with the user's target (CALL_WITH_TARGET)", async () => {
    const dataId = await addRelation({ controlMode: 'CALL_WITH_TARGET', elevatorIotId: 'A', triggerIotId: 'D', triggerFloor: '1' });
    await gatewayService('ElevatorLinkageUserSave', {
      dataId,
      identityId: 'user-s3',
      userTargetList: [{ targetFloor: '10', targetRoomNo: '01' }],
    });
    // The relation names the door's face device; a QR pass at the same door triggers it too.
    permitQr(DEV.unitQr, qr(3), 'user-s3');
    const command = nextCommand(eb.gateway);
    expect((await eb.unit.scanQr(qr(3))).code).toBe(0);
    expect(await command).toMatchObject({ path: '/elevator/call', value: { startFloor: '1', targetFloor: '10', targetRoom: '01' } });
    expect(eb.gateway.calls.at(-1)!.body).toEqual({
      version: '2021-12-13',
      token: expect.any(String),
      startFloor: '1',
      targetFloor: '10',
      targetRoom: '01',
    });
    const stored = await waitFor(() => eb.box.runtime.elevators!.records.list({ dataId })[0]);
    expect(await recordAtCloud(stored.record.eventId)).toMatchObject({
      startFloor: '1',
      identityID: 'user-s3',
      entranceDeviceName: 'UNIT-D.2',
      targetList: JSON.stringify([{ targetFloor: '10', targetRoomNo: '01' }]),
      callResultCode: 200,
    });
  });

  it('S4: with CALL_ONLY the user entry only decides whether the call happens; its targets are not sent', async () => {
    const dataId = await addRelation({ controlMode: 'CALL_ONLY', elevatorIotId: 'A', triggerIotId: 'D', triggerFloor: '1' });
    await gatewayService('ElevatorLinkageUserSave', {
      dataId,
      identityId: 'user-s4',
      userTargetList: [{ targetFloor: '10', targetRoomNo: '01' }],
    });
    permitQr(DEV.unitQr, qr(4), 'user-s4');
    const command = nextCommand(eb.gateway);
    expect((await eb.unit.scanQr(qr(4))).code).toBe(0);
    const c = await command;
    expect(c).toMatchObject({ path: '/elevator/call', value: { startFloor: '1' } });
    expect(c.value).not.toHaveProperty('targetFloor');
    const stored = await waitFor(() => eb.box.runtime.elevators!.records.list({ dataId })[0]);
    expect(await recordAtCloud(stored.record.eventId)).toMatchObject({
      startFloor: '1',
      targetList: '[]',
      identityID: 'user-s4',
      callResultCode: 200,
    });
  });

  it("S5: the cloud's remote call arrives as CloudCallElevator and reaches the gateway as /elevator/call", async () => {
    const command = nextCommand(eb.gateway);
    const r = await cloud().invoke(DEV.gateway.productKey, DEV.gateway.deviceName, 'CloudCallElevator', {
      StartFloor: '10',
      StartRoomNumber: '01',
      TargetFloor: '1',
    });
    expect(r).toMatchObject({ code: 200, data: { code: 0, message: 'success' } });
    expect(await command).toMatchObject({ path: '/elevator/call', value: { startFloor: '10', startRoom: '01', targetFloor: '1' } });
    // Without a start floor the device's call cannot be made: refused at the boundary.
    expect(await cloud().invoke(DEV.gateway.productKey, DEV.gateway.deviceName, 'CloudCallElevator', { TargetFloor: '1' })).toMatchObject({
      code: 460,
    });
    // A text longer than the model's 2048 is refused by the thing model.
    expect(
      await cloud().invoke(DEV.gateway.productKey, DEV.gateway.deviceName, 'CloudCallElevator', { StartFloor: '1'.repeat(2049) }),
    ).toMatchObject({ code: 460 });
  });
});

describe('the other elevator services', () => {
  it("QueryElevatorStatus translates the device's run state, QueryElevatorInfo its elevators and floors", async () => {
    const status = await cloud().invoke(DEV.gateway.productKey, DEV.gateway.deviceName, 'QueryElevatorStatus', {});
    // The simulator answers the seed's example (L36700-36715).
    expect(status).toMatchObject({
      code: 200,
      data: {
        code: 0,
        message: 'success',
        ElevatorStatus: [
          { ElevatorID: '01', CurrentPosition: '9', CarStatus: 1, CarDirection: 2 },
          { ElevatorID: '02', CurrentPosition: '1', CarStatus: 0, CarDirection: 0 },
        ],
      },
    });
    const info = await cloud().invoke(DEV.gateway.productKey, DEV.gateway.deviceName, 'QueryElevatorInfo', {});
    expect(info).toMatchObject({
      code: 200,
      data: {
        code: 0,
        ElevatorMode: 'ALL',
        ElevatorInfo: [{ ElevatorID: '01', ElevatorName: 'dongti', IsDualCardDoor: 1 }],
        FloorRoomInfo: [
          { ElevatorID: '01', Floor: '5', RoomNumber: '501' },
          { ElevatorID: '01', Floor: '5', RoomNumber: '502' },
          { ElevatorID: '01', Floor: '6', RoomNumber: '601' },
          { ElevatorID: '01', Floor: '6', RoomNumber: '602' },
        ],
      },
    });
  });

  it("a run-state report becomes the ElevatorStatus property (every car's latest)", async () => {
    expect((await eb.gateway.reportRunState([{ elevatorId: '02', currentFloor: '3', carState: 1, carDirection: 1 }])).code).toBe(0);
    const post = await cloud().waitFor(
      () =>
        cloud()
          .postsOf(DEV.gateway.productKey, DEV.gateway.deviceName)
          .find((p) => p.kind === 'property' && JSON.stringify(p.body).includes('"CurrentPosition":"3"')),
      15_000,
      'ElevatorStatus property',
    );
    expect((post.body.params as { ElevatorStatus: { value: unknown } }).ElevatorStatus.value).toEqual([
      { ElevatorID: '02', CurrentPosition: '3', CarStatus: 1, CarDirection: 1 },
    ]);
  });

  it('the relation and user APIs answer queries, refuse bad calls with 460 and unknown keys with 6460', async () => {
    const dataId = await addRelation({
      controlMode: 'CALL_WITH_TARGET',
      elevatorIotId: 'A',
      triggerIotId: 'D',
      triggerFloor: '1',
      delaySeconds: 5,
    });
    expect(await gatewayService('ElevatorLinkageDeviceQuery', { dataId })).toEqual({
      dataId,
      controlMode: 'CALL_WITH_TARGET',
      elevatorIotId: 'A',
      triggerIotId: 'D',
      triggerFloor: '1',
      delaySeconds: 5,
      executionNode: 'EDGE',
    });
    await gatewayService('ElevatorLinkageDeviceUpdate', { dataId, triggerFloor: '2', delaySeconds: 0 });
    expect(await gatewayService('ElevatorLinkageDeviceQuery', { dataId })).toMatchObject({ triggerFloor: '2', delaySeconds: 0 });
    expect(
      await cloud().invoke(GW.productKey, GW.deviceName, 'ElevatorLinkageDeviceUpdate', { dataId, controlMode: 'CALL_ONLY' }),
    ).toMatchObject({ code: 460, message: expect.stringContaining('controlMode cannot be changed') });
    expect(
      await cloud().invoke(GW.productKey, GW.deviceName, 'ElevatorLinkageDeviceAdd', {
        controlMode: 'RELEASE_ONLY',
        elevatorIotId: 'A',
        triggerIotId: 'C',
      }),
    ).toMatchObject({ code: 460, message: expect.stringContaining('triggerElevatorId is required') });
    expect(await cloud().invoke(GW.productKey, GW.deviceName, 'ElevatorLinkageDeviceQuery', { dataId: 'nope' })).toMatchObject({
      code: 6460,
    });
    await gatewayService('ElevatorLinkageUserSave', {
      dataId,
      paramType: 'CARD',
      paramValue: '77001',
      expiryTime: '2031-05-06 07:08:09',
      userTargetList: [{ targetFloor: '9' }],
    });
    expect(await gatewayService('ElevatorLinkageUserQuery', { dataId, paramType: 'CARD', paramValue: '77001' })).toEqual({
      dataId,
      paramType: 'CARD',
      paramValue: '77001',
      expiryTime: '2031-05-06 07:08:09',
      userTargetList: [{ targetFloor: '9' }],
    });
    await gatewayService('ElevatorLinkageUserDelete', { dataId, paramType: 'CARD', paramValue: '77001' });
    expect(
      await cloud().invoke(GW.productKey, GW.deviceName, 'ElevatorLinkageUserQuery', { dataId, paramType: 'CARD', paramValue: '77001' }),
    ).toMatchObject({ code: 6460 });
    await gatewayService('ElevatorLinkageDeviceDelete', { dataId });
  });
});

describe('when the linkage must not call', () => {
  it('an expired user entry calls nothing; a v1.0.1 card entry of another user still does', async () => {
    const dataId = await addRelation({ controlMode: 'CALL_WITH_TARGET', elevatorIotId: 'A', triggerIotId: 'D', triggerFloor: '1' });
    const past = formatLocalDateTime(Date.now() - 60_000, 480);
    await gatewayService('ElevatorLinkageUserSave', {
      dataId,
      identityId: 'user-expired',
      expiryTime: past,
      userTargetList: [{ targetFloor: '7' }],
    });
    permitQr(DEV.unitQr, qr(10), 'user-expired');
    const skipped = engine().stats.skipped;
    expect((await eb.unit.scanQr(qr(10))).code).toBe(0);
    await waitFor(() => engine().stats.skipped > skipped);
    // The credential-keyed (v1.0.1) entry: a card with no identity at all.
    await gatewayService('ElevatorLinkageUserSave', {
      dataId,
      paramType: 'CARD',
      paramValue: '55501',
      userTargetList: [{ targetFloor: '8' }],
    });
    const command = nextCommand(eb.gateway);
    expect((await eb.unit.reportPass('card', '55501')).code).toBe(0);
    expect(await command).toMatchObject({ path: '/elevator/call', value: { startFloor: '1', targetFloor: '8' } });
    const records = await recordsOf(eb.box.runtime.elevators!.records, dataId);
    expect(records.map((r) => r.record.mediaID)).toEqual(['55501']);
    await gatewayService('ElevatorLinkageDeviceDelete', { dataId });
  });

  it('a switched-off elevator calls nothing until switched on again; GetElevatorRuleState tells', async () => {
    const dataId = await addRelation({ controlMode: 'CALL_ONLY', elevatorIotId: 'A', triggerIotId: 'D', triggerFloor: '1' });
    await gatewayService('ElevatorLinkageUserSave', { dataId, identityId: 'user-switch' });
    permitQr(DEV.unitQr, qr(11), 'user-switch');
    expect(
      await cloud().invoke(DEV.gateway.productKey, DEV.gateway.deviceName, 'SetElevatorRuleState', { Availability: 'disable' }),
    ).toMatchObject({ code: 200, data: { code: 0 } });
    expect(await cloud().invoke(DEV.gateway.productKey, DEV.gateway.deviceName, 'GetElevatorRuleState', {})).toMatchObject({
      code: 200,
      data: { Availability: 'disable', code: 0, message: 'success' },
    });
    const skipped = engine().stats.skipped;
    expect((await eb.unit.scanQr(qr(11))).code).toBe(0);
    await waitFor(() => engine().stats.skipped > skipped);
    expect(eb.box.runtime.elevators!.records.list({ dataId })).toHaveLength(0);
    expect(
      await cloud().invoke(DEV.gateway.productKey, DEV.gateway.deviceName, 'SetElevatorRuleState', { Availability: 'off' }),
    ).toMatchObject({ code: 460 });
    await gatewayService('ElevatorLinkageUserSave', { dataId, identityId: 'user-switch' });
    expect(
      await cloud().invoke(DEV.gateway.productKey, DEV.gateway.deviceName, 'SetElevatorRuleState', { Availability: 'enable' }),
    ).toMatchObject({ code: 200, data: { code: 0 } });
    // A pass within the repeat window of the refused one is still a first call: the refused one called nothing.
    const command = nextCommand(eb.gateway);
    expect((await eb.unit.scanQr(qr(11))).code).toBe(0);
    expect(await command).toMatchObject({ path: '/elevator/call', value: { startFloor: '1' } });
    await gatewayService('ElevatorLinkageDeviceDelete', { dataId });
  });

  it('a double scan calls once', async () => {
    const dataId = await addRelation({ controlMode: 'CALL_ONLY', elevatorIotId: 'A', triggerIotId: 'D', triggerFloor: '1' });
    await gatewayService('ElevatorLinkageUserSave', { dataId, identityId: 'user-double' });
    permitQr(DEV.unitQr, qr(12), 'user-double');
    const skipped = engine().stats.skipped;
    const command = nextCommand(eb.gateway);
    expect((await eb.unit.scanQr(qr(12))).code).toBe(0);
    expect((await eb.unit.scanQr(qr(12))).code).toBe(0);
    await command;
    await waitFor(() => engine().stats.skipped > skipped);
    await waitFor(() => eb.box.runtime.elevators!.records.list({ dataId }).length === 1);
    expect(engine().waiting).toBe(0);
    await gatewayService('ElevatorLinkageDeviceDelete', { dataId });
  });

  it('a relation deleted during its delay calls nothing', async () => {
    const dataId = await addRelation({
      controlMode: 'CALL_ONLY',
      elevatorIotId: 'A',
      triggerIotId: 'D',
      triggerFloor: '1',
      delaySeconds: 1,
    });
    await gatewayService('ElevatorLinkageUserSave', { dataId, identityId: 'user-deleted' });
    permitQr(DEV.unitQr, qr(13), 'user-deleted');
    const cancelled = engine().stats.cancelled;
    const before = eb.gateway.elevatorCommands.length;
    expect((await eb.unit.scanQr(qr(13))).code).toBe(0);
    await waitFor(() => engine().waiting === 1);
    await gatewayService('ElevatorLinkageDeviceDelete', { dataId });
    await waitFor(() => engine().stats.cancelled > cancelled, 5000);
    expect(eb.gateway.elevatorCommands.length).toBe(before);
    expect(eb.box.runtime.elevators!.records.list({ dataId })).toHaveLength(0);
  });

  it('a gateway that cannot be reached gives one failure record and no retry', async () => {
    const dataId = await addRelation({ controlMode: 'CALL_WITH_TARGET', elevatorIotId: 'A', triggerIotId: 'D', triggerFloor: '1' });
    await gatewayService('ElevatorLinkageUserSave', { dataId, identityId: 'user-offline', userTargetList: [{ targetFloor: '6' }] });
    permitQr(DEV.unitQr, qr(14), 'user-offline');
    await eb.gateway.stop();
    const failed = engine().stats.failed;
    expect((await eb.unit.scanQr(qr(14))).code).toBe(0);
    await waitFor(() => engine().stats.failed > failed);
    const [stored] = eb.box.runtime.elevators!.records.list({ dataId });
    expect(stored!.record).toMatchObject({ callResultCode: 4, callResultMsg: expect.stringMatching(/^failed \+ CloudCallElevator: /) });
    expect(await recordAtCloud(stored!.record.eventId)).toMatchObject({ callResultCode: 4 });
    expect(engine().waiting).toBe(0);
    expect(eb.box.runtime.db.prepare('SELECT COUNT(*) FROM elevator_jobs').pluck().get()).toBe(0);
    expect(engine().stats.failed).toBe(failed + 1);
  });
});
