/**
 * The driver host: runs each configured driver in its own process, redeploys by diff,
 * routes property reads/writes and service calls to the owning driver, and feeds reports
 * through the TSL boundary (the device registry) onto the event bus.
 */
import { driverSetProblems } from '../config/driver-set.js';
import { answerOf, edgeError, EdgeError, type Answer } from '../errors.js';
import type { DeployDiffSummary, EventBus } from '../events.js';
import type { Logger } from '../log.js';
import type { ThingModelLibrary } from '../thing/library.js';
import { deviceKey, type DeviceRegistry } from '../thing/registry.js';
import { DriverProcess, type DriverProcessOptions, type DriverState } from './driver-process.js';
import type { PropsItem } from './sdk/protocol.js';
import { resolveDriverModule } from '../config/paths.js';
import type { DeviceInfo } from './sdk/driver.js';
import type { ChannelFactory } from './channel.js';
import { HostServiceRegistry, type HostHandlers } from './services.js';
import { driverSettingsProblems } from './driver-settings.js';
import { driverListeners, type ListenerInfo } from './listeners.js';
import type { BoxListener } from '../config/listeners.js';
import { blocking, ConfigError } from '../config/load.js';

export interface DeviceConfig {
  productKey: string;
  deviceName: string;
  custom?: Record<string, unknown>;
  alias?: string;
  disabled?: boolean;
}

export interface DriverConfig {
  /** Instance name, following the seed convention `Vendor_Model_Domain_Function`. */
  name: string;
  /** A driver shipped in `drivers/<type>/`. */
  type?: string;
  /** Or a path to a driver package/module installed elsewhere. */
  module?: string;
  /** `mqtt`: a driver in another language on the local bus (docs/drivers.md). */
  transport?: 'process' | 'mqtt';
  /** The bus user a bus driver logs in as. */
  busUser?: string;
  /** V8 old-space limit of this driver's process, MB (default: host option driverHeapMb). */
  heapMb?: number;
  config?: Record<string, unknown>;
  devices: DeviceConfig[];
}

export interface DriverStatus {
  name: string;
  type: string | undefined;
  state: DriverState;
  restarts: number;
  lastError: string | undefined;
  pid: number | undefined;
  devices: number;
  online: number;
  logFile: string;
}

/** A box-side handler of a device service; `forward` passes the call on to the device's driver. */
export type DeviceServiceHook = (pk: string, dn: string, args: Record<string, unknown>, forward: () => Promise<Answer>) => Promise<Answer>;
export type DevicePropertyHook = (pk: string, dn: string, value: unknown) => void;

export interface HostOptions extends Partial<DriverProcessOptions> {
  /** Default V8 old-space limit of driver processes, MB. */
  driverHeapMb?: number;
  /** Base directory for relative driver module paths (the config file's folder). */
  baseDir?: string;
  /** Ports the box itself listens on (HTTP, local bus): a driver listener may not take them. */
  boxListeners?: BoxListener[];
}

export class DriverHost {
  readonly #registry: DeviceRegistry;
  readonly #events: EventBus;
  readonly #models: ThingModelLibrary;
  readonly #log: Logger;
  readonly #logDir: string;
  readonly #dataDir: string;
  readonly #opts: HostOptions;
  readonly #drivers = new Map<string, DriverProcess>();
  #configs: DriverConfig[] = [];
  /** What the deployed drivers listen on (the listener registry's driver half). */
  #listeners: ListenerInfo[] = [];
  #busChannel: ChannelFactory | undefined;
  #deploying: Promise<unknown> = Promise.resolve();
  /** Host services drivers may call; a device argument must belong to the calling driver. */
  readonly services: HostServiceRegistry;
  readonly #serviceHooks = new Map<string, DeviceServiceHook>();
  readonly #propertyHooks = new Map<string, DevicePropertyHook>();

