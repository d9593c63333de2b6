/**
 * Hosted apps as OTA targets (`module: app.<name>`, docs/operations.md): the agent downloads the
 * package (resumed, size and digest checked), then the app host's own deployer installs it — the
 * same unpacking beside the running version, manifest checks, switch and rollback as the
 * `DeployApp` gateway service (edge/apps/deploy.ts) — so an app upgraded either way ends alike.
 * A version that does not reach `running` within `appHost.deployDeadlineMs` is rolled back and
 * reported as -4 with the deployer's reason.
 */
import { readFile, stat } from 'node:fs/promises';
import { AppDeployer } from '../apps/deploy.js';
import type { AppHost } from '../apps/index.js';
import { ALINK } from '../errors.js';
import type { Logger } from '../log.js';
import type { OtaTarget } from './agent.js';
import { OTA_STEP, OtaError } from './messages.js';

/** OTA module names of hosted apps: `app.<app name>`. */
export const APP_MODULE_PREFIX = 'app.';

export interface AppTargets {
  /** The target of `module`, when it names an app the box hosts. */
  target(module: string): OtaTarget | undefined;
  /** Every hosted app's running version, as the box reports it on connect. */
  versions(): Array<{ module: string; version: string }>;
}

export function appTargets(apps: AppHost, log: Logger): AppTargets {
  // One deployer for every OTA of apps: its lock keeps two installs from overlapping.
  const deployer = new AppDeployer({ host: apps, log, dir: apps.installDir });
  return {
    versions: () => apps.status().map((a) => ({ module: `${APP_MODULE_PREFIX}${a.name}`, version: a.version })),
    target(module) {
      if (!module.startsWith(APP_MODULE_PREFIX)) return undefined;
      const name = module.slice(APP_MODULE_PREFIX.length);
      if (!apps.get(name)) return undefined;
      return {
        what: `app ${name}`,
        unpackFactor: 4, // the deployer unpacks in memory up to 4 × the package, then to disk
        async install(file, fw, report) {
          if (apps.get(name)?.manifest.version === fw.version)
            throw new OtaError(OTA_STEP.UPGRADE_FAILED, `app ${name} ${fw.version} is already running`);
          const maxBytes = apps.config.maxPackageMb * 1024 * 1024;
          if ((await stat(file)).size > maxBytes)
            throw new OtaError(OTA_STEP.INSTALL_FAILED, `package is over appHost.maxPackageMb (${apps.config.maxPackageMb} MB)`);
          report(85, `installing app ${name} ${fw.version}`);
          const answer = await deployer.installVerified({ name, version: fw.version }, await readFile(file));
          if (answer.code !== ALINK.SUCCESS) throw new OtaError(OTA_STEP.INSTALL_FAILED, answer.message);
          report(95, `app ${name} ${fw.version} running`);
          return 'running';
        },
      };
    },
  };
}
