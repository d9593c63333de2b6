/**
 * The app host (docs/apps.md): the configured and the cloud-pushed apps, one supervised process
 * each (app-process.ts), their credentials (credentials.ts), the service bus that routes to them
 * (service-bus.ts), and the gateway services the cloud reaches them by (gateway-services.ts).
 */
import type { AppCredentials } from '../datamodel/credentials.js';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import { AppCredentialStore } from './credentials.js';
import { AppProcess, type AppProcessOptions, type AppStatus } from './app-process.js';
import { listenersOfApp, type AppHostConfig, type ConfiguredApp } from './config.js';
import type { BoxListener } from '../config/listeners.js';
import { appEnv } from './env.js';
import { ServiceBus, type ServiceProvider } from './service-bus.js';
import type { AppManifest } from './manifest.js';
import { AppDeployer, installedApps } from './deploy.js';
import { appGatewayServices } from './gateway-services.js';
import type { GatewayService } from '../cloud/downlink.js';
import { type AppsDiff, type HostedApp, hostedKey } from './hosted.js';

export type { AppStatus } from './app-process.js';

export type { AppCredentials };
export type { AppsDiff } from './hosted.js';

export interface AppHostDeps {
  log: Logger;
  dataDir: string;
  /** host:port of the data-model API (`iot.hosting.api.domain`). */
  apiDomain: string;
  /** host:port of the file service, when it runs. */
  fileService?: string | undefined;
  logMaxBytes: number;
  logKeep: number;
}

export class AppHost {
  readonly bus: ServiceBus;
  readonly credentials: AppCredentialStore;
  readonly #deps: AppHostDeps;
  readonly #cfg: AppHostConfig;
  readonly #apps = new Map<string, HostedApp>();
  #configured: readonly ConfiguredApp[];

