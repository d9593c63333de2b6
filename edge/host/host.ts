/**
 * The driver host: runs each configured driver in its own process, redeploys by diff,
 * routes property reads/writes and service calls to the owning driver, and feeds reports
 * through the TSL boundary (the device registry) onto the event bus.
 */
import { driverSetProblems } from '../config/driver-set.js';
import { edgeError, type Answer } from '../errors.js';
import type { DeployDiffSummary, EventBus } from '../events.js';
import type { Logger } from '../log.js';
import type { ThingModelLibrary } from '../thing/library.js';
import type { DeviceRegistry } from '../thing/registry.js';
import { DriverProcess } from './driver-process.js';
import type { DriverProcessOptions, DriverState } from './driver-spec.js';
import type { ChannelFactory } from './channel.js';
import { HostServiceRegistry, type HostHandlers } from './services.js';
import { driverSettingsProblems } from './driver-settings.js';
import { driverListeners, type ListenerInfo } from './listeners.js';
import type { BoxListener } from '../config/listeners.js';
import { blocking, ConfigError } from '../config/load.js';
import { deviceChanges, driverSpec, planDeploy, type DeviceConfig, type DriverConfig } from './deploy-plan.js';
import { DriverReports } from './reports.js';
import { CallRouter, type DeviceServiceHook, type DevicePropertyHook } from './call-router.js';

export type { DeviceConfig, DriverConfig } from './deploy-plan.js';
export type { DeviceServiceHook, DevicePropertyHook } from './call-router.js';

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
  #clockOffsetMs = 0;
  #configs: DriverConfig[] = [];
  /** What the deployed drivers listen on (the listener registry's driver half). */
  #listeners: ListenerInfo[] = [];
  #busChannel: ChannelFactory | undefined;
  #deploying: Promise<unknown> = Promise.resolve();
  readonly services: HostServiceRegistry;
  readonly #reports: DriverReports;
  readonly #calls: CallRouter;

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
    this.#reports = new DriverReports(deps);
    this.#calls = new CallRouter({ registry: deps.registry, log: deps.log, driver: (name) => this.#drivers.get(name) });
  }

  /**
   * Let a box area answer a thing-model service itself, for every device whose model has it,
   * whatever its driver: the permission sync services (`syncPermissions`, `SyncFacePictures` …)
   * load the box's own stores, then `forward()` tells the driver (docs/access.md).
   */
  handleDeviceService(serviceId: string, hook: DeviceServiceHook): void {
    this.#calls.handleDeviceService(serviceId, hook);
  }

  /** See a property write (already checked) before the driver does; throwing refuses the write. */
  watchPropertySet(property: string, hook: DevicePropertyHook): void {
    this.#calls.watchPropertySet(property, hook);
  }

  /**
   * Offer host services to drivers: `ctx.host.call(name, args)` in a driver lands here with the
   * caller's driver name. Area services are named `<area>.<method>` (e.g. `access.decideQr`);
   * a device argument must belong to the calling driver.
   */
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
    const diff = planDeploy(this.#configs, configs);
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
      const changes = deviceChanges(before.get(name)!, cfg);
      for (const d of changes.gone) this.#registry.remove(d.productKey, d.deviceName);
      for (const d of changes.changed) this.#registerDevice(name, d);
      const proc = this.#drivers.get(name)!;
      proc.spec = driverSpec(cfg, this.#opts);
      proc.updateDevices(changes.add, changes.remove);
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

  #startDriver(cfg: DriverConfig): void {
    const log = this.#log.child({ driver: cfg.name });
    const proc: DriverProcess = new DriverProcess(
      driverSpec(cfg, this.#opts),
      {
        log,
        logDir: this.#logDir,
        dataDir: this.#dataDir,
        ...(this.#busChannel ? { mqttChannel: this.#busChannel } : {}),
        callbacks: {
          onProps: (items) => this.#reports.properties(cfg.name, items),
          onEvent: (pk, dn, id, params, time) => this.#reports.event(cfg.name, pk, dn, id, params, time),
          onDeviceStatus: (pk, dn, online, reason, failed) => this.#reports.deviceStatus(cfg.name, pk, dn, online, reason, failed),
          onDown: (reason) => this.#reports.driverDown(cfg.name, reason),
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
    proc.setClockOffset(this.#clockOffsetMs);
    proc.start();
  }

  getProperties(pk: string, dn: string, keys: string[]): Promise<Answer> {
    return this.#calls.getProperties(pk, dn, keys);
  }

  setProperties(pk: string, dn: string, params: unknown): Promise<Answer> {
    return this.#calls.setProperties(pk, dn, params);
  }

  callService(pk: string, dn: string, serviceId: string, params: unknown, timeoutMs?: number): Promise<Answer> {
    return this.#calls.callService(pk, dn, serviceId, params, timeoutMs);
  }

  /** Platform time minus box time (Alink NTP): every driver stamps its records with the corrected time. */
  setClockOffset(offsetMs: number): void {
    this.#clockOffsetMs = offsetMs;
    for (const proc of this.#drivers.values()) proc.setClockOffset(offsetMs);
  }

  discover(driverName: string, options: Record<string, unknown>, timeoutMs?: number): Promise<Answer> {
    return this.#calls.discover(driverName, options, timeoutMs);
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
