/**
 * Boots the door driver in-process with simulated doors, on the real seams: a real `AccessCore`
 * on a temporary SQLite file (with the real cloud outbox on the same database), offered through
 * a real `HostServiceRegistry` (the contract's argument checks and the device-ownership check
 * against the devices deployed to this driver), reached by the driver through `inProcessHost`.
 * Only the device handles are recorded in memory (they are the host's side of the driver SDK,
 * not an access contract).
 *
 * Test data goes in the way the cloud puts it in: permission files (`permit`) and face files
 * (`faces`) applied by the core; assertions read the pass records, the deployment rows, the
 * `access.pass` events and the outbox rows.
 */
import pino from 'pino';
import { afterEach, beforeEach } from 'vitest';
import { createDoorDriver, type DoorDriver } from '../../drivers/door-standard/index.js';
import type { AccessCore, SyncOutcome } from '../../edge/access/access-core.js';
import type { DeployKind, DeployRow } from '../../edge/access/stores/deploy-store.js';
import { accessHostServices } from '../../edge/access/host-services.js';
import type { CommittedPass, RecordRow } from '../../edge/access/passes/pass-recorder.js';
import { EventBus } from '../../edge/events.js';
import type { DeviceHandle, DeviceInfo } from '../../edge/host/sdk/driver.js';
import { HostServiceRegistry, inProcessHost } from '../../edge/host/services.js';
import { silentLogger } from '../../edge/log.js';
import { startFaceAlgoSim, type FaceAlgoSim } from '../../scripts/sim/face-algo/server.js';
import { SimulatedDoor, type SimDoorOptions } from '../../scripts/sim/door-standard/door.js';
import { makeCore, type QueuedMessage, type TestCore } from '../access/helpers.js';

export const quietLog = pino({ level: 'silent' });

/** The driver name the harness's driver calls the host as. */
export const DOOR_DRIVER = 'door-driver';

const DAY = 86_400_000;

export interface RecordedHandle extends DeviceHandle {
  events: { id: string; params: Record<string, unknown> }[];
  props: Record<string, unknown>;
  isOnline: boolean;
}

/** A device handle that records what the driver reports. */
export function handle(info: DeviceInfo): RecordedHandle {
  const h: RecordedHandle = {
    ...info,
    log: quietLog,
    events: [],
    props: {},
    isOnline: false,
    online: () => void (h.isOnline = true),
    offline: () => void (h.isOnline = false),
    reportProperties: (v) => void Object.assign(h.props, v),
    reportEvent: (id, params) => void h.events.push({ id, params }),
  };
  return h;
}

/** The five logical devices of one terminal (spec 001b R9) on `ip:port`. */
export function terminalDevices(code: string, ip: string, port: number, extra: Record<string, unknown> = {}): DeviceInfo[] {
  const products = ['PEDoorFace', 'PEDoorQr', 'PEDoorCard', 'PEDoorBle', 'PEDoorIntercom'];
  return products.map((productKey, i) => ({ productKey, deviceName: `${code}.${i + 1}`, custom: { ip, port, ...extra } }));
}

// ── permission and face file entries (seed 000 §3.8 / seed 001 L1496-1548, edge/access/sync/sync-files.ts) ──

/** A QR permission valid for a year, unlimited scans. */
export function qrEntry(qrCode: string, userId: string, o: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 1, qrCode, userId, startTime: String(Date.now() - DAY), endTime: String(Date.now() + 365 * DAY), maxScanTimes: -1, ...o };
}

/** A card (or BLE card) permission valid from yesterday to tomorrow. */
export function cardEntry(cardId: string, userId = '', o: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 1,
    cardId,
    ...(userId ? { userId } : {}),
    effectiveTime: String(Date.now() - DAY),
    expiryTime: String(Date.now() + DAY),
    ...o,
  };
}

/** A face of a face file; `feature` makes it a SyncFaceFeatures entry. */
export function faceEntry(
  faceId: string,
  info: { userId: string; userName?: string; expire?: string; policy?: 'PERMISSION' | 'DENY' },
  feature?: number[],
): Record<string, unknown> {
  return {
    faceId,
    faceMd5: '',
    faceUrl: '',
    userInfo: JSON.stringify(info),
    index: 0,
    clientTag: '',
    ...(feature ? { features: [JSON.stringify(feature)] } : {}),
  };
}

export interface HarnessOptions {
  /** Start the face algorithm simulator and point the access core at it (edge-side face decisions). */
  faceAlgo?: boolean;
  /** Access config on top of the test defaults. */
  access?: Record<string, unknown>;
}