  constructor(deps: AppHostDeps, cfg: AppHostConfig, configured: readonly ConfiguredApp[]) {
    this.#deps = deps;
    this.#cfg = cfg;
    this.#configured = configured;
    this.credentials = new AppCredentialStore(deps.dataDir);
    this.bus = new ServiceBus({ provider: (m) => this.#provider(m), log: deps.log }, cfg.serviceBus);
  }

  get config(): AppHostConfig {
    return this.#cfg;
  }

  /** Where cloud-pushed apps are unpacked (one folder per name, one below per version). */
  get installDir(): string {
    return join(this.#deps.dataDir, this.#cfg.installDir);
  }

  async start(): Promise<void> {
    if (this.#cfg.serviceBus.enabled) await this.bus.start();
    // A version pushed from the cloud replaces the configured folder of the same app.
    const installed = this.#installed();
    for (const c of this.#configured) {
      if (!c.entry.enabled) continue;
      installed.delete(c.entry.name);
      this.#addConfigured(c).start();
    }
    for (const a of installed.values()) {
      if (this.#clashes(a.manifest)) {
        this.#deps.log.error(
          { app: a.manifest.name },
          'pushed app not started: a service model or port of it is taken by a configured app',
        );
        continue;
      }
      this.#add(a.manifest, a.dir, {}, undefined, 'cloud').start();
    }
  }

  #installed(): Map<string, { dir: string; manifest: AppManifest }> {
    return new Map(installedApps(this.installDir).map((a) => [a.manifest.name, a]));
  }

  /** A configured app's process (built, not started): the version pushed from the cloud, if any, runs in its place. */
  #addConfigured(c: ConfiguredApp, installed = this.#installed()): AppProcess {
    const pushed = installed.get(c.entry.name);
    return this.#add(pushed?.manifest ?? c.manifest, pushed?.dir ?? c.dir, c.entry.env, c.entry.memoryMb, 'config');
  }

  /**
   * A redeployed `apps:` list (checked already): apps no longer listed or now disabled stop, new
   * ones start, those whose folder, manifest, env or memory limit changed restart, the others run
   * on untouched. An app the cloud pushed stays (it was never the config's).
   */
  async reconfigure(next: readonly ConfiguredApp[]): Promise<AppsDiff> {
    const diff: AppsDiff = { started: [], stopped: [], restarted: [], unchanged: [] };
    const wanted = new Map(next.filter((c) => c.entry.enabled).map((c) => [c.entry.name, c]));
    const installed = this.#installed();
    this.#configured = next;
    for (const [name, app] of [...this.#apps]) {
      if (wanted.has(name) || app.source !== 'config' || installed.has(name)) continue;
      await this.remove(name);
      diff.stopped.push(name);
    }
    for (const [name, c] of wanted) {
      const pushed = installed.get(name);
      const old = this.#apps.get(name);
      if (old && old.key === hostedKey(pushed?.manifest ?? c.manifest, pushed?.dir ?? c.dir, c.entry.env, c.entry.memoryMb)) {
        diff.unchanged.push(name);
        continue;
      }
      if (old) await this.remove(name);
      this.#addConfigured(c, installed).start();
      (old ? diff.restarted : diff.started).push(name);
    }
    return diff;
  }

  /** Whether another app provides one of its service models or serves one of its ports. */
  #clashes(m: AppManifest): boolean {
    return [...this.#apps.values()].some(
      (a) =>
        a.manifest.name !== m.name &&
        a.manifest.provides.some((x) => m.provides.some((y) => y.serviceModelId === x.serviceModelId || y.port === x.port)),
    );
  }

  /** The cloud's ways in: `InvokeServiceModel`, `DeployApp`. */
  gatewayServices(): Map<string, GatewayService> {
    const deployer = new AppDeployer({ host: this, log: this.#deps.log, dir: this.installDir });
    return appGatewayServices(this.bus, (params) => deployer.deploy(params));
  }

  /** Stop an app and forget it (a first pushed version that never ran). */
  async remove(name: string): Promise<void> {
    const app = this.#apps.get(name);
    this.#apps.delete(name);
    await app?.process.close();
  }

  clashes(m: AppManifest): boolean {
    return this.#clashes(m);
  }

  /** The ports the hosted apps listen on, for the listener registry (`/healthz`). */
  listeners(): BoxListener[] {
    return [...this.#apps.values()].flatMap((a) => {
      const i = this.#configured.findIndex((c) => c.entry.name === a.manifest.name);
      return listenersOfApp(a.manifest, i >= 0 ? `/apps/${i}` : `${this.#cfg.installDir}/${a.manifest.name}`);
    });
  }

  /** The app's log file (console). */
  logFile(name: string): string | undefined {
    return this.#apps.get(name)?.process.logFile;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#apps.values()].map((a) => a.process.close()));
    this.#apps.clear();
    await this.bus.stop();
  }

  /** `PE_SERVICE_BUS`: where an app reaches the bus (loopback when it listens on every address). */
  #busAddress(): string {
    const host = this.#cfg.serviceBus.host;
    return `${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${this.bus.port || this.#cfg.serviceBus.port}`;
  }

  processOptions(): AppProcessOptions {
    const c = this.#cfg;
    return {
      restartBaseMs: c.restartBaseMs,
      restartMaxMs: c.restartMaxMs,
      stableAfterMs: c.stableAfterMs,
      stopTimeoutMs: c.stopTimeoutMs,
      startTimeoutMs: c.startTimeoutMs,
      upAfterMs: c.upAfterMs,
      probeIntervalMs: c.probeIntervalMs,
      hangTimeoutMs: c.hangTimeoutMs,
      memoryPollMs: c.memoryPollMs,
      maxMemoryRestarts: c.maxMemoryRestarts,
      logMaxBytes: this.#deps.logMaxBytes,
      logKeep: this.#deps.logKeep,
    };
  }

  /** The process of one app, built (not started); its credentials made on its first install. */
  #add(
    manifest: AppManifest,
    dir: string,
    configEnv: Readonly<Record<string, string>>,
    memoryMb: number | undefined,
    source: HostedApp['source'],
  ): AppProcess {
    const keys = this.credentials.ensure(manifest.name);
    const dataDir = join(this.#deps.dataDir, 'app-data', manifest.name);
    const env = appEnv({
      name: manifest.name,
      appKey: keys.appKey,
      appSecret: keys.appSecret,
      apiDomain: this.#deps.apiDomain,
      dataDir,
      serviceBus: this.#busAddress(),
      fileService: this.#deps.fileService,
      manifestEnv: manifest.env,
      configEnv,
    });
    const spec = {
      name: manifest.name,
      version: manifest.version,
      dir,
      command: manifest.command,
      env,
      memoryMb: memoryMb ?? manifest.resources.memoryMb,
      ports: [...new Set(manifest.provides.map((p) => p.port))],
    };
    const log = this.#deps.log;
    const proc = new AppProcess(
      spec,
      {
        log,
        logDir: join(this.#deps.dataDir, 'logs', 'apps'),
        onState: (a) => log.info({ app: a.name, state: a.state, ...(a.lastError ? { reason: a.lastError } : {}) }, 'app state'),
      },
      this.processOptions(),
    );
    this.#apps.set(manifest.name, { process: proc, manifest, source, key: hostedKey(manifest, dir, configEnv, memoryMb) });
    return proc;
  }

  /**
   * Put a new version of an app in place (stopping the old one first): used by the cloud deploy.
   * Returns the process, started.
   */
  async replace(manifest: AppManifest, dir: string, configEnv: Readonly<Record<string, string>> = {}): Promise<AppProcess> {
    const old = this.#apps.get(manifest.name);
    if (old) await old.process.close();
    // A configured app keeps its config's env and memory limit over a pushed version.
    const entry = this.#configured.find((c) => c.entry.name === manifest.name)?.entry;
    const proc = this.#add(manifest, dir, entry?.env ?? configEnv, entry?.memoryMb, 'cloud');
    proc.start();
    return proc;
  }

  get(name: string): { process: AppProcess; manifest: AppManifest } | undefined {
    return this.#apps.get(name);
  }

  status(): AppStatus[] {
    return [...this.#apps.values()].map((a) => a.process.status());
  }

  /** Console actions; false when there is no such app. */
  async act(name: string, action: 'start' | 'stop' | 'restart'): Promise<boolean> {
    const app = this.#apps.get(name);
    if (!app) return false;
    if (action === 'stop') await app.process.stop();
    else if (action === 'restart') await app.process.restart();
    else if (app.process.state === 'stopped' || app.process.state === 'failed') await app.process.restart();
    return true;
  }

  appCredentials(appKey: string): AppCredentials | undefined {
    const app = this.credentials.appOf(appKey);
    const hosted = app === undefined ? undefined : this.#apps.get(app);
    const keys = app === undefined ? undefined : this.credentials.get(app);
    if (!hosted || !keys) return undefined;
    return {
      app: hosted.manifest.name,
      appSecret: keys.appSecret,
      read: hosted.manifest.dataModels.read,
      write: hosted.manifest.dataModels.write,
    };
  }

  #provider(serviceModelId: string): ServiceProvider | undefined {
    for (const { process, manifest } of this.#apps.values()) {
      const p = manifest.provides.find((x) => x.serviceModelId === serviceModelId);
      if (!p) continue;
      return {
        app: manifest.name,
        port: p.port,
        down: () => (process.state === 'running' ? undefined : `${process.state}${process.lastError ? ` (${process.lastError})` : ''}`),
      };
    }
    return undefined;
  }
}
