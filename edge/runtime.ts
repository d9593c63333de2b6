/**
 * The composition root: the only place that builds and wires the parts, in one visible order
 * (store → files → box services → access → security → elevators → face queue → restore → bus → rules → history
 * → data model → http → backups → host → apps → cloud; one file each under `edge/parts/`) and stops them in the exact reverse. Each part's
 * start/stop runs in its own try/catch so one failing part never blocks the rest.
 */
import { resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { LevelWithSilent } from 'pino';
import { blocking, checkSemantics, ConfigError, loadConfig, parseConfig, type LoadedConfig } from './config/load.js';
import { BUILTIN_TSL_DIR } from './config/paths.js';
import type { BoxConfig } from './config/schema.js';
import { EventBus, type DeployDiffSummary } from './events.js';
import type { DriverHost, DriverConfig } from './host/host.js';
import type { ListenerInfo } from './host/listeners.js';
import { childLogger, createLogger, type Logger } from './log.js';
import type { Metrics } from './metrics.js';
import type { Db } from './store/db.js';
import type { DeploymentRepository } from './store/core.js';
import { ThingModelLibrary } from './thing/library.js';
import { tslJson } from './thing/tsl.js';
import { DeviceRegistry } from './thing/registry.js';
import type { LocalBroker, BusUser } from './bus/broker.js';
import type { BusBridge } from './bus/bridge.js';
import type { BusTransport } from './bus/transport.js';
import type { BusUserStore } from './bus/users.js';
import { sdNotify } from './systemd.js';
import type { AccessCore } from './access/access-core.js';
import type { SecurityAlarms } from './security/alarms.js';
import type { FaceCommandQueue } from './face-queue/index.js';
import type { ElevatorLinkage } from './elevators/index.js';
import type { CloudLink } from './cloud/link.js';
import type { OtaService } from './ota/service.js';
import type { InternetProbe } from './box-health/probe.js';
import type { BackupScheduler } from './backup/schedule.js';
import { backupsPart } from './parts/backups.js';
import type { FileService } from './files/service.js';
import { parseConsoleOptions, type ConsoleHandle, type ConsoleOptions, type ConsoleServices } from './console/index.js';
import type { RulesEngine } from './rules/engine.js';
import type { DataModelService } from './datamodel/service.js';
import type { AppCredentialsLookup } from './datamodel/credentials.js';
import { VERSION } from './version.js';
import { boxHealth, type BoxHealth } from './health.js';
import { type Part, reconfigureParts } from './parts/part.js';
import { storePart } from './parts/store.js';
import { filesPart } from './parts/files.js';
import { boxServicesPart } from './parts/box-services.js';
import { accessPart } from './parts/access.js';
import { securityPart } from './parts/security.js';
import { elevatorsPart } from './parts/elevators.js';
import { faceQueuePart } from './parts/face-queue.js';
import { busPart } from './parts/bus.js';
import { rulesPart } from './parts/rules.js';
import { dataModelPart } from './parts/datamodel.js';
import { historyPart } from './parts/history.js';
import { consoleUrlOf, httpPart } from './parts/http.js';
import { hostPart, listenersOf, newDriverHost } from './parts/host.js';
import { cloudPart } from './parts/cloud.js';
import { restorePart } from './parts/restore.js';
import { appsPart } from './parts/apps.js';
import type { AppHost } from './apps/index.js';
import { keyOf } from './host/sdk/device-key.js';

export { VERSION };

type Phase = 'created' | 'starting' | 'running' | 'stopping' | 'stopped';

export class Runtime {
  readonly events: EventBus;
  readonly log: Logger;
  readonly registry: DeviceRegistry;
  readonly models: ThingModelLibrary;
  readonly host: DriverHost;
  readonly dataDir: string;
  readonly startedAt = Date.now();
  db!: Db;
  deployments!: DeploymentRepository;
  broker: LocalBroker | undefined;
  bridge: BusBridge | undefined;
  http!: FastifyInstance;
  console: ConsoleHandle | undefined;
  /** Area services shown by the console; areas add theirs when they start (cloud, eba, access). */
  readonly consoleServices: ConsoleServices = {};
  readonly consoleOptions: ConsoleOptions;
  /** Folder the config's relative paths resolve against. */
  readonly baseDir: string;
  metrics!: Metrics;
  busPort = 0;
  httpPort = 0;
  busUser: BusUser | undefined;
  /** The apps' bus users (edge bus-user, console); undefined with an external broker. */
  busUsers: BusUserStore | undefined;
  access: AccessCore | undefined;
  /** Person-elevator linkage run on the box (edge/elevators). */
  elevators: ElevatorLinkage | undefined;
  /** Security alarms of device drivers (indoor alarm units), stored with their upload. */
  security: SecurityAlarms | undefined;
  /** Durable command queue of polling face terminals (seed 003), reached by drivers as `faceQueue.*`. */
  faceQueue: FaceCommandQueue | undefined;
  cloud: CloudLink | undefined;
  /** OTA over the cloud link (edge/ota), with the link. */
  ota: OtaService | undefined;
  /** Scheduled backups (a `backup:` section). */
  backups: BackupScheduler | undefined;
  /** Box health of R41 (edge/box-health), with the link. */
  internetProbe: InternetProbe | undefined;
  clockWarnMs = 1000;
  /**
   * Stop the daemon for a restart by its supervisor (a new box release is switched in); set by
   * `edge start` (exit 75, which the systemd unit restarts), a no-op elsewhere.
   */
  requestRestart: () => void = () => undefined;
  /** The edge file service (docs/files.md), when the config has a `files:` section. */
  files: FileService | undefined;
  /** Hosted apps and the service bus (docs/apps.md), with an `apps:` list or `appHost:` section. */
  apps: AppHost | undefined;
  /** EBA alarm rules evaluated on the box (docs/rules.md). */
  rules: RulesEngine | undefined;
  /** The edge data-model API (docs/apps.md), with a `dataModel:` or an `apps:` section. */
  dataModel: DataModelService | undefined;
  /** The hosted apps' keys and data-model grants; set by the apps part (edge/apps), read by the data-model API. */
  appCredentials: AppCredentialsLookup | undefined;
  busTransport: BusTransport | undefined;
  phase: Phase = 'created';
  readyMs = 0;
  #config: BoxConfig;
  readonly #loaded: LoadedConfig;
  readonly #levels: Record<string, LevelWithSilent>;
  readonly #parts: Part[];
  readonly #started: Part[] = [];

  constructor(loaded: LoadedConfig, options: { log?: Logger } = {}) {
    this.#loaded = loaded;
    this.#config = loaded.config;
    this.baseDir = loaded.baseDir;
    const cfg = loaded.config;
    this.dataDir = resolve(loaded.baseDir, cfg.box.dataDir);
    this.log =
      options.log ??
      createLogger({
        ...(cfg.log.level ? { level: cfg.log.level } : {}),
        ...(cfg.log.file
          ? {
              file: resolve(this.dataDir, cfg.log.file),
              fileMaxBytes: Math.round(cfg.log.fileMaxMb * 1024 * 1024),
              fileKeep: cfg.log.fileKeep,
            }
          : {}),
      });
    this.#levels = cfg.log.levels ?? {};
    this.events = new EventBus(this.logOf('events'));
    this.models = ThingModelLibrary.fromDirs([BUILTIN_TSL_DIR, ...cfg.thingModels.map((d) => resolve(loaded.baseDir, d))]);
    this.registry = new DeviceRegistry({ events: this.events, log: this.logOf('thing') });
    this.host = newDriverHost(this, cfg);
    const consoleOptions = parseConsoleOptions(cfg.console);
    if (!consoleOptions.ok) throw new ConfigError(consoleOptions.problems.map((p) => ({ ...p, hint: 'see docs/console.md' })));
    this.consoleOptions = consoleOptions.options;
    this.#parts = this.#buildParts();
  }

  get config(): BoxConfig {
    return this.#config;
  }

  get configFile(): string | undefined {
    return this.#loaded.file;
  }

  /** The parts in start order; `edge/parts/` holds one file per part. */
  #buildParts(): Part[] {
    const parts = [
      storePart(this),
      filesPart(this),
      boxServicesPart(this),
      accessPart(this),
      securityPart(this),
      elevatorsPart(this),
      faceQueuePart(this),
      restorePart(this),
      busPart(this),
      rulesPart(this),
      historyPart(this),
      dataModelPart(this),
      httpPart(this),
      backupsPart(this),
      hostPart(this),
      appsPart(this),
      cloudPart(this),
    ];
    return parts.filter((p): p is Part => p !== undefined);
  }

  /** A child logger for one area, at the level the config sets for it. */
  logOf(area: string): Logger {
    return childLogger(this.log, area, this.#levels);
  }

  /** The console URL to print (with the one-time setup token while no password is set). */
  consoleUrl(): string | undefined {
    return consoleUrlOf(this);
  }

  async start(): Promise<void> {
    const t0 = performance.now();
    this.phase = 'starting';
    for (const part of this.#parts) {
      try {
        const tp = performance.now();
        await part.start();
        this.log.debug({ comp: part.name, ms: Math.round(performance.now() - tp) }, 'part started');
        this.#started.push(part);
      } catch (err) {
        this.log.fatal({ err, comp: part.name, method: 'start' }, 'start failed');
        await this.stop();
        if (err instanceof Error) Object.assign(err, { part: part.name });
        throw err;
      }
    }
    this.phase = 'running';
    this.readyMs = Math.round(performance.now() - t0);
    this.log.info({ ms: this.readyMs, http: this.httpPort, bus: this.busPort, drivers: this.host.configs.length }, 'box ready');
    sdNotify('READY=1');
  }

  async stop(): Promise<void> {
    if (this.phase === 'stopping' || this.phase === 'stopped') return;
    this.phase = 'stopping';
    sdNotify('STOPPING=1');
    for (const part of this.#started.splice(0).reverse()) {
      try {
        await part.stop();
      } catch (err) {
        this.log.error({ err, comp: part.name, method: 'stop' }, 'stop failed');
      }
    }
    this.phase = 'stopped';
    this.log.info('box stopped');
    await new Promise<void>((r) => this.log.flush(() => r()));
  }

  /**
   * Redeploy a new box config (text or parsed): checked whole first; if anything is wrong it
   * is refused and the running config stays. Only drivers and devices that changed restart.
   */
  async redeploy(next: string | BoxConfig, source = 'api'): Promise<DeployDiffSummary> {
    let cfg: BoxConfig;
    try {
      cfg = typeof next === 'string' ? parseConfig(next) : parseConfig(JSON.stringify(next));
      const problems = blocking(checkSemantics(cfg, this.baseDir));
      if (problems.length > 0) throw new ConfigError(problems);
      this.models.merge(ThingModelLibrary.fromDirs(cfg.thingModels.map((d) => resolve(this.baseDir, d))));
    } catch (err) {
      this.deployments?.record(source, false, typeof next === 'string' ? next : next.drivers, undefined, (err as Error).message);
      this.log.warn({ err: (err as Error).message, source }, 'redeploy refused; running config unchanged');
      throw err;
    }
    const diff = await this.host.deploy(cfg.drivers as DriverConfig[]);
    this.#refreshModels();
    const live = await reconfigureParts(this.#started, this.#config, cfg, this.log);
    this.#config = { ...this.#config, drivers: cfg.drivers, thingModels: cfg.thingModels, ...live };
    this.deployments.record(source, true, cfg.drivers, diff);
    return diff;
  }

  /**
   * A thing model that changed on disk applies to every device of its product, also those whose
   * own config did not change (the host redeploys only those that did): the boundary checks and
   * the console use the new model; values of properties that still exist are kept.
   */
  #refreshModels(): void {
    for (const d of this.registry.list()) {
      const model = this.models.get(d.productKey);
      if (!model || model === d.model || JSON.stringify(tslJson(model.tsl)) === JSON.stringify(tslJson(d.model.tsl))) continue;
      this.registry.upsert(d, model);
      this.log.info({ dev: keyOf(d) }, 'thing model updated');
    }
  }

  /** Reload the config file (SIGHUP). */
  async reload(): Promise<DeployDiffSummary | undefined> {
    if (!this.#loaded.file) return undefined;
    return this.redeploy(readFileSync(this.#loaded.file, 'utf8'), 'reload');
  }

  /** The listener registry: the box's own listeners (bound ports) and the deployed drivers' (docs/security.md). */
  listeners(): ListenerInfo[] {
    return listenersOf(this);
  }

  health(): BoxHealth {
    return boxHealth(this);
  }
}

export function createRuntime(file?: string, options: { log?: Logger } = {}): Runtime {
  return new Runtime(loadConfig(file), options);
}
