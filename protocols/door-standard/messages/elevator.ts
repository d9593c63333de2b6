/** Elevator control §8 and person-elevator linkage §9 (seed 001 L36545-37786). */
import { ELEVATOR_VERSION, LIMITS } from '../endpoints.js';
import { ParamError, arr, each, int, optArr, optInt, optStr, str, type Obj } from '../validate.js';

/**
 * Every §8/§9 message carries `version` (L36565). A message without one is read as the only
 * version the seed defines; an unknown version is a parameter error (spec 001f A11).
 */
export function checkVersion(o: Obj): string {
  const v = optStr(o, 'version', { max: 10 }) ?? ELEVATOR_VERSION;
  if (v !== ELEVATOR_VERSION) throw new ParamError(`version ${v} not supported (expected ${ELEVATOR_VERSION})`);
  return v;
}

const FLOOR = { min: 1, max: 16, lenient: true } as const;

export interface RunState {
  elevatorId?: string;
  currentFloor: string;
  /** 0 stopped, 1 running. */
  carState: 0 | 1;
  /** 0 none, 1 up, 2 down. */
  carDirection: 0 | 1 | 2;
}

function parseRunStateItem(o: Obj): RunState {
  const elevatorId = optStr(o, 'elevatorId', { max: 32, lenient: true });
  const s: RunState = {
    currentFloor: str(o, 'currentFloor', FLOOR),
    carState: int(o, 'carState', { min: 0, max: 1 }) as 0 | 1,
    carDirection: int(o, 'carDirection', { min: 0, max: 2 }) as 0 | 1 | 2,
  };
  return elevatorId === undefined ? s : { elevatorId, ...s };
}

export function parseRunStates(o: Obj): RunState[] {
  return each(arr(o, 'data', { max: 256 }), 'data', parseRunStateItem);
}

/** getRunState: the table says `elevatorList`, the example sends `data` (L36673 vs L36717): read both. */
export function parseGetRunState(o: Obj): { elevatorList: string[] } {
  const list = optArr(o, 'elevatorList', { max: 256 }) ?? optArr(o, 'data', { max: 256 }) ?? [];
  if (!list.every((x) => typeof x === 'string')) throw new ParamError('elevatorList must be strings');
  return { elevatorList: list as string[] };
}

export interface FloorRoom {
  floor: string;
  roomNumber?: string;
}

function parseFloorRoom(o: Obj, roomKey: 'room' | 'roomNumber', floorRequired: boolean): FloorRoom {
  const floor = floorRequired ? str(o, 'floor', FLOOR) : (optStr(o, 'floor', FLOOR) ?? '');
  const room =
    optStr(o, roomKey, { max: 16, lenient: true }) ?? optStr(o, roomKey === 'room' ? 'roomNumber' : 'room', { max: 16, lenient: true });
  return room === undefined ? { floor } : { floor, roomNumber: room };
}

export interface FloorCommand {
  elevatorId?: string;
  floorRoomList?: FloorRoom[];
}

/** releaseFloors uses `room`, activateFloor `roomNumber` (L36790 vs L36880); both are read. */
export function parseFloorCommand(o: Obj, roomKey: 'room' | 'roomNumber'): FloorCommand {
  const elevatorId = optStr(o, 'elevatorId', { max: 32, lenient: true });
  const list = optArr(o, 'floorRoomList', { max: 256 });
  const floorRoomList = list ? each(list, 'floorRoomList', (x) => parseFloorRoom(x, roomKey, roomKey === 'roomNumber')) : undefined;
  return { ...(elevatorId !== undefined ? { elevatorId } : {}), ...(floorRoomList ? { floorRoomList } : {}) };
}

export interface ElevatorCall {
  elevatorId?: string;
  startFloor: string;
  startRoom?: string;
  targetFloor?: string;
  targetRoom?: string;
  targetDirection?: 1 | 2;
}