  constructor(
    deps: { registry: DeviceRegistry; events: EventBus; models: ThingModelLibrary; log: Logger; logDir: string; dataDir: string },
    options: HostOptions = {},
  ) {
    this.#registry = deps.registry;
    this.#events = deps.events;
    this.#models = deps.models;
    this.#log = deps.log;
    this.#logDir = deps.logDir;
    this.#dataDir = deps.dataDir;
    this.#opts = options;
    this.services = new HostServiceRegistry({ log: deps.log, owns: (driver, key) => this.#registry.byKey(key)?.driver === driver });
  }

  /**
   * Offer a service to drivers: `ctx.host.call(name, args)` in a driver lands here with the
   * caller's driver name. Area services are named `<area>.<method>` (e.g. `access.decideQr`).
   */
  /**
   * Let a box area answer a thing-model service itself, for every device whose model has it,
   * whatever its driver: the permission sync services (`syncPermissions`, `SyncFacePictures` …)
   * load the box's own stores, then `forward()` tells the driver (docs/access.md).
   */
  handleDeviceService(serviceId: string, hook: DeviceServiceHook): void {
    this.#serviceHooks.set(serviceId, hook);
  }

  /** See a property write (already checked) before the driver does; throwing refuses the write. */
  watchPropertySet(property: string, hook: DevicePropertyHook): void {
    this.#propertyHooks.set(property, hook);
  }

  /** Offer host services (`access.*`, `faceQueue.*`) to drivers; calls are checked by the registry. */
  registerServices(handlers: HostHandlers): void {
    this.services.register(handlers);
  }

  /** Lets `transport: mqtt` drivers run: set by the runtime once the local bus is up. */
  setBusChannel(factory: ChannelFactory): void {
    this.#busChannel = factory;
  }

  /** The bus user of a bus driver (for the broker's topic authorization). */
  busUserOf(driverName: string): string | undefined {
    const cfg = this.#configs.find((c) => c.name === driverName);
    return cfg?.transport === 'mqtt' ? cfg.busUser : undefined;
  }

  get configs(): readonly DriverConfig[] {
    return this.#configs;
  }

  /** Check a driver set without touching what runs. Returns every problem found. */
  validate(configs: DriverConfig[]): string[] {
    return driverSetProblems(configs, { hasModel: (pk) => this.#models.get(pk) !== undefined }).map((p) => `${p.path}: ${p.message}`);
  }

  /**
   * Apply a driver set by diff (Node-RED style): unchanged drivers keep running, a driver whose
   * own config or module changed restarts, a driver whose device list changed only adds and
   * removes those devices. An invalid set is refused whole and nothing changes.
   */
  deploy(configs: DriverConfig[]): Promise<DeployDiffSummary> {
    const run = this.#deploying.then(() => this.#deploy(configs));
    this.#deploying = run.catch(() => undefined);
    return run;
  }

  async #deploy(configs: DriverConfig[]): Promise<DeployDiffSummary> {
    const problems = this.validate(configs);
    if (problems.length > 0) throw edgeError('EDGE_ERR_CONFIG_INVALID', problems.join('; '));
    // What a driver would refuse is refused here, whole, before anything stops or starts.
    const refused = blocking(
      await driverSettingsProblems(configs, this.#opts.baseDir ?? process.cwd(), this.#opts.boxListeners ?? [], this.#dataDir),
    );
    if (refused.length > 0) throw new ConfigError(refused);
    const listeners = await driverListeners(configs, this.#opts.baseDir ?? process.cwd());
    const before = new Map(this.#configs.map((c) => [c.name, c] as const));
    const after = new Map(configs.map((c) => [c.name, c] as const));
    const diff: DeployDiffSummary = { added: [], removed: [], restarted: [], devicesChanged: [] };
    for (const name of before.keys()) if (!after.has(name)) diff.removed.push(name);
    for (const [name, cfg] of after) {
      const old = before.get(name);
      if (!old) diff.added.push(name);
      else if (driverLevelKey(old) !== driverLevelKey(cfg)) diff.restarted.push(name);
      else if (devicesKey(old) !== devicesKey(cfg)) diff.devicesChanged.push(name);
    }
    this.#events.emit('deploy.starting', { diff });
    this.#log.info({ diff }, 'deploy starting');

    // Stop what goes away or restarts first, in parallel, each with its own time limit.
    await Promise.all(
      [...diff.removed, ...diff.restarted].map(async (name) => {
        const proc = this.#drivers.get(name);
        await proc?.stop();
        this.#drivers.delete(name);
        for (const d of this.#registry.byDriver(name)) this.#registry.remove(d.productKey, d.deviceName);
      }),
    );

    for (const name of diff.devicesChanged) {
      const cfg = after.get(name)!;
      const old = before.get(name)!;
      const oldDevs = new Map(old.devices.map((d) => [deviceKey(d.productKey, d.deviceName), d] as const));
      const newDevs = new Map(cfg.devices.map((d) => [deviceKey(d.productKey, d.deviceName), d] as const));
      const remove: DeviceInfo[] = [];
      const add: DeviceInfo[] = [];
      for (const [k, d] of oldDevs) {
        const n = newDevs.get(k);
        if (!n || JSON.stringify(n) !== JSON.stringify(d)) {
          remove.push(toInfo(d));
          if (!n) this.#registry.remove(d.productKey, d.deviceName);
        }
      }
      for (const [k, d] of newDevs) {
        const o = oldDevs.get(k);
        if (!o || JSON.stringify(o) !== JSON.stringify(d)) {
          if (!d.disabled) add.push(toInfo(d));
          this.#registerDevice(name, d);
        }
      }
      const proc = this.#drivers.get(name)!;
      proc.spec = this.#spec(cfg);
      proc.updateDevices(add, remove);
    }

    this.#configs = configs;
    this.#listeners = listeners;
    for (const name of [...diff.added, ...diff.restarted]) {
      const cfg = after.get(name)!;
      for (const d of cfg.devices) this.#registerDevice(name, d);
      this.#startDriver(cfg);
    }
    this.#events.emit('deploy.finished', { diff, ok: true });
    this.#log.info({ diff }, 'deploy finished');
    return diff;
  }

  #registerDevice(driver: string, d: DeviceConfig): void {
    this.#registry.upsert(
      {
        productKey: d.productKey,
        deviceName: d.deviceName,
        driver,
        custom: d.custom ?? {},
        ...(d.alias ? { alias: d.alias } : {}),
        ...(d.disabled ? { disabled: true } : {}),
      },
      this.#models.require(d.productKey),
    );
  }

  #spec(cfg: DriverConfig) {
    return {
      name: cfg.name,
      transport: cfg.transport ?? 'process',
      heapMb: cfg.heapMb ?? this.#opts.driverHeapMb ?? 192,
      module: cfg.transport === 'mqtt' ? '' : resolveDriverModule(cfg, this.#opts.baseDir),
      config: cfg.config ?? {},
      // Disabled devices are not deployed to the driver: their data must not be produced at all.
      devices: cfg.devices.filter((d) => !d.disabled).map(toInfo),
    };
  }

  #startDriver(cfg: DriverConfig): void {
    const log = this.#log.child({ driver: cfg.name });
    const proc: DriverProcess = new DriverProcess(
      this.#spec(cfg),
      {
        log,
        logDir: this.#logDir,
        dataDir: this.#dataDir,
        ...(this.#busChannel ? { mqttChannel: this.#busChannel } : {}),
        callbacks: {
          onProps: (items) => this.#onProps(cfg.name, items),
          onEvent: (pk, dn, id, params, time) => this.#onEvent(cfg.name, pk, dn, id, params, time),
          onDeviceStatus: (pk, dn, online, reason, failed) => {
            if (!this.#owns(cfg.name, pk, dn)) return;
            this.#registry.setStatus(
              pk,
              dn,
              online ? 'online' : 'offline',
              reason,
              failed ? { startError: reason ?? 'the driver could not start it' } : undefined,
            );
          },
          onDown: (reason) => {
            for (const d of this.#registry.byDriver(cfg.name)) {
              if (d.status === 'online' || d.status === 'notActivated')
                this.#registry.setStatus(d.productKey, d.deviceName, 'offline', `driver down: ${reason}`);
            }
          },
          onHostCall: (method, args) => this.services.call({ driver: cfg.name }, method, args),
          onRestartScheduled: (attempt, delayMs, reason) =>
            this.#events.emit('driver.restart', { driver: cfg.name, attempt, delayMs, reason }),
          onState: (state) =>
            this.#events.emit('driver.state', {
              driver: cfg.name,
              state,
              restarts: proc.restarts,
              ...(proc.lastError ? { lastError: proc.lastError } : {}),
            }),
        },
      },
      this.#opts,
    );
    this.#drivers.set(cfg.name, proc);
    proc.start();
  }

  #owns(driver: string, pk: string, dn: string): boolean {
    const d = this.#registry.get(pk, dn);
    if (d && d.driver === driver) return true;
    this.#log.warn({ driver, dev: deviceKey(pk, dn) }, 'driver reported a device it does not own; ignored');
    return false;
  }

  #onProps(driver: string, items: PropsItem[]): void {
    for (const [pk, dn, values, time] of items) {
      const d = this.#registry.get(pk, dn);
      if (!d || d.driver !== driver) {
        this.#owns(driver, pk, dn);
        continue;
      }
      if (d.status === 'disabled') continue;
      const { accepted, count } = this.#registry.acceptProperties(pk, dn, values, time);
      if (count > 0) this.#events.emit('device.properties', { productKey: pk, deviceName: dn, params: accepted });
    }
  }

  #onEvent(driver: string, pk: string, dn: string, id: string, params: Record<string, unknown>, time: number): void {
    if (!this.#owns(driver, pk, dn)) return;
    const d = this.#registry.get(pk, dn);
    if (d?.status === 'disabled') return;
    try {
      const checked = this.#registry.checkEvent(pk, dn, id, params);
      this.#events.emit('device.event', { productKey: pk, deviceName: dn, eventId: id, params: checked, time });
    } catch (err) {
      this.#log.warn({ dev: deviceKey(pk, dn), event: id, reason: (err as Error).message }, 'event dropped');
    }
  }

  #route(pk: string, dn: string): DriverProcess {
    const d = this.#registry.require(pk, dn);
    if (d.status === 'disabled') throw edgeError('EDGE_ERR_DEVICE_DISABLED', pk, dn);
    const proc = this.#drivers.get(d.driver);
    if (!proc) throw edgeError('EDGE_ERR_DRIVER_UNAVAILABLE', d.driver, 'not deployed');
    return proc;
  }

