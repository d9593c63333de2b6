/**
 * Driver and app packages as OTA targets. A package lives in `<dataDir>/packages/<name>/`:
 * `releases/<version>/` (each unpacked whole, beside the others) and `current`, the link the
 * drivers' `module:` points at. An upgrade unpacks the new release, switches `current`,
 * restarts every driver that runs the package and waits for each to run steadily; one that does
 * not within the deadline (crash at start, start that never finishes) is switched back and
 * restarted again, and the failure reported as -4.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resolveDriverModule } from '../config/paths.js';
import type { DriverState } from '../host/driver-spec.js';
import type { Logger } from '../log.js';
import type { OtaTarget } from './agent.js';
import { currentRelease, switchCurrent } from './boot.js';
import { OTA_STEP, OtaError } from './messages.js';
import { unpackPackage } from './unpack.js';

/** OTA module names of packages: `pkg.<folder name>`. */
export const PACKAGE_MODULE_PREFIX = 'pkg.';

export interface PackageHost {
  readonly configs: ReadonlyArray<{ name: string; type?: string | undefined; module?: string | undefined }>;
  restartDriver(name: string): Promise<boolean>;
  driver(name: string): { state: DriverState; lastError: string | undefined } | undefined;
}

export interface PackageTargetOptions {
  packagesDir: string;
  /** Where relative driver `module:` paths are resolved from (the config file's folder). */
  baseDir: string;
  host: PackageHost;
  log: Logger;
  readyMs: number;
  /** Running this long without a restart counts as started (a crash at start shows within it). */
  steadyMs?: number;
}

/** The drivers whose module is the package's `current`. */
export function driversOfPackage(o: Pick<PackageTargetOptions, 'packagesDir' | 'baseDir' | 'host'>, name: string): string[] {
  const root = join(resolve(o.packagesDir), name, 'current');
  return o.host.configs
    .filter((c) => c.module !== undefined && resolveDriverModule(c, o.baseDir).startsWith(`${root}/`))
    .map((c) => c.name);
}

/** Installed packages and the version each runs: what the box reports for them. */
export function packageVersions(packagesDir: string, names: string[]): Array<{ module: string; version: string }> {
  return names.flatMap((n) => {
    const v = currentRelease(join(packagesDir, n));
    return v ? [{ module: `${PACKAGE_MODULE_PREFIX}${n}`, version: v }] : [];
  });
}

export function packageTarget(o: PackageTargetOptions, name: string): OtaTarget {
  const dir = join(o.packagesDir, name);
  return {
    what: `package ${name}`,
    unpackFactor: 3,
    async install(file, fw, report) {
      const previous = currentRelease(dir);
      if (previous === fw.version) throw new OtaError(OTA_STEP.UPGRADE_FAILED, `package ${name} ${fw.version} is already installed`);
      const dest = join(dir, 'releases', fw.version);
      await unpackPackage(file, dest);
      if (!['index.js', 'index.mjs', 'index.ts'].some((f) => existsSync(join(dest, f))))
        throw new OtaError(OTA_STEP.INSTALL_FAILED, 'package has no index.js at its top');
      report(85, 'unpacked');
      switchCurrent(dir, fw.version);
      const drivers = driversOfPackage(o, name);
      report(90, `switched; restarting ${drivers.length} driver(s)`);
      const failed = await restartAll(o, drivers);
      if (!failed) return 'running';
      if (!previous) throw new OtaError(OTA_STEP.INSTALL_FAILED, `${failed}; no earlier release to go back to`);
      o.log.warn({ package: name, from: fw.version, to: previous, reason: failed }, 'driver package rolled back');
      switchCurrent(dir, previous);
      const again = await restartAll(o, drivers);
      throw new OtaError(
        OTA_STEP.INSTALL_FAILED,
        `${failed}; rolled back to ${previous}${again ? ` (which does not run either: ${again})` : ''}`,
      );
    },
  };
}

/** Restart each driver and wait for it to run steadily; the first failure's text, or undefined. */
async function restartAll(o: PackageTargetOptions, drivers: string[]): Promise<string | undefined> {
  await Promise.all(drivers.map((d) => o.host.restartDriver(d)));
  const results = await Promise.all(drivers.map((d) => steady(o, d)));
  return results.find((r) => r !== undefined);
}

async function steady(o: PackageTargetOptions, driver: string): Promise<string | undefined> {
  const steadyMs = o.steadyMs ?? 3000;
  const deadline = Date.now() + o.readyMs;
  let runningSince: number | undefined;
  for (;;) {
    const p = o.host.driver(driver);
    if (p?.state === 'running') {
      runningSince ??= Date.now();
      if (Date.now() - runningSince >= steadyMs) return undefined;
    } else runningSince = undefined;
    if (p?.state === 'failed') return `driver ${driver} failed: ${p.lastError ?? 'no reason'}`;
    if (Date.now() > deadline)
      return `driver ${driver} did not reach running within ${Math.round(o.readyMs / 1000)} s (${p?.state ?? 'gone'}${p?.lastError ? `: ${p.lastError}` : ''})`;
    await new Promise((r) => setTimeout(r, 100));
  }
}
