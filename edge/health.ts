import type { Runtime } from './runtime.js';
import { writeHealthOf } from './store/write-health.js';
import { VERSION } from './version.js';
import { keyOf } from './host/sdk/device-key.js';
import { boxR41 } from './box-health/box.js';

export type BoxHealth = { status: 'ok' | 'degraded' | 'starting' | 'stopping'; [k: string]: unknown };

/** What /healthz answers: phase, drivers down, devices that cannot start, store, bus, listeners, cloud, data model, apps. */
export function boxHealth(rt: Runtime): BoxHealth {
  const drivers = rt.host.status();
  const devices = rt.registry.list();
  const down = drivers.filter((d) => d.state !== 'running');
  const apps = rt.apps?.status().map(({ name, version, state, restarts, memoryStops, lastError, rssMb, memoryMb }) => ({
    name,
    version,
    state,
    restarts,
    memoryStops,
    lastError,
    rssMb,
    memoryMb,
  }));
  const store = rt.db ? writeHealthOf(rt.db).state() : undefined;
  const notStarted = devices.filter((d) => d.startError !== undefined);
  const status =
    rt.phase === 'running'
      ? down.length > 0 ||
        notStarted.length > 0 ||
        store?.writable === false ||
        apps?.some((a) => a.state === 'failed' || a.state === 'restarting')
        ? 'degraded'
        : 'ok'
      : rt.phase === 'stopping' || rt.phase === 'stopped'
        ? 'stopping'
        : 'starting';
  return {
    status,
    version: VERSION,
    box: rt.config.box.name,
    uptimeS: Math.round((Date.now() - rt.startedAt) / 1000),
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
            cannotStart: notStarted.slice(0, 50).map((d) => ({ device: keyOf(d), driver: d.driver, reason: d.startError })),
          }
        : {}),
    },
    bus: { port: rt.busPort, clients: rt.broker?.clients ?? 0 },
    listeners: rt.listeners(),
    ...(store ? { store } : {}),
    ...(rt.cloud ? { cloud: rt.cloud.status(), r41: boxR41(rt) } : {}),
    ...(rt.dataModel ? { dataModel: rt.dataModel.status() } : {}),
    ...(apps ? { apps: { total: apps.length, running: apps.filter((a) => a.state === 'running').length, list: apps } } : {}),
  };
}