export function parseElevatorCall(o: Obj): ElevatorCall {
  const c: ElevatorCall = { startFloor: str(o, 'startFloor', FLOOR) };
  for (const k of ['elevatorId', 'startRoom', 'targetFloor', 'targetRoom'] as const) {
    const v = optStr(o, k, { max: 32, lenient: true }); // `targetFloor: 8` is a number in the example (L37015)
    if (v !== undefined) c[k] = v;
  }
  const dir = optInt(o, 'targetDirection', { min: 1, max: 2 });
  if (dir !== undefined) c.targetDirection = dir as 1 | 2;
  return c;
}

export type ElevatorMode = 'SINGLE' | 'GROUP' | 'ALL';

export interface ElevatorInfo {
  elevatorMode: ElevatorMode;
  floorInfoList: {
    elevatorId?: string;
    elevatorName?: string;
    isDualCardDoor: boolean;
    floorInfo: { floor: string; roomList?: string[] }[];
  }[];
}

export function parseElevatorInfo(o: Obj): ElevatorInfo {
  const mode = str(o, 'elevatorMode', { max: 8 });
  if (mode !== 'SINGLE' && mode !== 'GROUP' && mode !== 'ALL') throw new ParamError('elevatorMode must be SINGLE, GROUP or ALL');
  const floorInfoList = each(optArr(o, 'floorInfoList', { max: 256 }) ?? [], 'floorInfoList', (e) => {
    if (typeof e.isDualCardDoor !== 'boolean') throw new ParamError('isDualCardDoor is required');
    const floorInfo = each(arr(e, 'floorInfo', { max: 512 }), 'floorInfo', (f) => {
      const roomList = optArr(f, 'roomList', { max: 256 });
      if (roomList && !roomList.every((r) => typeof r === 'string')) throw new ParamError('roomList must be strings');
      return { floor: str(f, 'floor', FLOOR), ...(roomList ? { roomList: roomList as string[] } : {}) };
    });
    const elevatorId = optStr(e, 'elevatorId', { max: 32 });
    const elevatorName = optStr(e, 'elevatorName', { max: 64 });
    return {
      ...(elevatorId !== undefined ? { elevatorId } : {}),
      ...(elevatorName !== undefined ? { elevatorName } : {}),
      isDualCardDoor: e.isDualCardDoor,
      floorInfo,
    };
  });
  return { elevatorMode: mode, floorInfoList };
}

export const CONTROL_MODES = ['CALL_ONLY', 'CALL_WITH_TARGET', 'RELEASE_ONLY', 'ACTIVATE_ONLY'] as const;
export type ControlMode = (typeof CONTROL_MODES)[number];

export interface ElevatorRule {
  /** 1 add, 2 delete, 3 update, 4 delete all (L37200). The sync example omits it; absent = add. */
  type: 1 | 2 | 3 | 4;
  ruleId?: string;
  elevatorId?: string;
  userId?: string;
  controlMode?: ControlMode;
  startFloor?: string;
  startRoom?: string;
  targetFloorRoomList?: FloorRoom[];
  delaySeconds?: number;
  effectiveTime?: string;
  expiryTime?: string;
}

function parseControlMode(o: Obj, required: boolean): ControlMode | undefined {
  const m = required ? str(o, 'controlMode', { max: 20 }) : optStr(o, 'controlMode', { max: 20 });
  if (m !== undefined && !(CONTROL_MODES as readonly string[]).includes(m))
    throw new ParamError(`controlMode must be one of ${CONTROL_MODES.join(', ')}`);
  return m as ControlMode | undefined;
}

