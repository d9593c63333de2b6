/**
 * The box's own software as an OTA target: the package (a gzipped tar of a release folder:
 * `package.json`, `dist/`, `node_modules/`) is unpacked into `<install>/releases/<version>`,
 * recorded as the trial and `current` switched; it takes over when the daemon restarts (systemd
 * starts `current` again), and the boot check rolls it back if it never reaches ready (boot.ts).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import type { OtaTarget } from './agent.js';
import { currentRelease, readBootState, switchCurrent, writeBootState } from './boot.js';
import { OTA_STEP, OtaError } from './messages.js';
import { unpackPackage } from './unpack.js';

export interface BoxTargetOptions {
  /** The folder holding `releases/` and `current`. */
  installDir: string;
  runningVersion: string;
  log: Logger;
  /** Ask the daemon to stop so systemd starts the new release (called once the target returned). */
  requestRestart(): void;
}

/** Where the running release sits in the layout, if it runs from `<install>/releases/<version>`. */
export function installDirOf(appRoot: string): string | undefined {
  const parts = appRoot.split('/');
  return parts.at(-2) === 'releases' && parts.length > 2 ? parts.slice(0, -2).join('/') : undefined;
}

export function boxTarget(o: BoxTargetOptions): OtaTarget {
  return {
    what: 'box',
    unpackFactor: 3,
    async install(file, fw, report) {
      if (fw.version === o.runningVersion) throw new OtaError(OTA_STEP.UPGRADE_FAILED, `release ${fw.version} is already running`);
      if (!existsSync(join(o.installDir, 'releases')))
        throw new OtaError(
          OTA_STEP.UPGRADE_FAILED,
          `${o.installDir} is not a release layout (no releases/ folder): see docs/operations.md`,
        );
      const dest = join(o.installDir, 'releases', fw.version);
      await unpackPackage(file, dest);
      report(85, 'unpacked');
      const problem = releaseProblem(dest, fw.version);
      if (problem) {
        await rm(dest, { recursive: true, force: true });
        throw new OtaError(OTA_STEP.INSTALL_FAILED, problem);
      }
      const previous = currentRelease(o.installDir) ?? o.runningVersion;
      writeBootState(o.installDir, { previous, trial: fw.version, starts: 0 });
      switchCurrent(o.installDir, fw.version);
      report(90, `switched to ${fw.version}; restarting`);
      pruneReleases(o.installDir, [previous, fw.version]);
      o.log.info({ from: previous, to: fw.version }, 'box release switched; restarting into it');
      setImmediate(() => o.requestRestart());
      return 'on-restart';
    },
  };
}

/** A release must say it is that version and carry the daemon's entry. */
function releaseProblem(dir: string, version: string): string | undefined {
  let pkg: { name?: unknown; version?: unknown };
  try {
    pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as typeof pkg;
  } catch {
    return 'package has no readable package.json';
  }
  if (pkg.version !== version) return `package.json says version ${String(pkg.version)}, the platform announced ${version}`;
  if (!existsSync(join(dir, 'dist', 'edge', 'main.js'))) return 'package has no dist/edge/main.js';
  return undefined;
}

/** Keep the running and the new release (the rollback needs the first); older ones go. */
function pruneReleases(install: string, keep: string[]): void {
  const state = readBootState(install);
  for (const name of readdirSync(join(install, 'releases'))) {
    if (keep.includes(name) || name === state.previous || name.endsWith('.staging')) continue;
    void rm(join(install, 'releases', name), { recursive: true, force: true });
  }
}
