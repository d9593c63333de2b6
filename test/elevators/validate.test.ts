/**
 * The linkage API's boundary (R2-R5) and the controlMode mapping decisions (R7,
 * docs/elevators.md), on the seed's own examples (seed 001 L26757-26945).
 */
import { describe, expect, it } from 'vitest';
import { EdgeError, ERRORS } from '../../edge/errors.js';
import { commandsFor, directionOf } from '../../edge/elevators/mapping.js';
import { parseRelationAdd, parseRelationUpdate, parseUserSave, userKeyOf, type Relation } from '../../edge/elevators/validate.js';

const id = () => 'generated';
const refused = (fn: () => unknown, text: RegExp): void => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(EdgeError);
    expect((err as EdgeError).alink).toBe(ERRORS.EDGE_ERR_ELEVATOR_PARAM.alink);
    expect((err as Error).message).toMatch(text);
    return;
  }
  throw new Error('not refused');
};

// The seed's scenario relations (L26785, L26826, L26875).
const S1 = { controlMode: 'ACTIVATE_ONLY', elevatorIotId: 'A', triggerIotId: 'B', triggerElevatorId: 'X' };
const S2 = { controlMode: 'RELEASE_ONLY', elevatorIotId: 'A', triggerIotId: 'C', triggerElevatorId: 'X' };
const S3 = { controlMode: 'CALL_WITH_TARGET', elevatorIotId: 'A', triggerIotId: 'D', triggerFloor: '1' };
const USER = '500eopb710fa6e2af4e85fcae3388cdb3dad2900';

describe('relations (R2, R3)', () => {
  it('accepts the seed examples and fills the defaults', () => {
    expect(parseRelationAdd(S1, id)).toEqual({ ...S1, dataId: 'generated', delaySeconds: 0, executionNode: 'EDGE' });
    expect(parseRelationAdd({ ...S3, dataId: 'cloud-1', delaySeconds: 300, executionNode: 'EDGE' }, id)).toMatchObject({
      dataId: 'cloud-1',
      delaySeconds: 300,
    });
  });

  it('refuses a mode without its location, a delay over 300 s, another execution node, an unknown mode', () => {
    refused(() => parseRelationAdd({ ...S3, triggerFloor: '' }, id), /triggerFloor is required for CALL_WITH_TARGET/);
    refused(
      () => parseRelationAdd({ controlMode: 'CALL_ONLY', elevatorIotId: 'A', triggerIotId: 'D' }, id),
      /triggerFloor is required for CALL_ONLY/,
    );
    refused(() => parseRelationAdd({ ...S1, triggerElevatorId: undefined }, id), /triggerElevatorId is required for ACTIVATE_ONLY/);
    refused(() => parseRelationAdd({ ...S2, triggerElevatorId: null }, id), /triggerElevatorId is required for RELEASE_ONLY/);
    refused(() => parseRelationAdd({ ...S3, delaySeconds: 301 }, id), /delaySeconds at most 300/);
    refused(() => parseRelationAdd({ ...S3, delaySeconds: 1.5 }, id), /whole number/);
    refused(() => parseRelationAdd({ ...S3, executionNode: 'CLOUD' }, id), /executionNode must be EDGE/);
    refused(() => parseRelationAdd({ ...S3, controlMode: 'CALL' }, id), /controlMode must be one of/);
    refused(() => parseRelationAdd({ ...S3, elevatorIotId: '' }, id), /elevatorIotId is required/);
  });

  it('updates only triggerFloor, triggerRoomNo and delaySeconds; the rest is immutable', () => {
    const r = parseRelationAdd({ ...S3, dataId: 'd3' }, id);
    expect(parseRelationUpdate({ dataId: 'd3', triggerFloor: '2', triggerRoomNo: '01', delaySeconds: 10 }, r)).toEqual({
      ...r,
      triggerFloor: '2',
      triggerRoomNo: '01',
      delaySeconds: 10,
    });
    // The same value again is no change.
    expect(parseRelationUpdate({ dataId: 'd3', controlMode: 'CALL_WITH_TARGET' }, r)).toEqual(r);
    refused(() => parseRelationUpdate({ dataId: 'd3', controlMode: 'CALL_ONLY' }, r), /controlMode cannot be changed/);
    refused(() => parseRelationUpdate({ dataId: 'd3', elevatorIotId: 'Z' }, r), /elevatorIotId cannot be changed/);
    refused(() => parseRelationUpdate({ dataId: 'd3', triggerIotId: 'Z' }, r), /triggerIotId cannot be changed/);
    refused(() => parseRelationUpdate({ dataId: 'd3', executionNode: 'CLOUD' }, r), /executionNode cannot be changed/);
    // Clearing the floor of a call mode breaks R2 and is refused too.
    refused(() => parseRelationUpdate({ dataId: 'd3', triggerFloor: '' }, r), /triggerFloor is required/);
    refused(() => parseRelationUpdate({ dataId: 'd3', delaySeconds: 400 }, r), /delaySeconds at most 300/);
  });
});

