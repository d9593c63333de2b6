/**
 * OTA on a running box: the agent with its targets (the box itself, driver packages, sub-device
 * firmware), the version reports, the report of a box release the boot check rolled back, and the
 * link's hook that carries it all (link-hook.ts). Built by the cloud part (edge/parts/cloud.ts).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CloudExtension } from '../cloud/extension.js';
import type { Logger } from '../log.js';
import { OtaAgent, type OtaDevice, type OtaTarget, type VersionReport } from './agent.js';
import type { AppTargets } from './app-target.js';
import { readBootState, writeBootState } from './boot.js';
import { boxTarget } from './box-target.js';
import { PACKAGE_MODULE_PREFIX, type PackageHost, packageTarget, packageVersions } from './driver-target.js';
import { OTA_STEP } from './messages.js';
import { otaLinkHook } from './link-hook.js';

export interface OtaSettings {
  installDir: string | undefined;
  driverReadyS: number;
}

export interface OtaServiceDeps {
  log: Logger;
  gateway: OtaDevice;
  version: string;
  dataDir: string;
  baseDir: string;
  host: PackageHost;
  publish(topic: string, body: string): boolean;
  nextId(): string;
  requestRestart(): void;
  /** Sub-device firmware: the target of a device, if its protocol has an upgrade path, and the versions devices report. */
  subDevices?: { target(d: OtaDevice): OtaTarget | undefined; versions(): VersionReport[] };
  /** Hosted apps (`app.<name>`), when the box hosts any (edge/ota/app-target.ts). */
  apps?: AppTargets | undefined;
}

export class OtaService {
  readonly agent: OtaAgent;
  readonly #deps: OtaServiceDeps;
  readonly #settings: OtaSettings;
  readonly packagesDir: string;

  constructor(deps: OtaServiceDeps, settings: OtaSettings) {
    this.#deps = deps;
    this.#settings = settings;
    this.packagesDir = join(deps.dataDir, 'packages');
    this.agent = new OtaAgent({
      log: deps.log,
      gateway: deps.gateway,
      publish: deps.publish,
      nextId: deps.nextId,
      target: (d, module) => this.#target(d, module),
      versions: () => this.#versions(),
      workDir: join(deps.dataDir, 'ota'),
    });
  }

  /** The link's hook for OTA topics (link-hook.ts). */
  get extension(): CloudExtension {
    return otaLinkHook(this.agent, this.#deps.log, () => this.#onOnline());
  }

  #onOnline(): void {
    this.agent.informAll();
    this.#reportRollback();
  }

  /** A release the boot check rolled back is reported once the link is up (-4), then marked reported. */
  #reportRollback(): void {
    const dir = this.#settings.installDir;
    if (!dir) return;
    const s = readBootState(dir);
    if (!s.rolledBack || s.rolledBack.reported) return;
    this.agent.report(this.#deps.gateway, 'default', OTA_STEP.INSTALL_FAILED, s.rolledBack.reason);
    this.#deps.log.warn({ rolledBack: s.rolledBack }, 'box release rolled back at boot; reported to the cloud');
    writeBootState(dir, { ...s, rolledBack: { ...s.rolledBack, reported: true } });
  }

  #target(d: OtaDevice, module: string): OtaTarget | undefined {
    const gw = this.#deps.gateway;
    const isGateway = d.productKey === gw.productKey && d.deviceName === gw.deviceName;
    if (!isGateway) return module === 'default' ? this.#deps.subDevices?.target(d) : undefined;
    if (module === 'default') {
      const installDir = this.#settings.installDir;
      if (!installDir) return undefined;
      return boxTarget({ installDir, runningVersion: this.#deps.version, log: this.#deps.log, requestRestart: this.#deps.requestRestart });
    }
    const app = this.#deps.apps?.target(module);
    if (app) return app;
    if (!module.startsWith(PACKAGE_MODULE_PREFIX)) return undefined;
    const name = module.slice(PACKAGE_MODULE_PREFIX.length);
    if (!existsSync(join(this.packagesDir, name, 'current'))) return undefined;
    return packageTarget(
      {
        packagesDir: this.packagesDir,
        baseDir: this.#deps.baseDir,
        host: this.#deps.host,
        log: this.#deps.log,
        readyMs: this.#settings.driverReadyS * 1000,
      },
      name,
    );
  }

  #versions(): VersionReport[] {
    const gw = this.#deps.gateway;
    const names = existsSync(this.packagesDir) ? readdirSync(this.packagesDir) : [];
    return [
      { ...gw, module: 'default', version: this.#deps.version },
      ...packageVersions(this.packagesDir, names).map((v) => ({ ...gw, ...v })),
      ...(this.#deps.apps?.versions() ?? []).map((v) => ({ ...gw, ...v })),
      ...(this.#deps.subDevices?.versions() ?? []),
    ];
  }
}
