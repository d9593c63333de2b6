/**
 * Thing-model services of the logical devices → device calls (spec 000 §3.7 identifiers).
 * `remoteOpen` and `remoteControl` are the same service: the open API says remoteOpen, the
 * thing model's no-parameter remote open is remoteControl (000 L2245-2247); both are accepted.
 */
import { DRIVER_ERRORS, fail, ok, type Answer, type DeviceHandle } from '../../edge/host/sdk/driver.js';
import {
  DoorReplyError,
  DoorTransportError,
  parse,
  parseSipAccount,
  type FloorRoom,
  type TempCheckRule,
} from '../../protocols/door-standard/index.js';
import type { Role } from './config.js';
import type { Deployer } from './deployment.js';
import { callElevatorService, ELEVATOR_SERVICES } from './elevator-services.js';
import type { PassRecordArgs } from './gateway.js';
import type { IntercomStore } from './intercom-store.js';
import type { Terminal } from './terminal.js';
import { keyOf } from '../../edge/host/sdk/device-key.js';
import { platformNow } from '../../edge/host/sdk/clock.js';

export interface ServiceDeps {
  intercom: IntercomStore;
  deployer(t: Terminal): Deployer | undefined;
  setTempRule(t: Terminal, rule: TempCheckRule): void;
  /** A remote open is a pass too: answered once its record is committed. */
  recordPass(args: PassRecordArgs): Promise<{ passId: string }>;
}

const bad = (message: string): Answer => fail(DRIVER_ERRORS.EDGE_ERR_REQUEST_INVALID, message);

/** Device errors become answers: offline (EDGE_ERR_DEVICE_OFFLINE), device refusal (EDGE_ERR_DRIVER_FAILED) with the device's code. */
function answerOfDoorError(err: unknown): Answer {
  if (err instanceof DoorReplyError) return fail(DRIVER_ERRORS.EDGE_ERR_DRIVER_FAILED, err.message);
  if (err instanceof DoorTransportError) return fail(DRIVER_ERRORS.EDGE_ERR_DEVICE_OFFLINE, err.message);
  if (err instanceof RangeError) return bad(err.message);
  return fail(DRIVER_ERRORS.EDGE_ERR_INTERNAL, (err as Error).message);
}

const floorsOf = (v: unknown): FloorRoom[] | undefined =>
  Array.isArray(v)
    ? v
        .map((f) => (typeof f === 'object' && f !== null ? (f as FloorRoom) : { floor: String(f) }))
        .filter((f) => typeof f.floor === 'string' && f.floor !== '')
    : undefined;

/** One service call: the terminal, the device key of the logical device, the arguments. */
interface ServiceCall {
  deps: ServiceDeps;
  t: Terminal;
  key: string;
  args: Record<string, unknown>;
}

type ServiceHandler = (call: ServiceCall) => Promise<Answer>;

const done = async (work: Promise<unknown>): Promise<Answer> => {
  await work;
  return ok();
};

async function remoteOpen({ deps, t, key }: ServiceCall): Promise<Answer> {
  await t.client.remoteOpen();
  const r = await deps.recordPass({ deviceKey: key, kind: 'remote', content: '', code: 0, time: platformNow() });
  t.log.info({ pass: r.passId }, 'remote open recorded');
  return ok();
}

async function setTempCheckRule({ deps, t, args }: ServiceCall): Promise<Answer> {
  const rule: TempCheckRule = { isCheck: args.isCheck === 1 ? 1 : 0 };
  if (rule.isCheck === 1) {
    if (args.maxThreshold !== undefined) rule.maxThreshold = String(args.maxThreshold);
    if (args.minThreshold !== undefined) rule.minThreshold = String(args.minThreshold);
  }
  await t.client.setTempCheckRule(rule);
  deps.setTempRule(t, rule);
  return ok();
}

async function syncSipNumber({ deps, t, key, args }: ServiceCall): Promise<Answer> {
  const p = parse(parseSipAccount, args);
  if (!p.ok) return bad(p.error);
  deps.intercom.setSip(key, p.value);
  if (t.state === 'online') await t.client.syncSipNumber(p.value);
  return ok();
}

async function syncGroupIdAndRoomId({ deps, args }: ServiceCall): Promise<Answer> {
  const list = Array.isArray(args.list) ? (args.list as { roomId?: unknown; groupId?: unknown }[]) : [];
  const entries = list.map((e) => ({ roomId: String(e.roomId ?? ''), groupId: String(e.groupId ?? '') }));
  const invalid = deps.intercom.setGroups(entries, args.replace !== false);
  return invalid > 0 ? bad(`${invalid} entries with an invalid roomId or empty groupId skipped`) : ok();
}