  async getProperties(pk: string, dn: string, keys: string[]): Promise<Answer> {
    return this.#guard(async () => {
      const d = this.#registry.require(pk, dn);
      for (const k of keys) if (!d.model.properties.has(k)) throw edgeError('EDGE_ERR_PROPERTY_UNKNOWN', k, deviceKey(pk, dn));
      return this.#route(pk, dn).call('get', pk, dn, { keys });
    });
  }

  async setProperties(pk: string, dn: string, params: unknown): Promise<Answer> {
    return this.#guard(async () => {
      const values = this.#registry.checkPropertySet(pk, dn, params);
      for (const [key, value] of Object.entries(values)) this.#propertyHooks.get(key)?.(pk, dn, value);
      return this.#route(pk, dn).call('set', pk, dn, { params: values });
    });
  }

  async callService(pk: string, dn: string, serviceId: string, params: unknown, timeoutMs?: number): Promise<Answer> {
    return this.#guard(async () => {
      if (serviceId === 'set') return this.setProperties(pk, dn, params);
      if (serviceId === 'get')
        return this.getProperties(pk, dn, Array.isArray(params) ? params.map(String) : Object.keys((params as object) ?? {}));
      const args = this.#registry.checkServiceInput(pk, dn, serviceId, params);
      const forward = (): Promise<Answer> => this.#route(pk, dn).call('service', pk, dn, { service: serviceId, params: args }, timeoutMs);
      const hook = this.#serviceHooks.get(serviceId);
      return hook ? hook(pk, dn, args, forward) : forward();
    });
  }

  async discover(driverName: string, options: Record<string, unknown>, timeoutMs?: number): Promise<Answer> {
    return this.#guard(async () => {
      const proc = this.#drivers.get(driverName);
      if (!proc) throw edgeError('EDGE_ERR_DRIVER_UNAVAILABLE', driverName, 'not deployed');
      return proc.call('discover', '', '', { params: options }, timeoutMs);
    });
  }

  async #guard(fn: () => Promise<Answer>): Promise<Answer> {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof EdgeError)) this.#log.error({ err }, 'call failed');
      return answerOf(err);
    }
  }

  async restartDriver(name: string): Promise<boolean> {
    const proc = this.#drivers.get(name);
    if (!proc) return false;
    await proc.restart();
    return true;
  }

  driver(name: string): DriverProcess | undefined {
    return this.#drivers.get(name);
  }

  status(): DriverStatus[] {
    return this.#configs.map((cfg) => {
      const proc = this.#drivers.get(cfg.name);
      const devs = this.#registry.byDriver(cfg.name);
      return {
        name: cfg.name,
        type: cfg.type,
        state: proc?.state ?? 'stopped',
        restarts: proc?.restarts ?? 0,
        lastError: proc?.lastError,
        pid: proc?.pid,
        devices: devs.length,
        online: devs.filter((d) => d.status === 'online').length,
        logFile: proc?.logFile ?? '',
      };
    });
  }

  /** Every port the deployed drivers listen on, with the driver's state (a listener is open while it runs). */
  listeners(): Array<ListenerInfo & { state: DriverState }> {
    return this.#listeners.map((l) => ({ ...l, state: this.#drivers.get(l.owner)?.state ?? 'stopped' }));
  }

  /** Resolves once every driver has reported ready (drivers that cannot start do not block). */
  async whenReady(timeoutMs = 10_000): Promise<void> {
    const waits = [...this.#drivers.values()].filter((p) => p.state !== 'failed').map((p) => p.whenReady());
    await Promise.race([Promise.all(waits), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#drivers.values()].map((p) => p.stop()));
    for (const d of this.#registry.list()) {
      if (d.status === 'online') this.#registry.setStatus(d.productKey, d.deviceName, 'offline', 'box stopping');
    }
  }
}

function toInfo(d: DeviceConfig): DeviceInfo {
  return { productKey: d.productKey, deviceName: d.deviceName, custom: d.custom ?? {} };
}

function driverLevelKey(c: DriverConfig): string {
  return JSON.stringify([c.type ?? null, c.module ?? null, c.transport ?? 'process', c.busUser ?? null, c.heapMb ?? null, c.config ?? {}]);
}

function devicesKey(c: DriverConfig): string {
  return JSON.stringify(c.devices);
}
