/**
 * When the person-elevator linkage must not call, on real parts (scenario-box.ts): an expired
 * user, a switched-off elevator, a double scan, a relation deleted during its delay, and a
 * gateway that cannot be reached.
 */
import { describe, expect, it } from 'vitest';
import { formatLocalDateTime } from '../../edge/access/time.js';
import { waitFor } from '../helpers/runtime.js';
import { DEV, nextCommand, recordsOf } from './rig.js';
import { qr, scenarioBox } from './scenario-box.js';

const { eb, cloud, engine, gatewayService, addRelation, permitQr, recordAtCloud } = scenarioBox();

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
    expect((await eb().unit.scanQr(qr(10))).code).toBe(0);
    await waitFor(() => engine().stats.skipped > skipped);
    // The credential-keyed (v1.0.1) entry: a card with no identity at all.
    await gatewayService('ElevatorLinkageUserSave', {
      dataId,
      paramType: 'CARD',
      paramValue: '55501',
      userTargetList: [{ targetFloor: '8' }],
    });
    const command = nextCommand(eb().gateway);
    expect((await eb().unit.reportPass('card', '55501')).code).toBe(0);
    expect(await command).toMatchObject({ path: '/elevator/call', value: { startFloor: '1', targetFloor: '8' } });
    const records = await recordsOf(eb().box.runtime.elevators!.records, dataId);
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
    expect((await eb().unit.scanQr(qr(11))).code).toBe(0);
    await waitFor(() => engine().stats.skipped > skipped);
    expect(eb().box.runtime.elevators!.records.list({ dataId })).toHaveLength(0);
    expect(
      await cloud().invoke(DEV.gateway.productKey, DEV.gateway.deviceName, 'SetElevatorRuleState', { Availability: 'off' }),
    ).toMatchObject({ code: 460 });
    await gatewayService('ElevatorLinkageUserSave', { dataId, identityId: 'user-switch' });
    expect(
      await cloud().invoke(DEV.gateway.productKey, DEV.gateway.deviceName, 'SetElevatorRuleState', { Availability: 'enable' }),
    ).toMatchObject({ code: 200, data: { code: 0 } });
    // A pass within the repeat window of the refused one is still a first call: the refused one called nothing.
    const command = nextCommand(eb().gateway);
    expect((await eb().unit.scanQr(qr(11))).code).toBe(0);
    expect(await command).toMatchObject({ path: '/elevator/call', value: { startFloor: '1' } });
    await gatewayService('ElevatorLinkageDeviceDelete', { dataId });
  });

  it('a double scan calls once', async () => {
    const dataId = await addRelation({ controlMode: 'CALL_ONLY', elevatorIotId: 'A', triggerIotId: 'D', triggerFloor: '1' });
    await gatewayService('ElevatorLinkageUserSave', { dataId, identityId: 'user-double' });
    permitQr(DEV.unitQr, qr(12), 'user-double');
    const skipped = engine().stats.skipped;
    const command = nextCommand(eb().gateway);
    expect((await eb().unit.scanQr(qr(12))).code).toBe(0);
    expect((await eb().unit.scanQr(qr(12))).code).toBe(0);
    await command;
    await waitFor(() => engine().stats.skipped > skipped);
    await waitFor(() => eb().box.runtime.elevators!.records.list({ dataId }).length === 1);
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
    const before = eb().gateway.elevatorCommands.length;
    expect((await eb().unit.scanQr(qr(13))).code).toBe(0);
    await waitFor(() => engine().waiting === 1);
    await gatewayService('ElevatorLinkageDeviceDelete', { dataId });
    await waitFor(() => engine().stats.cancelled > cancelled, 5000);
    expect(eb().gateway.elevatorCommands.length).toBe(before);
    expect(eb().box.runtime.elevators!.records.list({ dataId })).toHaveLength(0);
  });

  it('a gateway that cannot be reached gives one failure record and no retry', async () => {
    const dataId = await addRelation({ controlMode: 'CALL_WITH_TARGET', elevatorIotId: 'A', triggerIotId: 'D', triggerFloor: '1' });
    await gatewayService('ElevatorLinkageUserSave', { dataId, identityId: 'user-offline', userTargetList: [{ targetFloor: '6' }] });
    permitQr(DEV.unitQr, qr(14), 'user-offline');
    await eb().gateway.stop();
    const failed = engine().stats.failed;
    expect((await eb().unit.scanQr(qr(14))).code).toBe(0);
    await waitFor(() => engine().stats.failed > failed);
    const [stored] = eb().box.runtime.elevators!.records.list({ dataId });
    expect(stored!.record).toMatchObject({ callResultCode: 4, callResultMsg: expect.stringMatching(/^failed \+ CloudCallElevator: /) });
    expect(await recordAtCloud(stored!.record.eventId)).toMatchObject({ callResultCode: 4 });
    expect(engine().waiting).toBe(0);
    expect(eb().box.runtime.db.prepare('SELECT COUNT(*) FROM elevator_jobs').pluck().get()).toBe(0);
    expect(engine().stats.failed).toBe(failed + 1);
  });
});
