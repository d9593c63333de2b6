/**
 * The elevator-gateway thing model (product PEElevatorGateway, config/tsl) on the door standard
 * protocol's elevator endpoints (§8, seed 001 L36545-37156). The five services are the seed's
 * `梯控物模型服务定义` (seed 001 L26541-26756 = seed 000 L1481-1706) with their identifiers;
 * `ReleaseFloors` and `ActivateFloor` are the box's extensions for the in-car linkage modes (the
 * seed's model has no service for them; docs/elevators.md).
 *
 * Every service answers the Alink call with success and carries the seed's own result in its
 * output: `code 0 success`, or `code 4 send to device fail` when the gateway could not be reached
 * or refused (the answer's `message` then names the cause, for the linkage record's
 * `failed + <detail>`). A request the device protocol cannot carry (no start floor) is refused
 * at the boundary with 460.
 */
import { DRIVER_ERRORS, fail, ok, type Answer } from '../../edge/host/sdk/driver.js';
import { DoorCode, DoorReplyError, type ElevatorInfo, type FloorRoom, type RunState } from '../../protocols/door-standard/index.js';
import type { Terminal } from './terminal.js';

/** The seed's result codes of every elevator service (L26576-26580). */
export const ELEVATOR_RESULT = {
  SUCCESS: { code: 0, message: 'success' },
  SEND_FAIL: { code: 4, message: 'send to device fail' },
} as const;

export const ELEVATOR_SERVICES: ReadonlySet<string> = new Set([
  'CloudCallElevator',
  'QueryElevatorStatus',
  'QueryElevatorInfo',
  'SetElevatorRuleState',
  'GetElevatorRuleState',
  'ReleaseFloors',
  'ActivateFloor',
]);

/** One entry of `ElevatorStatus` (L26600-26626). */
export interface ElevatorStatusEntry {
  ElevatorID: string;
  CurrentPosition: string;
  CarStatus: -1 | 0 | 1;
  CarDirection: -1 | 0 | 1 | 2;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

/**
 * The device's run state (`currentFloor`, `carState` 0/1, `carDirection` 0/1/2, L36580-36600)
 * as the thing model's (`CurrentPosition`, `CarStatus`, `CarDirection` with -1 unknown): a field
 * the device did not give (all are optional in getRunState's reply, L36685-36700) is -1.
 */
export function toElevatorStatus(s: Partial<Record<keyof RunState, unknown>>): ElevatorStatusEntry {
  const carState = s.carState === 0 || s.carState === 1 ? s.carState : -1;
  const carDirection = s.carDirection === 0 || s.carDirection === 1 || s.carDirection === 2 ? s.carDirection : -1;
  return {
    ElevatorID: str(s.elevatorId) ?? '',
    CurrentPosition: str(s.currentFloor) ?? '',
    CarStatus: carState,
    CarDirection: carDirection,
  };
}

/** `/elevator/info/get` data (L37060-37110) as `ElevatorMode`, `ElevatorInfo[]`, `FloorRoomInfo[]` (L26640-26690). */
export function toElevatorInfo(info: ElevatorInfo): Record<string, unknown> {
  const elevators = info.floorInfoList.map((e) => ({
    ElevatorID: e.elevatorId ?? '',
    ElevatorName: e.elevatorName ?? '',
    IsDualCardDoor: e.isDualCardDoor ? 1 : 0,
  }));
  const floors = info.floorInfoList.flatMap((e) =>
    e.floorInfo.flatMap((f) =>
      (f.roomList?.length ? f.roomList : ['']).map((room) => ({ ElevatorID: e.elevatorId ?? '', Floor: f.floor, RoomNumber: room })),
    ),
  );
  return { ElevatorMode: info.elevatorMode, ElevatorInfo: elevators, FloorRoomInfo: floors.slice(0, 512) };
}

function floorsOf(v: unknown): FloorRoom[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return (v as Array<{ Floor?: unknown; RoomNumber?: unknown }>)
    .map((f) => ({ floor: String(f.Floor ?? ''), ...(f.RoomNumber ? { roomNumber: String(f.RoomNumber) } : {}) }))
    .filter((f) => f.floor !== '');
}

const nonEmpty = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Code 4 with the cause in the answer's message (the seed's output keeps its own two fields). */
const sendFail = (detail: string, data: Record<string, unknown> = {}): Answer => ({
  code: 200,
  message: detail,
  data: { ...data, ...ELEVATOR_RESULT.SEND_FAIL },
});

