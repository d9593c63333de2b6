import { join } from 'node:path';
import type { Runtime } from '../runtime.js';
import { boxAndAppListeners } from '../apps/config.js';
import { boxListeners } from '../config/listeners.js';
import type { BoxConfig } from '../config/schema.js';
import { type DriverConfig, DriverHost } from '../host/host.js';
import { boxListenerInfo, type ListenerInfo } from '../host/listeners.js';
import type { Part } from './part.js';

/** The driver host, built with the runtime: the parts before it (bus, rules, apps) already reach it. */
export function newDriverHost(
  rt: Pick<Runtime, 'registry' | 'events' | 'models' | 'dataDir' | 'baseDir' | 'logOf'>,
  cfg: BoxConfig,
): DriverHost {
  return new DriverHost(
    {
      registry: rt.registry,
      events: rt.events,
      models: rt.models,
      log: rt.logOf('host'),
      logDir: join(rt.dataDir, 'logs', 'drivers'),
      dataDir: join(rt.dataDir, 'drivers'),
    },
    {
      ...cfg.host,
      baseDir: rt.baseDir,
      logLevel: cfg.log.level ?? 'info',
      logMaxBytes: Math.round(cfg.log.driverFileMaxMb * 1024 * 1024),
      logKeep: cfg.log.driverFileKeep,
      // A driver may take neither the box's ports nor the configured apps'.
      boxListeners: boxAndAppListeners(cfg, rt.baseDir),
    },
  );
}

/** The listener registry: the box's own listeners (bound ports) and the deployed drivers' (docs/security.md). */
export function listenersOf(rt: Runtime): ListenerInfo[] {
  const files = rt.files;
  const bound = {
    http: rt.httpPort,
    bus: rt.busPort,
    ...(files ? { files: [files.port, files.outsidePort] as const } : {}),
    ...(rt.dataModel ? { dataModel: rt.dataModel.port } : {}),
    ...(rt.apps ? { serviceBus: rt.apps.bus.port } : {}),
  };
  return [
    ...boxListeners(rt.config, bound).map(boxListenerInfo),
    ...(rt.apps?.listeners() ?? []).map(boxListenerInfo),
    ...rt.host.listeners(),
  ];
}

/**
 * The drivers of the config, deployed by the host; the deployment is recorded. The platform clock
 * (Alink NTP, measured by the cloud part after this one starts) reaches every driver's timestamps.
 */
export function hostPart(rt: Runtime): Part {
  return {
    name: 'host',
    start: async () => {
      rt.events.on('host', 'clock.offset', ({ offsetMs }) => rt.host.setClockOffset(offsetMs));
      const drivers = rt.config.drivers;
      const diff = await rt.host.deploy(drivers as DriverConfig[]);
      rt.deployments.record('start', true, drivers, diff);
    },
    stop: async () => {
      rt.events.removeAll('host');
      await rt.host.stop();
    },
  };
}