export function parseRule(o: Obj): ElevatorRule {
  const r: ElevatorRule = { type: (optInt(o, 'type', { min: 1, max: 4 }) ?? 1) as ElevatorRule['type'] };
  for (const k of ['ruleId', 'elevatorId', 'userId', 'startFloor', 'startRoom', 'effectiveTime', 'expiryTime'] as const) {
    const v = optStr(o, k, { max: 64, lenient: true });
    if (v !== undefined) r[k] = v;
  }
  const mode = parseControlMode(o, false);
  if (mode) r.controlMode = mode;
  const list = optArr(o, 'targetFloorRoomList', { max: 100 });
  if (list) r.targetFloorRoomList = each(list, 'targetFloorRoomList', (x) => parseFloorRoom(x, 'roomNumber', false));
  const delay = optInt(o, 'delaySeconds', { min: 0, max: LIMITS.ruleDelayMaxS, lenient: true });
  if (delay !== undefined) r.delaySeconds = delay;
  if (r.type !== 4 && r.ruleId === undefined) throw new ParamError('ruleId is required for types 1-3');
  return r;
}

export function parseRuleSync(o: Obj): ElevatorRule[] {
  return each(arr(o, 'rules', { min: 1, max: LIMITS.ruleSyncBatch }), 'rules', parseRule);
}

export interface RuleReport {
  ruleId: string;
  elevatorId?: string;
  userId: string;
  authType: 'face' | 'qrcode' | 'card' | 'bluetooth';
  authContent: string;
  controlMode: ControlMode;
  startFloor?: string;
  startRoom?: string;
  targetFloorRoomList?: FloorRoom[];
  delaySeconds?: number;
}

/** `/elevator/rule/report` with the per-mode field matrix of L37561-37625. */
export function parseRuleReport(o: Obj): RuleReport {
  const authType = str(o, 'authType', { max: 10 });
  if (!['face', 'qrcode', 'card', 'bluetooth'].includes(authType)) throw new ParamError('authType must be face, qrcode, card or bluetooth');
  const controlMode = parseControlMode(o, true)!;
  const rule = parseRule({ ...o, type: 1 });
  const r: RuleReport = {
    ruleId: str(o, 'ruleId', { max: 64 }),
    userId: str(o, 'userId', { max: 64, lenient: true }),
    authType: authType as RuleReport['authType'],
    authContent: str(o, 'authContent', { min: 1, max: 64 }),
    controlMode,
  };
  if (rule.elevatorId !== undefined) r.elevatorId = rule.elevatorId;
  if (rule.delaySeconds !== undefined) r.delaySeconds = rule.delaySeconds;
  const calls = controlMode === 'CALL_ONLY' || controlMode === 'CALL_WITH_TARGET';
  if (calls) {
    if (rule.startFloor === undefined) throw new ParamError(`startFloor is required for ${controlMode}`);
    r.startFloor = rule.startFloor;
    if (rule.startRoom !== undefined) r.startRoom = rule.startRoom;
  } else if (rule.startFloor !== undefined || rule.startRoom !== undefined) {
    throw new ParamError(`startFloor and startRoom are not sent for ${controlMode}`);
  }
  if (controlMode !== 'CALL_ONLY') {
    const list = rule.targetFloorRoomList ?? [];
    if (list.length === 0 || list.some((f) => f.floor === ''))
      throw new ParamError(`targetFloorRoomList with floors is required for ${controlMode}`);
    r.targetFloorRoomList = list;
  }
  return r;
}

export interface RulePage {
  currentPage: number;
  pageCount: number;
  pageSize: number;
  userData: ElevatorRule[];
}

export function parseRulePage(o: Obj): RulePage {
  return {
    currentPage: int(o, 'currentPage', { min: 0, lenient: true }),
    pageCount: int(o, 'pageCount', { min: 0, lenient: true }),
    pageSize: int(o, 'pageSize', { min: 0, lenient: true }),
    userData: each(optArr(o, 'userData', { max: 10_000 }) ?? [], 'userData', parseRule),
  };
}

export type Availability = 'enable' | 'disable';

export function parseAvailability(o: Obj): Availability {
  const a = str(o, 'availability', { max: 8 });
  if (a !== 'enable' && a !== 'disable') throw new ParamError('availability must be enable or disable');
  return a;
}