async function callElevator({ t, args }: ServiceCall): Promise<Answer> {
  if (typeof args.startFloor !== 'string' || !args.startFloor) return bad('startFloor required');
  const dir = args.targetDirection === 1 || args.targetDirection === 2 ? args.targetDirection : undefined;
  await t.client.call({
    startFloor: args.startFloor,
    ...(typeof args.elevatorId === 'string' ? { elevatorId: args.elevatorId } : {}),
    ...(typeof args.targetFloor === 'string' ? { targetFloor: args.targetFloor } : {}),
    ...(dir ? { targetDirection: dir } : {}),
  });
  return ok();
}

const elevatorIdOf = (args: Record<string, unknown>): string | undefined =>
  typeof args.elevatorId === 'string' ? args.elevatorId : undefined;

const SERVICES: Record<string, ServiceHandler> = {
  remoteOpen,
  remoteControl: remoteOpen,
  setKeepOpen: async ({ t, args }) => {
    if (args.keepOpen !== 0 && args.keepOpen !== 1) return bad('keepOpen must be 0 or 1');
    return done(t.client.setKeepOpen({ keepOpen: args.keepOpen }));
  },
  getKeepOpen: async ({ t }) => ok(await t.client.getKeepOpen()),
  setTempCheckRule,
  syncPermissions: async ({ deps, t }) => {
    // A nudge: the access core holds what to deploy (the permission file is its business).
    deps.deployer(t)?.kickAll();
    return ok();
  },
  QueryFacePermTotal: async ({ t }) => ok({ FacePermTotal: (await t.client.queryFaces()).total }),
  SyncSipNumber: syncSipNumber,
  querySipNumber: async ({ deps, key }) => ok({ sipNumber: deps.intercom.sip(key)?.sipNumber ?? '' }),
  SyncGroupIdAndRoomId: syncGroupIdAndRoomId,
  NotifyPhoneNumberCheckResult: async ({ t, args }) => {
    if (typeof args.phoneNumber !== 'string' || (args.result !== 0 && args.result !== 1)) return bad('phoneNumber and result 0|1 required');
    return done(t.client.verifyPhoneResult({ phoneNumber: args.phoneNumber, result: args.result }));
  },
  getRunState: async ({ t, args }) =>
    ok({ states: JSON.stringify(await t.client.getRunState(Array.isArray(args.elevatorList) ? args.elevatorList.map(String) : [])) }),
  releaseFloors: async ({ t, args }) => done(t.client.releaseFloors(elevatorIdOf(args), floorsOf(args.floors))),
  activateFloor: async ({ t, args }) => {
    const floors = floorsOf(args.floors);
    if (!floors?.length) return bad('floors required');
    return done(t.client.activateFloor(elevatorIdOf(args), floors));
  },
  callElevator,
  getElevatorInfo: async ({ t }) => ok({ info: JSON.stringify(await t.client.elevatorInfo()) }),
  getRules: async ({ t }) => ok({ rules: JSON.stringify(await t.client.getRules()) }),
  setAvailability: async ({ t, args }) => {
    if (args.availability !== 'enable' && args.availability !== 'disable') return bad('availability must be enable or disable');
    return done(t.client.setAvailability(args.availability));
  },
  getAvailability: async ({ t }) => ok({ availability: await t.client.getAvailability() }),
};

/** Services a door answers without its link up: they change or read what the box keeps. */
const OFFLINE_SERVICES = ['SyncSipNumber', 'SyncGroupIdAndRoomId', 'querySipNumber', 'syncPermissions'];

export async function callService(
  deps: ServiceDeps,
  t: Terminal,
  role: Role,
  handle: DeviceHandle,
  id: string,
  args: Record<string, unknown>,
): Promise<Answer> {
  if (role === 'elevator' && ELEVATOR_SERVICES.has(id)) return callElevatorService(t, id, args);
  const needsLink = !OFFLINE_SERVICES.includes(id);
  if (needsLink && t.state !== 'online') return fail(DRIVER_ERRORS.EDGE_ERR_DEVICE_OFFLINE, `door ${t.cfg.code} is offline`);
  const handler = Object.hasOwn(SERVICES, id) ? SERVICES[id] : undefined;
  if (!handler)
    return fail(DRIVER_ERRORS.EDGE_ERR_SERVICE_UNKNOWN, `service ${id} not supported by the ${role} device of door ${t.cfg.code}`);
  try {
    return await handler({ deps, t, key: keyOf(handle), args });
  } catch (err) {
    t.log.warn({ service: id, err: (err as Error).message }, 'service failed');
    return answerOfDoorError(err);
  }
}
