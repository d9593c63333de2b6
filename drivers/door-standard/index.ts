/**
 * Door all-in-one standard protocol driver (门禁一体机标准协议, seed 001 L34917-37808).
 *
 * The driver owns the box's port-10000 HTTP server (the D→E endpoints) and is the client of
 * every door's own HTTP server (the E→D endpoints). Each terminal appears as up to five logical
 * devices (`.1` face, `.2` QR, `.3` card, `.4` BLE, `.5` intercom) plus an optional elevator
 * device; decisions, pass records and deployments go through the access core (`DoorAccess`).
 *
 * Driver config: see `DriverSettings` (config.ts). Device custom: `{ ip, port, faceMode?,
 * faceTemp?: {switch, lower, upper}, elevator linkage?: boolean, firmwareVersion? }`.
 */
import {
  defineDriver,
  DRIVER_ERRORS,
  fail,
  ok,
  type Answer,
  type DeviceHandle,
  type Driver,
  type DriverContext,
} from '../../edge/host/sdk/driver.js';
import { DoorHttpServer, TokenTable, type TempCheckRule } from '../../protocols/door-standard/index.js';
import {
  addToTerminal,
  deviceProblem,
  driverSettings,
  roleOf,
  terminalKey,
  type DriverSettings,
  type Role,
  type TerminalConfig,
} from './config.js';
import { Deployer } from './deployment.js';
import { edgeRoutes } from './edge-routes.js';
import { DoorAccess } from './gateway.js';
import { IntercomStore } from './intercom-store.js';
import { callService } from './services.js';
import { Terminal } from './terminal.js';
import { keyOf } from '../../edge/host/sdk/device-key.js';

export interface DoorDriver extends Driver {
  readonly settings: DriverSettings;
  readonly terminals: ReadonlyMap<string, Terminal>;
  readonly server: DoorHttpServer;
  deployer(ip: string): Deployer | undefined;
}

export type DoorDriverContext = Pick<DriverContext, 'config' | 'log' | 'dataDir' | 'host'>;

function tempRuleOf(custom: Record<string, unknown>): { min: number; max: number } | undefined {
  const t = custom.faceTemp as { switch?: unknown; lower?: unknown; upper?: unknown } | undefined;
  if (!t || (t.switch !== true && t.switch !== 1)) return undefined;
  return { min: Number(t.lower ?? 35), max: Number(t.upper ?? 37.3) };
}

/** What the driver's steps share: settings, the access gateway, and the terminals by IP. */
interface DoorState {
  settings: ReturnType<typeof driverSettings>;
  log: DriverContext['log'];
  gateway: DoorAccess;
  intercom: IntercomStore;
  configs: Map<string, TerminalConfig>;
  terminals: Map<string, Terminal>;
  deployers: Map<string, Deployer>;
  /** Temperature windows set by setTempCheckRule, per terminal IP; absent: from the face device's config. */
  tempRules: Map<string, { min: number; max: number } | undefined>;
  tokens: TokenTable<Terminal>;
  /** Reported properties per device key. */
  props: Map<string, Record<string, unknown>>;
}

function doorState(ctx: DoorDriverContext): DoorState {
  return {
    settings: driverSettings(ctx.config),
    log: ctx.log.child({ comp: 'door-standard' }),
    gateway: new DoorAccess(ctx.host),
    intercom: new IntercomStore(ctx.dataDir),
    configs: new Map(),
    terminals: new Map(),
    deployers: new Map(),
    tempRules: new Map(),
    tokens: new TokenTable<Terminal>(),
    props: new Map(),
  };
}

/** A deployer for what the terminal's devices need now (full resync: it connected, or a device joined). */
async function freshDeployer(s: DoorState, t: Terminal): Promise<void> {
  s.deployers.get(t.cfg.ip)?.stop();
  const d = new Deployer(t, s.gateway, s.settings);
  s.deployers.set(t.cfg.ip, d);
  await d.online();
}

/** What a terminal's connection changes set off: SIP push and full resync when it comes online, revocation when it goes. */
function terminalHooks(s: DoorState): { online(t: Terminal): void; revoke(t: Terminal): void } {
  async function whenOnline(t: Terminal): Promise<void> {
    const intercomDevice = t.device('intercom');
    const sip = intercomDevice ? s.intercom.sip(keyOf(intercomDevice)) : undefined;
    // [seed 001 L36247] the SIP account is pushed again on every connection.
    if (sip) await t.client.syncSipNumber(sip).catch((err: Error) => t.log.warn({ err: err.message }, 'SIP account push failed'));
    await freshDeployer(s, t);
  }
  return {
    online: (t: Terminal) => void whenOnline(t).catch((err: Error) => t.log.error({ err }, 'online handling failed')),
    revoke: (t: Terminal) => {
      s.tokens.revoke(t.cfg.ip);
      s.deployers.get(t.cfg.ip)?.offline();
      // The sync status machine records why this door's pending permissions wait (deviceOffline).
      for (const h of t.handles.values()) {
        void s.gateway.deviceOffline(keyOf(h)).catch((err: Error) => t.log.warn({ err: err.message }, 'deviceOffline not recorded'));
      }
    },
  };
}