describe('user data in both versions (R4, R5)', () => {
  it('v1.0.2 by identityId: the seed examples; CALL_ONLY may have no targets, ACTIVATE_ONLY at most one, others 100', () => {
    const u = parseUserSave(
      { dataId: 'xxx', identityId: USER, userTargetList: [{ targetFloor: '10', targetRoomNo: '01' }] },
      'ACTIVATE_ONLY',
      480,
    );
    expect(u).toEqual({
      dataId: 'xxx',
      paramType: 'IDENTITY',
      paramValue: USER,
      version: '1.0.2',
      expiryTime: '',
      expiryMs: undefined,
      userTargetList: [{ targetFloor: '10', targetRoomNo: '01' }],
    });
    const s2 = parseUserSave(
      {
        dataId: 'xxx',
        identityId: USER,
        userTargetList: [{ targetFloor: '10', targetRoomNo: '01' }, { targetFloor: '11', targetRoomNo: '02' }, { targetFloor: '12' }],
      },
      'RELEASE_ONLY',
      480,
    );
    expect(s2.userTargetList).toEqual([
      { targetFloor: '10', targetRoomNo: '01' },
      { targetFloor: '11', targetRoomNo: '02' },
      { targetFloor: '12' },
    ]);
    expect(parseUserSave({ dataId: 'x', identityId: USER }, 'CALL_ONLY', 480).userTargetList).toEqual([]);
    refused(
      () => parseUserSave({ dataId: 'x', identityId: USER }, 'CALL_WITH_TARGET', 480),
      /userTargetList is required for CALL_WITH_TARGET/,
    );
    refused(
      () =>
        parseUserSave(
          { dataId: 'x', identityId: USER, userTargetList: [{ targetFloor: '1' }, { targetFloor: '2' }] },
          'ACTIVATE_ONLY',
          480,
        ),
      /at most 1 target for ACTIVATE_ONLY/,
    );
    const many = Array.from({ length: 101 }, (_, i) => ({ targetFloor: String(i + 1) }));
    refused(() => parseUserSave({ dataId: 'x', identityId: USER, userTargetList: many }, 'RELEASE_ONLY', 480), /at most 100 targets/);
    expect(
      parseUserSave({ dataId: 'x', identityId: USER, userTargetList: many.slice(0, 100) }, 'RELEASE_ONLY', 480).userTargetList,
    ).toHaveLength(100);
    refused(
      () => parseUserSave({ dataId: 'x', identityId: USER, userTargetList: [{ targetRoomNo: '01' }] }, 'RELEASE_ONLY', 480),
      /targetFloor is required/,
    );
  });

  it('reads expiryTime as 24-hour local time of the box zone; empty is permanent; anything else is refused', () => {
    const u = parseUserSave({ dataId: 'x', identityId: USER, expiryTime: '2030-01-02 13:04:05' }, 'CALL_ONLY', 480);
    expect(u.expiryMs).toBe(Date.UTC(2030, 0, 2, 5, 4, 5));
    expect(parseUserSave({ dataId: 'x', identityId: USER, expiryTime: '' }, 'CALL_ONLY', 480).expiryMs).toBeUndefined();
    refused(
      () => parseUserSave({ dataId: 'x', identityId: USER, expiryTime: '2030-01-02 25:00:00' }, 'CALL_ONLY', 480),
      /expiryTime must be/,
    );
    refused(
      () => parseUserSave({ dataId: 'x', identityId: USER, expiryTime: '2030/01/02 10:00:00' }, 'CALL_ONLY', 480),
      /expiryTime must be/,
    );
  });

  it('v1.0.1 by credential: paramType IDENTITY, QRCODE or CARD, paramValue ≤ 1024, targets always required', () => {
    const q = parseUserSave(
      { dataId: 'x', paramType: 'QRCODE', paramValue: 'ALI5466697328cff9121c21cf59dcec4', userTargetList: [{ targetFloor: '9' }] },
      'CALL_ONLY',
      480,
    );
    expect(q).toMatchObject({ paramType: 'QRCODE', paramValue: 'ALI5466697328cff9121c21cf59dcec4', version: '1.0.1' });
    refused(() => parseUserSave({ dataId: 'x', paramType: 'CARD', paramValue: '123' }, 'CALL_ONLY', 480), /userTargetList is required/);
    refused(
      () => parseUserSave({ dataId: 'x', paramType: 'PHONE', paramValue: '1', userTargetList: [{ targetFloor: '9' }] }, 'CALL_ONLY', 480),
      /paramType must be one of/,
    );
    refused(
      () =>
        parseUserSave(
          { dataId: 'x', paramType: 'CARD', paramValue: 'x'.repeat(1025), userTargetList: [{ targetFloor: '9' }] },
          'CALL_ONLY',
          480,
        ),
      /paramValue longer than 1024/,
    );
    refused(() => userKeyOf({ dataId: 'x', identityId: USER, paramType: 'CARD', paramValue: '1' }), /not both/);
    // A v1.0.1 IDENTITY entry and a v1.0.2 entry of the same person are one entry.
    expect(userKeyOf({ dataId: 'x', paramType: 'IDENTITY', paramValue: USER })).toMatchObject({ paramType: 'IDENTITY', paramValue: USER });
    expect(userKeyOf({ dataId: 'x', identityId: USER })).toMatchObject({ paramType: 'IDENTITY', paramValue: USER });
  });
});

