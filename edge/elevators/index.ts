/**
 * The elevator-linkage area (docs/elevators.md): the linkage store, the engine that runs the
 * linkage on the box, its call records, the rules carried to doors that run linkage themselves,
 * and the API the cloud, the console and the commissioning file use. Built by the runtime after
 * the access core (it listens to committed passes) and before the drivers.
 */
import { resolve } from 'node:path';
import type { AccessConfig } from '../access/config.js';
import type { OutboxWriter } from '../access/outbox.js';
import type { EventBus } from '../events.js';
import type { DeviceServiceHook } from '../host/host.js';
import type { Logger } from '../log.js';
import { migrate, type Db } from '../store/db.js';
import { applyCommissioningFile } from './commission.js';
import { DeviceResolver, type DeviceSource } from './devices.js';
import { LinkageEngine, type ElevatorHost, type Pass } from './engine.js';
import { CallRecords } from './records.js';
import { RuleDeployments } from './rule-deploy.js';
import { elevatorMigrations } from './schema.js';
import { LinkageApi, linkageGatewayServices, switchHooks, type GatewayService } from './services.js';
import { LinkageStore } from './store.js';

export interface ElevatorDeps {
  db: Db;
  host: ElevatorHost & { handleDeviceService(serviceId: string, hook: DeviceServiceHook): void };
  devices: DeviceSource;
  events: EventBus;
  log: Logger;
  /** Relative commissioning file paths are relative to this folder (the config file's). */
  baseDir: string;
  /** The person of a pass that does not name one (card passes: the card's holder). */
  identityOf?: (p: Pass) => string;
}

export type ElevatorOptions = AccessConfig['elevators'] & { timezoneOffsetMinutes: number };

export class ElevatorLinkage {
  readonly #deps: ElevatorDeps;
  readonly #opts: ElevatorOptions;
  store!: LinkageStore;
  records!: CallRecords;
  api!: LinkageApi;
  rules!: RuleDeployments;
  engine!: LinkageEngine;

  constructor(deps: ElevatorDeps, options: ElevatorOptions) {
    this.#deps = deps;
    this.#opts = options;
  }

  async start(): Promise<void> {
    const { db, host, devices, events, log } = this.#deps;
    migrate(db, 'elevators', elevatorMigrations);
    this.store = new LinkageStore(db);
    this.records = new CallRecords(db);
    this.api = new LinkageApi(this.store, { timezoneOffsetMinutes: this.#opts.timezoneOffsetMinutes });
    const resolver = new DeviceResolver(devices, db);
    this.rules = new RuleDeployments(db, this.store, resolver);
    this.engine = new LinkageEngine(
      {
        db,
        store: this.store,
        records: this.records,
        devices: resolver,
        host,
        events,
        log,
        ...(this.#deps.identityOf ? { identityOf: this.#deps.identityOf } : {}),
      },
      { repeatWindowMs: this.#opts.repeatWindowMs, commandTimeoutMs: this.#opts.commandTimeoutMs },
    );
    for (const [id, hook] of switchHooks(this.store)) host.handleDeviceService(id, hook);
    if (this.#opts.file) applyCommissioningFile(resolve(this.#deps.baseDir, this.#opts.file), this.api, log);
    await this.engine.start();
  }

  async stop(): Promise<void> {
    await this.engine?.stop();
  }

  /** The cloud's linkage APIs, served on the box's gateway device. */
  gatewayServices(): Map<string, GatewayService> {
    return linkageGatewayServices(this.api);
  }

  /** Records go up through the cloud outbox from now on; earlier ones are queued as history. */
  attachOutbox(o: OutboxWriter | undefined): number {
    return this.records.attachOutbox(o);
  }
}