export async function callElevatorService(t: Terminal, id: string, args: Record<string, unknown>): Promise<Answer> {
  if (id === 'CloudCallElevator' && !nonEmpty(args.StartFloor)) {
    // [seed 001 L36957] the device's /elevator/call needs startFloor; the thing model does not say (spec 001d §3.C7).
    return fail(DRIVER_ERRORS.EDGE_ERR_REQUEST_INVALID, "StartFloor is required (the gateway's /elevator/call needs a start floor)");
  }
  if (id === 'SetElevatorRuleState' && args.Availability !== 'enable' && args.Availability !== 'disable') {
    return fail(DRIVER_ERRORS.EDGE_ERR_REQUEST_INVALID, 'Availability must be "enable" or "disable"');
  }
  const empty =
    id === 'QueryElevatorStatus'
      ? { ElevatorStatus: [] }
      : id === 'QueryElevatorInfo'
        ? { ElevatorMode: '', ElevatorInfo: [], FloorRoomInfo: [] }
        : id === 'GetElevatorRuleState'
          ? { Availability: '' }
          : {};
  const runsRules = t.device('elevator')?.custom.linkage === true;
  // Without rules of its own the gateway has no switch to ask: the box's switch is the one
  // (edge/elevators answers this service before it reaches the driver).
  if (id === 'GetElevatorRuleState' && !runsRules) return ok({ Availability: 'enable', ...ELEVATOR_RESULT.SUCCESS });
  if (t.state !== 'online') return sendFail(`gateway ${t.cfg.code} is offline`, empty);
  const c = t.client;
  try {
    switch (id) {
      case 'CloudCallElevator': {
        const dir = args.TargetDirection === 1 || args.TargetDirection === 2 ? args.TargetDirection : undefined;
        const elevatorId = nonEmpty(args.ElevatorID);
        const startRoom = nonEmpty(args.StartRoomNumber);
        const targetFloor = nonEmpty(args.TargetFloor);
        const targetRoom = nonEmpty(args.TargetRoomNumber);
        await c.call({
          startFloor: String(args.StartFloor),
          ...(elevatorId ? { elevatorId } : {}),
          ...(startRoom ? { startRoom } : {}),
          ...(targetFloor ? { targetFloor } : {}),
          ...(targetRoom ? { targetRoom } : {}),
          ...(dir ? { targetDirection: dir } : {}),
        });
        return ok({ ...ELEVATOR_RESULT.SUCCESS });
      }
      case 'QueryElevatorStatus': {
        const states = await c.getRunState();
        return ok({
          ElevatorStatus: states
            .filter((s) => typeof s === 'object' && s !== null)
            .slice(0, 64)
            .map(toElevatorStatus),
          ...ELEVATOR_RESULT.SUCCESS,
        });
      }
      case 'QueryElevatorInfo':
        return ok({ ...toElevatorInfo(await c.elevatorInfo()), ...ELEVATOR_RESULT.SUCCESS });
      case 'SetElevatorRuleState':
        // The box keeps the switch of the linkage it runs itself (edge/elevators); a gateway that
        // runs linkage rules itself (custom.linkage) gets it too (§9.4, L37667-37722).
        if (runsRules) await c.setAvailability(args.Availability as 'enable' | 'disable');
        return ok({ ...ELEVATOR_RESULT.SUCCESS });
      case 'GetElevatorRuleState':
        return ok({ Availability: await c.getAvailability(), ...ELEVATOR_RESULT.SUCCESS });
      case 'ReleaseFloors':
        await c.releaseFloors(nonEmpty(args.ElevatorID), floorsOf(args.FloorRoomList));
        return ok({ ...ELEVATOR_RESULT.SUCCESS });
      case 'ActivateFloor': {
        const floors = floorsOf(args.FloorRoomList);
        if (!floors?.length)
          return fail(DRIVER_ERRORS.EDGE_ERR_REQUEST_INVALID, 'FloorRoomList with at least one Floor is required (L36880)');
        await c.activateFloor(nonEmpty(args.ElevatorID), floors);
        return ok({ ...ELEVATOR_RESULT.SUCCESS });
      }
      default:
        return fail(DRIVER_ERRORS.EDGE_ERR_SERVICE_UNKNOWN, `service ${id} not supported by elevator gateway ${t.cfg.code}`);
    }
  } catch (err) {
    const detail = (err as Error).message;
    // [seed 001 L35060] code 4: our token is stale, connect again.
    if (err instanceof DoorReplyError && err.code === DoorCode.TOKEN_INVALID) t.reconnect();
    t.log.warn({ service: id, err: detail }, 'elevator service failed');
    return sendFail(detail, empty);
  }
}