export interface Harness {
  driver: DoorDriver;
  /** The real access core the driver reaches through the host-service registry. */
  core: AccessCore;
  /** The core's database, directory and real cloud outbox. */
  store: TestCore;
  registry: HostServiceRegistry;
  /** Every `access.pass` event the core emitted (one per committed record). */
  passes: CommittedPass[];
  edgeUrl: string;
  handles: Map<string, RecordedHandle>;
  doors: SimulatedDoor[];
  algo: FaceAlgoSim | undefined;
  /** Start a simulated door on `ip` and deploy its logical devices. */
  addDoor(
    code: string,
    ip: string,
    opts?: { devices?: (port: number) => DeviceInfo[]; sim?: Partial<SimDoorOptions> },
  ): Promise<SimulatedDoor>;
  h(deviceName: string): RecordedHandle;
  /** Apply a permission file for a door device (throws when the core refuses it). */
  permit(deviceKey: string, file: Record<string, unknown>): SyncOutcome;
  /** Apply a face file (`features`: a SyncFaceFeatures file) for a door device. */
  faces(deviceKey: string, file: Record<string, unknown>, features?: boolean): SyncOutcome;
  /** Pass records, newest first. */
  records(deviceKey?: string): RecordRow[];
  record(passId: string): RecordRow | undefined;
  /** The cloud outbox message of a pass. */
  outboxOf(passId: string): QueuedMessage | undefined;
  deployments(deviceKey: string, kind: DeployKind): DeployRow[];
  /** Deployment rows of a door not (yet) delivered: anything but transferred / transferDeleted. */
  undelivered(deviceKey: string, kind: DeployKind): number;
  /** Take the access services off the registry (calls answer 6304), and put them back. */
  withoutAccess(): void;
  withAccess(): void;
  /** What `box.cloudLink` answers: whether the box could hand a request on to the cloud now. */
  cloud: { configured: boolean; online: boolean };
  /** The database cannot grow any more (SQLITE_FULL, as on a full disk), and back. */
  fillDisk(): void;
  makeRoom(): void;
  close(): Promise<void>;
}

export async function startHarness(config: Record<string, unknown> = {}, options: HarnessOptions = {}): Promise<Harness> {
  const log = silentLogger();
  const algo = options.faceAlgo ? await startFaceAlgoSim() : undefined;
  const events = new EventBus(log);
  const passes: CommittedPass[] = [];
  events.on('test', 'access.pass', (p) => void passes.push(p));
  const store = makeCore({ ...(algo ? { faceAlgoUrl: algo.url } : {}), ...options.access }, { events });
  const core = store.core;
  await core.start();
  const handles = new Map<string, RecordedHandle>();
  // The real ownership check: a device argument must be one deployed to this driver.
  const owned = new Set<string>();
  const registry = new HostServiceRegistry({ log, owns: (driver, key) => driver === DOOR_DRIVER && owned.has(key) });
  const services = accessHostServices(core);
  registry.register(services);
  const cloud = { configured: true, online: true };
  registry.register({ 'box.cloudLink': () => ({ ...cloud }) });
  const driver = createDoorDriver({
    config: {
      host: '127.0.0.1',
      port: 0,
      boxIp: '127.0.0.1',
      keepaliveS: 10,
      retryBaseMs: 50,
      retryMaxMs: 500,
      syncPollMs: 60_000,
      ...config,
    },
    log: quietLog,
    dataDir: '',
    host: inProcessHost(registry, DOOR_DRIVER),
  });
  await driver.start!();
  const edgeUrl = `http://127.0.0.1:${driver.server.address.port}`;
  const doors: SimulatedDoor[] = [];
  const applied = (what: string, r: SyncOutcome): SyncOutcome => {
    if (r.SyncPicStatus !== 0 && r.SyncPicStatus !== 1) throw new Error(`${what} refused: ${r.message}`);
    return r;
  };
  return {
    driver,
    core,
    store,
    registry,
    passes,
    edgeUrl,
    handles,
    doors,
    algo,
    async addDoor(code, ip, opts = {}) {
      const door = new SimulatedDoor({ sn: code, ip, port: 0, edgeUrl, keepaliveS: 10, autoKeepalive: false, ...opts.sim });
      await door.start();
      doors.push(door);
      for (const info of opts.devices ? opts.devices(door.port) : terminalDevices(code, ip, door.port)) {
        const h = handle(info);
        handles.set(info.deviceName, h);
        owned.add(`${info.productKey}/${info.deviceName}`);
        await driver.addDevice(h);
      }
      return door;
    },
    h(name) {
      const h = handles.get(name);
      if (!h) throw new Error(`no handle ${name}`);
      return h;
    },
    permit: (deviceKey, file) => applied('permission file', core.applyPermissionText(deviceKey, JSON.stringify(file))),
    faces: (deviceKey, file, features = true) => applied('face file', core.applyFaceText(deviceKey, JSON.stringify(file), { features })),
    records: (deviceKey) => core.records.list({ ...(deviceKey ? { deviceKey } : {}), limit: 100_000 }),
    record: (passId) => store.db.prepare('SELECT * FROM access_pass_records WHERE pass_id = ?').get(passId) as RecordRow | undefined,
    outboxOf: (passId) => store.outbox.ofPass(passId),
    deployments: (deviceKey, kind) => core.deployments.list(deviceKey, kind),
    undelivered: (deviceKey, kind) =>
      core.deployments.list(deviceKey, kind).filter((r) => r.status !== 'transferred' && r.status !== 'transferDeleted').length,
    cloud,
    withoutAccess: () => registry.unregister(Object.keys(services)),
    withAccess: () => registry.register(services),
    fillDisk: () => void store.db.pragma(`max_page_count = ${store.db.pragma('page_count', { simple: true }) as number}`),
    makeRoom: () => void store.db.pragma('max_page_count = 1073741823'),
    async close() {
      await driver.stop!(false);
      await Promise.all(doors.map((d) => d.stop()));
      await core.stop();
      store.close();
      await algo?.close();
    },
  };
}

/** A fresh harness per test: `const hx = useHarness();` then `hx().addDoor(...)`. */
export function useHarness(config: Record<string, unknown> = {}, options: HarnessOptions = {}): () => Harness {
  let current: Harness | undefined;
  beforeEach(async () => {
    current = await startHarness(config, options);
  });
  afterEach(async () => {
    await current?.close();
  });
  return () => current!;
}
