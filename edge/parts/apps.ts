import type { Runtime } from '../runtime.js';
import { AppHost } from '../apps/index.js';
import { appHostConfig, configuredApps, DATA_MODEL_API_DEFAULT, listenerPorts } from '../apps/config.js';
import { boxListeners } from '../config/listeners.js';
import type { Part } from './part.js';

/**
 * Hosted apps and the service bus (docs/apps.md), with an `apps:` list or an `appHost:` section.
 * After the drivers (their boot does not compete with the apps') and before the cloud, whose
 * gateway services (`InvokeServiceModel`, `DeployApp`) it provides. Stops before the drivers:
 * apps call the box, not the other way round. A bad section throws EDGE_ERR_CONFIG_INVALID at build.
 * It gives the data-model API its lookup of app keys (`rt.appCredentials`).
 */
export function appsPart(rt: Runtime): Part | undefined {
  const cfg = rt.config;
  if (cfg.apps === undefined && cfg.appHost === undefined) return undefined;
  const hostCfg = appHostConfig(cfg.appHost);
  const apps = configuredApps(cfg.apps, rt.baseDir, listenerPorts(boxListeners(cfg)));
  return {
    name: 'apps',
    start: async () => {
      const files = rt.files;
      const host = new AppHost(
        {
          log: rt.logOf('apps'),
          dataDir: rt.dataDir,
          // The running API's address (its port may be chosen at start); the default names where it would be.
          apiDomain: rt.dataModel?.domain ?? DATA_MODEL_API_DEFAULT,
          fileService: files ? `${loopbackOf(files.config.host)}:${files.port}` : undefined,
          logMaxBytes: Math.round(cfg.log.driverFileMaxMb * 1024 * 1024),
          logKeep: cfg.log.driverFileKeep,
        },
        hostCfg,
        apps,
      );
      rt.apps = host;
      rt.appCredentials = (appKey) => host.appCredentials(appKey);
      await host.start();
      rt.consoleServices.apps ??= host;
    },
    stop: async () => {
      await rt.apps?.stop();
      rt.apps = undefined;
      rt.appCredentials = undefined;
    },
    // A redeployed `apps:` list: new apps start, removed ones stop, changed ones restart, the rest
    // run on. `appHost:` changes, or apps on a box started without any, wait for the next start.
    section: 'apps',
    reconfigure: async (next) => {
      const host = rt.apps;
      if (!host) return;
      const diff = await host.reconfigure(configuredApps(next.apps, rt.baseDir, listenerPorts(boxListeners(next))));
      rt.logOf('apps').info({ ...diff }, 'apps redeployed');
    },
  };
}

/** The address a local process reaches a listener on. */
function loopbackOf(host: string): string {
  return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
}
