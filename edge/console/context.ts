/**
 * What the console needs from the rest of the box, as one explicit interface. The runtime
 * builds it (the console never imports the runtime); tests can build it from a real runtime.
 */
import type { EventBus, DeployDiffSummary } from '../events.js';
import type { DriverHost } from '../host/host.js';
import type { Logger } from '../log.js';
import type { Db } from '../store/db.js';
import type { DeviceRegistry } from '../thing/registry.js';
import type { ConsoleServices } from './services.js';

export interface BoxIdentity {
  name: string;
  version: string;
  productKey?: string;
  deviceName?: string;
}

export interface ConsoleContext {
  log: Logger;
  events: EventBus;
  registry: DeviceRegistry;
  host: Pick<DriverHost, 'status' | 'restartDriver' | 'setProperties' | 'callService' | 'configs' | 'discover'>;
  db: Db;
  dataDir: string;
  /** Folder the config's relative paths resolve against. */
  baseDir: string;
  startedAt: number;
  identity(): BoxIdentity;
  busClients(): number;
  /** The daemon's own log file (`log.file`), or undefined when it logs to stdout. */
  boxLogFile(): string | undefined;
  /** The config file path, or undefined when the box runs on its embedded defaults. */
  configFile(): string | undefined;
  /** The running config as text (the file's text when there is one). */
  configText(): string;
  /** Check and deploy a new config; throws ConfigError with `.problems` when refused. */
  redeploy(text: string, source: string): Promise<DeployDiffSummary>;
  /** Area services that exist on this box (cloud link, EBA tables, access control). */
  services: ConsoleServices;
}