describe('controlMode → elevator commands (R7 decisions)', () => {
  const rel = (o: Partial<Relation>): Relation => ({
    dataId: 'd',
    controlMode: 'CALL_ONLY',
    elevatorIotId: 'A',
    triggerIotId: 'D',
    delaySeconds: 0,
    executionNode: 'EDGE',
    ...o,
  });
  const t = (f: string, r?: string) => (r ? { targetFloor: f, targetRoomNo: r } : { targetFloor: f });

  it('CALL_ONLY calls to the trigger floor and ignores the targets (L26897-26921)', () => {
    expect(commandsFor(rel({ triggerFloor: '1', triggerRoomNo: '02' }), [t('10', '01')])).toEqual([
      { service: 'CloudCallElevator', args: { StartFloor: '1', StartRoomNumber: '02' } },
    ]);
  });

  it('CALL_WITH_TARGET: one target rides along; several: hall call with direction, then release', () => {
    const r = rel({ controlMode: 'CALL_WITH_TARGET', triggerFloor: '1' });
    expect(commandsFor(r, [t('10', '01')])).toEqual([
      { service: 'CloudCallElevator', args: { StartFloor: '1', TargetFloor: '10', TargetRoomNumber: '01' } },
    ]);
    expect(commandsFor(r, [t('10', '01'), t('12')])).toEqual([
      { service: 'CloudCallElevator', args: { StartFloor: '1', TargetDirection: 1 } },
      { service: 'ReleaseFloors', args: { FloorRoomList: [{ Floor: '10', RoomNumber: '01' }, { Floor: '12' }] } },
    ]);
    expect(directionOf('20', [t('3'), t('-1')])).toBe(2);
    expect(directionOf('5', [t('3'), t('9')])).toBeUndefined();
    expect(directionOf('1', [t('B1')])).toBeUndefined();
  });

  it('RELEASE_ONLY releases every target in the car; ACTIVATE_ONLY lights the one target', () => {
    expect(commandsFor(rel({ controlMode: 'RELEASE_ONLY', triggerElevatorId: 'X' }), [t('10', '01'), t('11', '02'), t('12')])).toEqual([
      {
        service: 'ReleaseFloors',
        args: { ElevatorID: 'X', FloorRoomList: [{ Floor: '10', RoomNumber: '01' }, { Floor: '11', RoomNumber: '02' }, { Floor: '12' }] },
      },
    ]);
    expect(commandsFor(rel({ controlMode: 'ACTIVATE_ONLY', triggerElevatorId: 'X' }), [t('10', '01')])).toEqual([
      { service: 'ActivateFloor', args: { ElevatorID: 'X', FloorRoomList: [{ Floor: '10', RoomNumber: '01' }] } },
    ]);
  });
});
