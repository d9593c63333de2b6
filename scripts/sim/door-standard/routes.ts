/**
 * The door's E→D endpoints (the box calls them): `/connect` with its sign check, then every other
 * path behind the token the door issued, its body parsed by the protocol's parser, one handler
 * each. The handlers change the door's stored state (door-state.ts) or answer from it.
 */
import {
  DoorCode,
  type DoorReply,
  type DoorRequest,
  type DoorRoute,
  type ElevatorCall,
  type FloorCommand,
  type Obj,
  type Parsed,
  type RunState,
  type TokenTable,
  checkVersion,
  failure,
  parse,
  parseAvailability,
  parseConnectRequest,
  parseElevatorCall,
  parseFloorCommand,
  parseGetRunState,
  parseKeepOpenData,
  parseQueryFaces,
  parseRuleSync,
  parseSipAccount,
  parseSyncFaces,
  parseSyncPermissions,
  parseTempCheckRule,
  parseVerifyPhoneResult,
  success,
  verifySign,
} from '../../../protocols/door-standard/index.js';
import type { ElevatorCommand, SimulatedDoor } from './door.js';

/** The door's private parts the routes use. */
export interface RouteAccess {
  tokens: TokenTable<string>;
  open(source: string): void;
  elevatorCommand(path: ElevatorCommand['path'], value: FloorCommand | ElevatorCall): DoorReply;
  runState(): RunState[];
}

type Authed = <T>(parser: (o: Obj) => T, fn: (v: T) => DoorReply | Promise<DoorReply>) => DoorRoute;

const none = (): null => null;

/** A route behind the door's token: counted and recorded, the token checked, the body parsed. */
function authedFor(door: SimulatedDoor, tokens: TokenTable<string>): Authed {
  return (parser, fn) => async (req: DoorRequest) => {
    door.received.set(req.path, (door.received.get(req.path) ?? 0) + 1);
    door.calls.push({ path: req.path, body: req.json });
    if (door.calls.length > 1000) door.calls.shift();
    door.emit('request', req.path);
    if (tokens.lookup(typeof req.json.token === 'string' ? req.json.token : undefined) === undefined)
      return failure(DoorCode.TOKEN_INVALID);
    const parsed: Parsed<ReturnType<typeof parser>> = parse(parser, req.json);
    if (!parsed.ok) return failure(DoorCode.PARAM_ERROR, parsed.error);
    return fn(parsed.value);
  };
}

/** `/connect` (L34942-34950 from the box's side): the sign checked, a token issued. */
function connectRoute(door: SimulatedDoor, tokens: TokenTable<string>): DoorRoute {
  return (req) => {
    door.received.set('/connect', (door.received.get('/connect') ?? 0) + 1);
    const p = parse(parseConnectRequest, req.json);
    if (!p.ok) return failure(DoorCode.PARAM_ERROR, p.error);
    if (!verifySign(p.value.signMethod, p.value, p.value.sign)) return failure(DoorCode.SIGN_ERROR);
    const token = tokens.issue('edge', p.value.ip, 'edge');
    door.edgeConnected = true;
    setImmediate(() => door.emit('edgeConnected'));
    return success({ token });
  };
}

/** Stores a parsed value and answers success. */
const store =
  <T>(set: (v: T) => void) =>
  (v: T): DoorReply => {
    set(v);
    return success();
  };

function doorRoutes(door: SimulatedDoor, a: RouteAccess, authed: Authed): Record<string, DoorRoute> {
  const s = door.state;
  return {
    '/connect': connectRoute(door, a.tokens),
    '/keepalive': authed(none, () => success()),
    '/remoteOpen': authed(none, () => {
      a.open('remote');
      return success();
    }),
    '/setKeepOpen': authed(
      parseKeepOpenData,
      store((v) => (s.keepOpen = v.keepOpen)),
    ),
    '/getKeepOpen': authed(none, () => success({ keepOpen: s.keepOpen })),
    '/setTempCheckRule': authed(
      parseTempCheckRule,
      store((v) => (s.tempRule = v)),
    ),
    '/faceAC/syncFaces': authed(
      parseSyncFaces,
      store((v) => s.applyFaces(v)),
    ),
    '/faceAC/queryFaces': authed(parseQueryFaces, (v) => success(s.queryFaces(v.currentPage, v.pageSize, door.opts.faceQueryPageSize))),
    '/cardAC/syncPermissions': authed(
      parseSyncPermissions,
      store((v) => s.applyPermissions(s.cards, v)),
    ),
    '/bleAC/syncPermissions': authed(
      parseSyncPermissions,
      store((v) => s.applyPermissions(s.bleCards, v)),
    ),
    '/visualIntercom/syncSipNumber': authed(
      parseSipAccount,
      store((v) => (s.sip = v)),
    ),
    '/visualIntercom/verifyPhoneResult': authed(
      parseVerifyPhoneResult,
      store((v) => s.phoneResults.push(v)),
    ),
  };
}

/** A floor or call command: the version checked, then the command's own parser. */
const versioned =
  <T>(parser: (o: Obj) => T) =>
  (o: Obj): T => {
    checkVersion(o);
    return parser(o);
  };

/** The elevator-gateway role (seed 001 L36500-37200). */
function elevatorRoutes(door: SimulatedDoor, a: RouteAccess, authed: Authed): Record<string, DoorRoute> {
  const s = door.state;
  return {
    '/elevator/getRunState': authed(parseGetRunState, (v) =>
      success(v.elevatorList.length ? a.runState().filter((r) => v.elevatorList.includes(r.elevatorId ?? '')) : a.runState()),
    ),
    '/elevator/releaseFloors': authed(
      versioned((o) => parseFloorCommand(o, 'room')),
      (v) => a.elevatorCommand('/elevator/releaseFloors', v),
    ),
    '/elevator/activateFloor': authed(
      versioned((o) => parseFloorCommand(o, 'roomNumber')),
      (v) => a.elevatorCommand('/elevator/activateFloor', v),
    ),
    '/elevator/call': authed(versioned(parseElevatorCall), (v) => a.elevatorCommand('/elevator/call', v)),
    '/elevator/info/get': authed(none, () => success(door.elevatorInfo)),
    '/elevator/rule/sync': authed(
      parseRuleSync,
      store((v) => s.applyRules(v)),
    ),
    '/elevator/rule/get': authed(parseQueryFaces, (v) => {
      const all = [...s.rules.values()];
      const size = v.pageSize ?? 200;
      const page = v.currentPage ?? 1;
      const pageCount = Math.max(1, Math.ceil(all.length / size));
      return success({ currentPage: page, pageCount, pageSize: size, userData: all.slice((page - 1) * size, page * size) });
    }),
    '/elevator/rule/setAvailability': authed(
      parseAvailability,
      store((v) => (s.availability = v)),
    ),
    '/elevator/rule/getAvailability': authed(none, () => success({ availability: s.availability })),
  };
}

/** Every route of the door's server. */
export function routesOf(door: SimulatedDoor, access: RouteAccess): Record<string, DoorRoute> {
  const authed = authedFor(door, access.tokens);
  return { ...doorRoutes(door, access, authed), ...elevatorRoutes(door, access, authed) };
}