/** The port-10000 server with the box's endpoints (edge-routes.ts). */
function doorServer(s: DoorState): DoorHttpServer {
  const { settings, terminals, tokens, gateway, intercom, log, tempRules } = s;
  const tempRule = (t: Terminal): { min: number; max: number } | undefined =>
    tempRules.has(t.cfg.ip) ? tempRules.get(t.cfg.ip) : tempRuleOf(t.device('face')?.custom ?? {});
  return new DoorHttpServer(edgeRoutes({ settings, terminals, tokens, gateway, intercom, log, tempRule }), {
    host: settings.host,
    port: settings.port,
    ...settings.limits,
    log,
  });
}

function findDevice(s: DoorState, h: DeviceHandle): { t: Terminal; role: Role } | undefined {
  const t = s.terminals.get(terminalKey(h));
  const role = roleOf(h);
  return t && role && t.handles.get(role) === h ? { t, role } : undefined;
}

function addDevice(s: DoorState, hooks: ReturnType<typeof terminalHooks>, h: DeviceHandle): void {
  const problem = deviceProblem(h);
  if (problem) throw new Error(problem);
  const cfg = addToTerminal(s.configs, h);
  let t = s.terminals.get(cfg.ip);
  if (!t) {
    t = new Terminal(cfg, s.settings, hooks, s.log);
    s.terminals.set(cfg.ip, t);
  }
  t.handles.set(roleOf(h)!, h);
  const p: Record<string, unknown> = {
    SupportFaceFeature: cfg.faceMode === 'device' ? 0 : 1,
    FirmwareVersion: String(h.custom.firmwareVersion ?? ''),
    FaceAlgorithmVersion: String(h.custom.faceAlgorithmVersion ?? ''),
  };
  s.props.set(keyOf(h), { ...(s.props.get(keyOf(h)) ?? {}), ...p });
  if (t.state === 'online') {
    h.online();
    // A device joining a connected door may bring something to deploy (cards, linkage rules).
    const joined = t;
    void freshDeployer(s, joined).catch((err: Error) => joined.log.error({ err }, 'deployment restart failed'));
  } else h.offline('waiting for the door to connect');
}

function removeDevice(s: DoorState, h: DeviceHandle): void {
  const found = findDevice(s, h);
  if (!found) return;
  const { t, role } = found;
  t.handles.delete(role);
  t.cfg.devices.delete(role);
  h.offline('removed');
  if (t.cfg.devices.size === 0) {
    t.goOffline('removed');
    t.stop();
    s.deployers.get(t.cfg.ip)?.stop();
    s.deployers.delete(t.cfg.ip);
    s.terminals.delete(t.cfg.ip);
    s.configs.delete(t.cfg.ip);
  }
}

async function getProperties(s: DoorState, h: DeviceHandle, keys: string[]): Promise<Answer<Record<string, unknown>>> {
  const found = findDevice(s, h);
  if (!found) return fail(DRIVER_ERRORS.EDGE_ERR_DEVICE_UNKNOWN, 'device not deployed');
  const all = { ...(s.props.get(keyOf(h)) ?? {}) };
  if (found.role === 'card' && keys.includes('KeepOpen') && found.t.state === 'online') {
    all.KeepOpen = (await found.t.client.getKeepOpen().catch(() => ({ keepOpen: undefined }))).keepOpen;
  }
  return ok(Object.fromEntries(keys.filter((k) => k in all).map((k) => [k, all[k]])));
}

async function deviceService(s: DoorState, h: DeviceHandle, id: string, args: Record<string, unknown>): Promise<Answer> {
  const found = findDevice(s, h);
  if (!found) return fail(DRIVER_ERRORS.EDGE_ERR_DEVICE_UNKNOWN, 'device not deployed');
  return callService(
    {
      intercom: s.intercom,
      deployer: (t) => s.deployers.get(t.cfg.ip),
      setTempRule: (t: Terminal, r: TempCheckRule) =>
        s.tempRules.set(t.cfg.ip, r.isCheck === 1 ? { min: Number(r.minThreshold ?? 0), max: Number(r.maxThreshold ?? 100) } : undefined),
      recordPass: (a) => s.gateway.recordPass(a),
    },
    found.t,
    found.role,
    h,
    id,
    args,
  );
}

export function createDoorDriver(ctx: DoorDriverContext): DoorDriver {
  const s = doorState(ctx);
  const { settings, terminals, deployers, log } = s;
  const hooks = terminalHooks(s);
  const server = doorServer(s);
  return {
    settings,
    terminals,
    server,
    deployer: (ip) => deployers.get(ip),

    async start() {
      const addr = await server.listen();
      log.info({ host: addr.address, port: addr.port }, 'door server listening');
      // Doors are told where the box is: a guessed address must be visible to the installer.
      if (settings.boxIpFrom)
        log.warn(
          { boxIp: settings.boxIp, from: settings.boxIpFrom },
          'boxIp not configured: doors are told the address of this interface; set config.boxIp if they cannot reach it',
        );
    },
    addDevice: async (h) => addDevice(s, hooks, h),
    removeDevice: async (h) => removeDevice(s, h),
    getProperties: (h, keys) => getProperties(s, h, keys),

    async setProperties(h, values) {
      // RSAPublicKey (encrypted QR, spec 000 §3.7) is kept and reported back; the standard
      // protocol has no endpoint to hand it to the door.
      s.props.set(keyOf(h), { ...(s.props.get(keyOf(h)) ?? {}), ...values });
      h.reportProperties(values);
      return ok();
    },
    callService: (h, id, args) => deviceService(s, h, id, args),

    async stop() {
      for (const t of terminals.values()) t.stop();
      for (const d of deployers.values()) d.stop();
      await server.close();
    },
  };
}

export default defineDriver((ctx: DriverContext) => createDoorDriver(ctx));
