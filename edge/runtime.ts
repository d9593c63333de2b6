/**
 * The composition root: the only place that builds and wires the parts, in one visible order
 * (config → store → access → elevators → face queue → bus → http → host → cloud) and stops them in the
 * exact reverse. Each
 * part's start/stop runs in its own try/catch so one failing part never blocks the rest.
 */
import { join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { blocking, checkSemantics, ConfigError, loadConfig, parseConfig, type LoadedConfig } from './config/load.js';
import { BUILTIN_TSL_DIR, APP_ROOT } from './config/paths.js';
import type { BoxConfig } from './config/schema.js';
import { EventBus, type DeployDiffSummary } from './events.js';
import { DriverHost, type DriverConfig } from './host/host.js';
import { boxListeners } from './config/listeners.js';
import { boxListenerInfo, type ListenerInfo } from './host/listeners.js';
import { childLogger, createLogger, type Logger } from './log.js';
import type { LevelWithSilent } from 'pino';
import { Metrics } from './metrics.js';
import { openDatabase, migrate, type Db } from './store/db.js';
import { startCheckpointing, type Checkpointer } from './store/checkpointer.js';
import { coreMigrations, DeploymentRepository } from './store/core.js';
import { writeHealthOf } from './store/write-health.js';
import { ThingModelLibrary } from './thing/library.js';
import { tslJson } from './thing/tsl.js';
import { DeviceRegistry } from './thing/registry.js';
import { LocalBroker, type BusUser } from './bus/broker.js';
import { BusBridge } from './bus/bridge.js';
import { DriverBusRouter } from './bus/driver-router.js';
import { embeddedTransport, externalTransport, type BusTransport } from './bus/transport.js';
import { ensureBusCredentials } from './bus/credentials.js';
import { BusUserStore, busAccounts, listBusUsers } from './bus/users.js';

/** How soon a bus user changed by another process (the CLI) takes effect. */
const BUS_USERS_POLL_MS = 1000;
import { buildHttpServer, listen } from './http/server.js';
import type { FastifyInstance } from 'fastify';
import { sdNotify } from './systemd.js';
import { AccessCore } from './access/access-core.js';
import { parseAccessConfig } from './access/config.js';
import { edgeError } from './errors.js';
import { ensureDeviceKey } from './keys/device-rsa.js';
import { SecurityAlarms } from './security/alarms.js';
import { accessHostServices } from './access/host-services.js';
import { handleAccessDeviceServices } from './access/device-services.js';
import { accessGatewayServices } from './access/gateway-services.js';
import { FaceCommandQueue, faceQueueHostServices } from './face-queue/index.js';
import { ElevatorLinkage } from './elevators/index.js';
import { CloudLink } from './cloud/link.js';
import { cloudOutboxWriter } from './cloud/access-outbox.js';
import { cloudWanted, parseCloudConfig } from './cloud/config.js';
import { parseConsoleOptions, registerConsole, type ConsoleHandle, type ConsoleOptions, type ConsoleServices } from './console/index.js';
import { applyPendingRestore } from './console/backup/backup.js';
import { cloudLinkView } from './console/adapters/cloud.js';
import { ebaTablesService } from './console/adapters/eba-tables.js';
import { accessConsoleService } from './console/adapters/access.js';
import { elevatorsConsoleService } from './console/adapters/elevators.js';
import { rulesConsoleService } from './console/adapters/rules.js';
import { stringify as stringifyYaml } from 'yaml';
import { RulesEngine } from './rules/engine.js';
import { configuredRules, parseRulesConfig } from './rules/config.js';
import { rulesGatewayServices } from './rules/gateway-services.js';
import { alarmCloudOutbox } from './rules/cloud-outbox.js';
import { filesPart, type FilesPart } from './files/part.js';

/** Driver types whose devices encrypt a session key to the box (they may read its device key). */
const DEVICE_KEY_DRIVERS = new Set(['alarm-unit']);

export const VERSION: string = (JSON.parse(readFileSync(join(APP_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

type Phase = 'created' | 'starting' | 'running' | 'stopping' | 'stopped';

interface Part {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

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
  readonly #consoleOptions: ConsoleOptions;
  metrics!: Metrics;
  busPort = 0;
  httpPort = 0;
  busUser: BusUser | undefined;
  /** The apps' bus users (edge bus-user, console); undefined with an external broker. */
  busUsers: BusUserStore | undefined;
  #busUserWatch: NodeJS.Timeout | undefined;
  access: AccessCore | undefined;
  /** Person-elevator linkage run on the box (edge/elevators). */
  elevators: ElevatorLinkage | undefined;
  /** Security alarms of device drivers (indoor alarm units), stored with their upload. */
  security: SecurityAlarms | undefined;
  /** Durable command queue of polling face terminals (seed 003), reached by drivers as `faceQueue.*`. */
  faceQueue: FaceCommandQueue | undefined;
  cloud: CloudLink | undefined;
  /** EBA alarm rules evaluated on the box (docs/rules.md). */
  rules: RulesEngine | undefined;
  busTransport: BusTransport | undefined;
  phase: Phase = 'created';
  readyMs = 0;
  #config: BoxConfig;
  readonly #loaded: LoadedConfig;
  readonly #parts: Part[] = [];
  readonly #started: Part[] = [];
  #checkpointer: Checkpointer | undefined;
  /** The edge file service (docs/files.md), when the config has a `files:` section. */
  #files: FilesPart | undefined;

  constructor(loaded: LoadedConfig, options: { log?: Logger } = {}) {
    this.#loaded = loaded;
    this.#config = loaded.config;
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
    const levels = cfg.log.levels ?? {};
    this.events = new EventBus(childLogger(this.log, 'events', levels));
    this.models = ThingModelLibrary.fromDirs([BUILTIN_TSL_DIR, ...cfg.thingModels.map((d) => resolve(loaded.baseDir, d))]);
    this.registry = new DeviceRegistry({ events: this.events, log: childLogger(this.log, 'thing', levels) });
    this.host = new DriverHost(
      {
        registry: this.registry,
        events: this.events,
        models: this.models,
        log: childLogger(this.log, 'host', levels),
        logDir: join(this.dataDir, 'logs', 'drivers'),
        dataDir: join(this.dataDir, 'drivers'),
      },
      {
        ...cfg.host,
        baseDir: loaded.baseDir,
        logLevel: cfg.log.level ?? 'info',
        logMaxBytes: Math.round(cfg.log.driverFileMaxMb * 1024 * 1024),
        logKeep: cfg.log.driverFileKeep,
        boxListeners: boxListeners(cfg),
      },
    );
    const consoleOptions = parseConsoleOptions(cfg.console);
    if (!consoleOptions.ok) throw new ConfigError(consoleOptions.problems.map((p) => ({ ...p, hint: 'see docs/console.md' })));
    this.#consoleOptions = consoleOptions.options;
    this.#buildParts(levels);
  }

  get files() {
    return this.#files?.service;
  }

  get config(): BoxConfig {
    return this.#config;
  }

  get configFile(): string | undefined {
    return this.#loaded.file;
  }

  #buildParts(levels: Record<string, LevelWithSilent>): void {
    const cfg = this.#config;
    this.#parts.push({
      name: 'store',
      start: async () => {
        const replaced = applyPendingRestore(this.dataDir); // a restore staged by the console takes effect here
        if (replaced) this.log.warn({ kept: replaced }, 'restored database from backup');
        this.db = openDatabase(join(this.dataDir, 'edge.db'));
        const storeHealth = writeHealthOf(this.db);
        storeHealth.onChange((c) => {
          if (!c.writable)
            this.log.error(
              { area: c.area, err: c.error },
              'the box database cannot write (disk full or failing): data is held in memory and retried every second',
            );
          else
            this.log.warn(
              { failedForS: Math.round(c.failedForMs / 1000), failedWrites: c.failedWrites },
              'the box database writes again; held data written',
            );
        });
        this.#checkpointer = startCheckpointing(this.db, join(this.dataDir, 'edge.db'), 250, (message) =>
          storeHealth.failed('checkpoint', message),
        );
        migrate(this.db, 'core', coreMigrations);
        this.deployments = new DeploymentRepository(this.db);
      },
      stop: async () => {
        await this.#checkpointer?.stop();
        if (this.db?.open) {
          this.db.pragma('wal_checkpoint(TRUNCATE)');
          this.db.close();
        }
      },
    });
    this.#files = filesPart({ config: cfg.files, db: () => this.db, dataDir: this.dataDir, log: childLogger(this.log, 'files', levels) });
    if (this.#files) this.#parts.push(this.#files);
    this.#parts.push({
      // Offline access control on the box database; door drivers reach it as host services.
      name: 'access',
      start: async () => {
        this.access = new AccessCore(
          { db: this.db, log: childLogger(this.log, 'access', levels), dataDir: this.dataDir, events: this.events, files: this.files },
          parseAccessConfig(cfg.access),
        );
        this.host.registerServices(accessHostServices(this.access, () => this.elevators?.rules));
        this.host.registerServices({
          'box.cloudLink': () => ({ configured: cloudWanted(cfg.cloud), online: this.cloud?.online ?? false }),
        });
        // Generated on first start whatever the drivers (`edge keys` prints it for the installer),
        // handed only to drivers whose devices encrypt to it.
        const deviceKey = ensureDeviceKey(this.dataDir);
        if (deviceKey.created)
          this.log.info(
            { file: deviceKey.file, bits: deviceKey.bits },
            'device RSA key generated; `edge keys` prints its public half for the units',
          );
        this.host.registerServices({
          'box.deviceKey': (_args, caller) => {
            const type = (this.#config.drivers as Array<{ name?: string; type?: string }>).find((d) => d.name === caller.driver)?.type;
            if (!type || !DEVICE_KEY_DRIVERS.has(type))
              throw edgeError(
                'EDGE_ERR_HOST_CALL_INVALID',
                'box.deviceKey',
                `driver ${caller.driver} has no use for the box's private key`,
              );
            return { privateKeyPem: deviceKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), bits: deviceKey.bits };
          },
        });
        handleAccessDeviceServices(this.host, this.access, childLogger(this.log, 'access', levels));
        await this.access.start();
      },
      stop: async () => {
        await this.access?.stop();
      },
    });
    this.#parts.push({
      // Security alarms (docs/security-devices.md): drivers store each before answering their device.
      name: 'security',
      start: async () => {
        const alarms = new SecurityAlarms(this.db, this.events);
        this.security = alarms;
        this.host.registerServices({
          'security.recordAlarm': (a) => ({ alarmId: alarms.record(a) }),
        });
      },
      // Nothing to stop: the store lives in the box database, closed by the store part.
      stop: async () => undefined,
    });
    this.#parts.push({
      // Person-elevator linkage on the box (docs/elevators.md): listens to committed passes.
      name: 'elevators',
      start: async () => {
        const access = parseAccessConfig(cfg.access);
        this.elevators = new ElevatorLinkage(
          {
            db: this.db,
            host: this.host,
            devices: this.registry,
            events: this.events,
            log: childLogger(this.log, 'elevators', levels),
            baseDir: this.#loaded.baseDir,
            // A card pass names its holder only through the card's permission.
            identityOf: (p) =>
              p.identityId ||
              (this.access && (p.kind === 'tradCard' || p.kind === 'bleCard')
                ? (this.access.permissions.credential(p.kind, p.content, p.deviceKey)?.identity_id ?? '')
                : ''),
          },
          { ...access.elevators, timezoneOffsetMinutes: access.timezoneOffsetMinutes },
        );
        await this.elevators.start();
      },
      stop: async () => {
        await this.elevators?.stop();
      },
    });
    this.#parts.push({
      // Per-device command queues of polling face terminals (docs/face-terminals.md).
      name: 'faceQueue',
      start: async () => {
        this.faceQueue = new FaceCommandQueue(this.db);
        this.faceQueue.prune();
        this.host.registerServices(faceQueueHostServices(this.faceQueue));
      },
      stop: async () => {},
    });
    if (cfg.bus.enabled) {
      this.#parts.push({
        name: 'bus',
        start: async () => {
          let transport: BusTransport;
          if (cfg.bus.externalUrl) {
            transport = await externalTransport(cfg.bus.externalUrl, {
              clientId: `edge-${cfg.box.name}`,
              ...(cfg.bus.externalUsername ? { username: cfg.bus.externalUsername } : {}),
              ...(cfg.bus.externalPassword ? { password: cfg.bus.externalPassword } : {}),
            });
          } else {
            const store = new BusUserStore(this.dataDir);
            this.busUsers = store;
            const configUsers = cfg.bus.users;
            this.consoleServices.busUsers = {
              list: () => listBusUsers(configUsers, store),
              add: (name, rights) => store.add(name, rights, (n) => configUsers.some((u) => u.username === n)),
              setRights: (name, rights) => store.setRights(name, rights),
              remove: (name) => store.remove(name),
            };
            if (cfg.bus.users.length > 0) this.busUser = cfg.bus.users[0];
            else store.adoptGenerated((this.busUser = ensureBusCredentials(this.dataDir)));
            const broker = new LocalBroker(
              { log: childLogger(this.log, 'bus', levels) },
              {
                host: cfg.bus.host,
                port: cfg.bus.port,
                accounts: busAccounts(cfg.bus.users, store),
                allowAnonymous: cfg.bus.allowAnonymous,
                limits: cfg.bus.limits,
                driverUser: (name) => this.host.busUserOf(name),
              },
            );
            this.broker = broker;
            await broker.start();
            // `edge bus-user` edits the file from another process, the console this one: a removed
            // user or a narrowed right must not live on in an open connection.
            let seen = store.version;
            this.#busUserWatch = setInterval(() => {
              try {
                store.reloadIfChanged();
                if (store.version === seen) return;
                seen = store.version;
                broker.revalidate();
              } catch (err) {
                this.log.error({ err: (err as Error).message }, 'bus users file unreadable: the users loaded before stay in force');
              }
            }, BUS_USERS_POLL_MS);
            this.#busUserWatch.unref();
            this.busPort = this.broker.port;
            transport = embeddedTransport(this.broker.aedes);
          }
          this.busTransport = transport;
          this.bridge = new BusBridge({
            events: this.events,
            host: this.host,
            registry: this.registry,
            log: childLogger(this.log, 'bus', levels),
            transport,
            gateway: { productKey: String(cfg.cloud?.productKey ?? 'edge'), deviceName: String(cfg.cloud?.deviceName ?? cfg.box.name) },
          });
          await this.bridge.start();
          const router = new DriverBusRouter({ transport, log: childLogger(this.log, 'bus', levels) });
          await router.start();
          this.host.setBusChannel(router.channel);
        },
        stop: async () => {
          await this.bridge?.stop();
          clearInterval(this.#busUserWatch);
          await this.broker?.stop();
        },
      });
    }
    const rulesConfig = parseRulesConfig(cfg.rules);
    if (rulesConfig.enabled) {
      this.#parts.push({
        // Fed by the registry's value and status events; before the drivers, so no report goes unseen.
        name: 'rules',
        start: async () => {
          const rules = new RulesEngine(
            {
              db: this.db,
              events: this.events,
              registry: this.registry,
              log: childLogger(this.log, 'rules', levels),
              publish: (topic, payload, retain) => this.busTransport?.publish(topic, payload, retain),
              gateway: { productKey: String(cfg.cloud?.productKey ?? 'edge'), deviceName: String(cfg.cloud?.deviceName ?? cfg.box.name) },
            },
            { openListed: rulesConfig.openListed },
          );
          for (const raw of configuredRules(rulesConfig, this.#loaded.baseDir)) {
            const r = rules.addOrUpdate(raw, 'file');
            if (!r.ok) this.log.error({ comp: 'rules', problems: r.problems }, 'alarm rule of the config refused');
          }
          await rules.start();
          this.rules = rules;
        },
        stop: async () => {
          await this.rules?.stop();
        },
      });
    }
    // HTTP (health, metrics, console) comes up before the drivers: it answers while they boot,
    // and the drivers' start-up does not compete with it for the CPU.
    this.#parts.push({
      name: 'http',
      start: async () => {
        this.metrics = new Metrics({
          events: this.events,
          host: this.host,
          devices: this.registry,
          busClients: () => this.broker?.clients ?? 0,
          busPublished: () => this.bridge?.published ?? 0,
          store: writeHealthOf(this.db),
        });
        this.metrics.start();
        this.http = buildHttpServer({
          log: childLogger(this.log, 'http', levels),
          health: {
            health: () => this.health(),
            metricsText: () => this.metrics.registry.metrics(),
            metricsContentType: this.metrics.registry.contentType,
          },
          https: this.#consoleHttps(),
        });
        if (this.access) this.consoleServices.access ??= accessConsoleService(this.access);
        if (this.elevators) this.consoleServices.elevators ??= elevatorsConsoleService(this.elevators);
        if (this.rules) {
          this.consoleServices.rules ??= rulesConsoleService(this.rules);
          this.rules.registerMetrics(this.metrics.registry);
        }
        this.consoleServices.eba ??= ebaTablesService({
          configFile: () => this.#loaded.file,
          redeploy: (text, source) => this.redeploy(text, source),
        });
        if (this.#consoleOptions.enabled)
          this.console = registerConsole(this.http, this.#consoleContext(childLogger(this.log, 'console', levels)), {
            ...this.#consoleOptions,
            secure: Boolean(this.#consoleOptions.https),
          });
        this.httpPort = await listen(this.http, { host: cfg.http.host, port: cfg.http.port });
      },
      stop: async () => {
        this.metrics?.stop();
        await this.http?.close();
      },
    });
    this.#parts.push({
      name: 'host',
      start: async () => {
        const diff = await this.host.deploy(cfg.drivers as DriverConfig[]);
        this.deployments.record('start', true, cfg.drivers, diff);
      },
      stop: () => this.host.stop(),
    });
    if (cloudWanted(cfg.cloud)) {
      // Only with a `cloud` section: the embedded-defaults start command stays offline.
      this.#parts.push({
        name: 'cloud',
        start: async () => {
          this.cloud = new CloudLink(
            {
              db: this.db,
              events: this.events,
              registry: this.registry,
              host: this.host,
              log: childLogger(this.log, 'cloud', levels),
              config: () => this.#config,
              redeploy: (next, source) => this.redeploy(next, source),
              publishLocal: (topic, payload, retain) =>
                this.broker?.aedes.publish({ cmd: 'publish', topic, payload, qos: 0, retain, dup: false }, () => undefined),
              gatewayServices: new Map([
                ...(this.access ? accessGatewayServices(this.access) : []),
                ...(this.elevators?.gatewayServices() ?? []),
                ...(this.rules ? rulesGatewayServices(this.rules) : []),
              ]),
            },
            parseCloudConfig(cfg.cloud),
          );
          await this.cloud.start();
          // Pass records, face sync statuses and sync errors go up through this one outbox.
          if (this.access) {
            const access = this.access;
            this.cloud.outbox.onAcknowledged((refs) => access.records.acknowledged(refs));
            const cloud = this.cloud;
            const queued = access.attachOutbox(
              cloudOutboxWriter({ outbox: cloud.outbox, gateway: cloud.gateway, isOnline: () => cloud.online }),
            );
            if (queued > 0) this.log.info({ records: queued }, 'pass records recorded without the cloud queued as history');
          }
          // Elevator linkage records (AutoElevatorCallRecord) go up through the same outbox.
          if (this.elevators) {
            const elevators = this.elevators;
            const cloud = this.cloud;
            this.cloud.outbox.onAcknowledged((refs) => elevators.records.acknowledged(refs));
            const queued = elevators.attachOutbox(
              cloudOutboxWriter({ outbox: cloud.outbox, gateway: cloud.gateway, isOnline: () => cloud.online }),
            );
            if (queued > 0) this.log.info({ records: queued }, 'elevator linkage records made without the cloud queued as history');
          }
          // Security alarms of the alarm drivers, likewise.
          if (this.security) {
            const security = this.security;
            const cloud = this.cloud;
            this.cloud.outbox.onAcknowledged((refs) => security.acknowledged(refs));
            const queued = security.attachOutbox(
              cloudOutboxWriter({ outbox: cloud.outbox, gateway: cloud.gateway, isOnline: () => cloud.online }),
            );
            if (queued > 0) this.log.info({ alarms: queued }, 'security alarms stored without the cloud queued as history');
          }
          // Alarm records go up through the same outbox, in the engine's own transactions.
          if (this.rules) {
            const rules = this.rules;
            const cloud = this.cloud;
            this.cloud.outbox.onAcknowledged((refs) => rules.acknowledged(refs));
            const queued = rules.attachOutbox(
              alarmCloudOutbox({ outbox: cloud.outbox, gateway: cloud.gateway, isOnline: () => cloud.online }),
            );
            if (queued > 0) this.log.info({ records: queued }, 'alarm records raised without the cloud queued');
          }
          this.cloud.registerMetrics(this.metrics.registry);
          this.consoleServices.cloud ??= cloudLinkView(this.cloud);
        },
        stop: async () => {
          await this.cloud?.stop();
        },
      });
    }
  }

  #consoleHttps(): { key: Buffer; cert: Buffer } | undefined {
    const tls = this.#consoleOptions.https;
    if (!tls) return undefined;
    return { key: readFileSync(resolve(this.#loaded.baseDir, tls.key)), cert: readFileSync(resolve(this.#loaded.baseDir, tls.cert)) };
  }

  #consoleContext(log: Logger) {
    return {
      log,
      events: this.events,
      registry: this.registry,
      host: this.host,
      db: this.db,
      dataDir: this.dataDir,
      baseDir: this.#loaded.baseDir,
      startedAt: this.startedAt,
      identity: () => ({
        name: this.#config.box.name,
        version: VERSION,
        productKey: String(this.#config.cloud?.productKey ?? ''),
        deviceName: String(this.#config.cloud?.deviceName ?? ''),
      }),
      busClients: () => this.broker?.clients ?? 0,
      configFile: () => this.#loaded.file,
      configText: () => (this.#loaded.file ? readFileSync(this.#loaded.file, 'utf8') : stringifyYaml(this.#config)),
      redeploy: (text: string, source: string) => this.redeploy(text, source),
      services: this.consoleServices,
    };
  }

  /** The console URL to print (with the one-time setup token while no password is set). */
  consoleUrl(): string | undefined {
    if (!this.console) return undefined;
    const host = this.config.http.host === '0.0.0.0' || this.config.http.host === '::' ? '127.0.0.1' : this.config.http.host;
    return this.console.url(
      `${this.#consoleOptions.https ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${this.httpPort}`,
    );
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
      const problems = blocking(checkSemantics(cfg, this.#loaded.baseDir));
      if (problems.length > 0) throw new ConfigError(problems);
      this.models.merge(ThingModelLibrary.fromDirs(cfg.thingModels.map((d) => resolve(this.#loaded.baseDir, d))));
    } catch (err) {
      this.deployments?.record(source, false, typeof next === 'string' ? next : next.drivers, undefined, (err as Error).message);
      this.log.warn({ err: (err as Error).message, source }, 'redeploy refused; running config unchanged');
      throw err;
    }
    const diff = await this.host.deploy(cfg.drivers as DriverConfig[]);
    this.#refreshModels();
    this.#config = { ...this.#config, drivers: cfg.drivers, thingModels: cfg.thingModels };
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
      this.log.info({ dev: `${d.productKey}/${d.deviceName}` }, 'thing model updated');
    }
  }

  /** Reload the config file (SIGHUP). */
  async reload(): Promise<DeployDiffSummary | undefined> {
    if (!this.#loaded.file) return undefined;
    return this.redeploy(readFileSync(this.#loaded.file, 'utf8'), 'reload');
  }

  /** The listener registry: the box's own listeners (bound ports) and the deployed drivers' (docs/security.md). */
  listeners(): ListenerInfo[] {
    const files = this.files;
    const bound = { http: this.httpPort, bus: this.busPort, ...(files ? { files: [files.port, files.outsidePort] as const } : {}) };
    return [...boxListeners(this.#config, bound).map(boxListenerInfo), ...this.host.listeners()];
  }

  health(): { status: 'ok' | 'degraded' | 'starting' | 'stopping'; [k: string]: unknown } {
    const drivers = this.host.status();
    const devices = this.registry.list();
    const down = drivers.filter((d) => d.state !== 'running');
    const store = this.db ? writeHealthOf(this.db).state() : undefined;
    const notStarted = devices.filter((d) => d.startError !== undefined);
    const status =
      this.phase === 'running'
        ? down.length > 0 || notStarted.length > 0 || store?.writable === false
          ? 'degraded'
          : 'ok'
        : this.phase === 'stopping' || this.phase === 'stopped'
          ? 'stopping'
          : 'starting';
    return {
      status,
      version: VERSION,
      box: this.#config.box.name,
      uptimeS: Math.round((Date.now() - this.startedAt) / 1000),
      drivers: {
        total: drivers.length,
        running: drivers.length - down.length,
        down: down.map((d) => ({ name: d.name, state: d.state, lastError: d.lastError })),
      },
      devices: {
        total: devices.length,
        online: devices.filter((d) => d.status === 'online').length,
        ...(notStarted.length > 0
          ? {
              cannotStart: notStarted
                .slice(0, 50)
                .map((d) => ({ device: `${d.productKey}/${d.deviceName}`, driver: d.driver, reason: d.startError })),
            }
          : {}),
      },
      bus: { port: this.busPort, clients: this.broker?.clients ?? 0 },
      listeners: this.listeners(),
      ...(store ? { store } : {}),
      ...(this.cloud ? { cloud: this.cloud.status() } : {}),
    };
  }
}

export function createRuntime(file?: string, options: { log?: Logger } = {}): Runtime {
  return new Runtime(loadConfig(file), options);
}
