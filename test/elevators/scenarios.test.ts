/**
 * The seed's five elevator scenarios (seed 000 L1706-1895 = seed 001 L26757-26945) end to end on
 * real parts: the cloud stand-in sets the relations and users up through the box's gateway
 * services, a simulated door reports a pass, the box's linkage calls the simulated elevator
 * gateway over the door standard protocol, and the AutoElevatorCallRecord reaches the stand-in.
 */
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/runtime.js';
import { DAY, DEV, GW, key, nextCommand } from './rig.js';
import { qr, scenarioBox, USER } from './scenario-box.js';

const { eb, cloud, gatewayService, addRelation, permitQr, recordAtCloud } = scenarioBox();

describe('the seed scenarios', () => {
  it("S1: a card swipe in car X lights the user's one target floor (ACTIVATE_ONLY)", async () => {
    const dataId = await addRelation({ controlMode: 'ACTIVATE_ONLY', elevatorIotId: 'A', triggerIotId: 'B', triggerElevatorId: 'X' });
    await gatewayService('ElevatorLinkageUserSave', {
      dataId,
      identityId: USER,
      userTargetList: [{ targetFloor: '10', targetRoomNo: '01' }],
    });
    // The card is the user's through its door permission (the card pass itself names no one).
    eb().box.runtime.access!.applyPermissionText(
      key(DEV.carB),
      JSON.stringify({
        tradCardPermissionList: [
          { type: 1, cardId: '10086001', userId: USER, effectiveTime: String(Date.now() - DAY), expiryTime: String(Date.now() + DAY) },
        ],
      }),
    );
    const command = nextCommand(eb().gateway);
    expect((await eb().carB.reportPass('card', '10086001')).code).toBe(0);
    expect(await command).toMatchObject({
      path: '/elevator/activateFloor',
      value: { elevatorId: 'X', floorRoomList: [{ floor: '10', roomNumber: '01' }] },
    });
    // The wire body is the seed's: version, token, elevatorId, floorRoomList with roomNumber (L36880-36905).
    expect(eb().gateway.calls.at(-1)!.body).toEqual({
      version: '2021-12-13',
      token: expect.any(String),
      elevatorId: 'X',
      floorRoomList: [{ floor: '10', roomNumber: '01' }],
    });
    const stored = await waitFor(() => eb().box.runtime.elevators!.records.list({ dataId })[0]);
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
    const command = nextCommand(eb().gateway);
    expect((await eb().carC.scanQr(qr(2))).code).toBe(0);
    expect(await command).toMatchObject({
      path: '/elevator/releaseFloors',
      value: { elevatorId: 'X', floorRoomList: [{ floor: '10', roomNumber: '01' }, { floor: '11', roomNumber: '02' }, { floor: '12' }] },
    });
    // releaseFloors names the room `room` on the wire (L36790-36810).
    expect(eb().gateway.calls.at(-1)!.body.floorRoomList).toEqual([
      { floor: '10', room: '01' },
      { floor: '11', room: '02' },
      { floor: '12' },
    ]);
    const stored = await waitFor(() => eb().box.runtime.elevators!.records.list({ dataId })[0]);
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
    const command = nextCommand(eb().gateway);
    expect((await eb().unit.scanQr(qr(3))).code).toBe(0);
    expect(await command).toMatchObject({ path: '/elevator/call', value: { startFloor: '1', targetFloor: '10', targetRoom: '01' } });
    expect(eb().gateway.calls.at(-1)!.body).toEqual({
      version: '2021-12-13',
      token: expect.any(String),
      startFloor: '1',
      targetFloor: '10',
      targetRoom: '01',
    });
    const stored = await waitFor(() => eb().box.runtime.elevators!.records.list({ dataId })[0]);
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
    const command = nextCommand(eb().gateway);
    expect((await eb().unit.scanQr(qr(4))).code).toBe(0);
    const c = await command;
    expect(c).toMatchObject({ path: '/elevator/call', value: { startFloor: '1' } });
    expect(c.value).not.toHaveProperty('targetFloor');
    const stored = await waitFor(() => eb().box.runtime.elevators!.records.list({ dataId })[0]);
    expect(await recordAtCloud(stored.record.eventId)).toMatchObject({
      startFloor: '1',
      targetList: '[]',
      identityID: 'user-s4',
      callResultCode: 200,
    });
  });

  it("S5: the cloud's remote call arrives as CloudCallElevator and reaches the gateway as /elevator/call", async () => {
    const command = nextCommand(eb().gateway);
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
    expect((await eb().gateway.reportRunState([{ elevatorId: '02', currentFloor: '3', carState: 1, carDirection: 1 }])).code).toBe(0);
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
