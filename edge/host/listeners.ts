/**
 * The listener registry: every port the box listens on — its own (console HTTP, local bus) and
 * each deployed driver's (the `listen: true` ports of its settings, with what its `listeners`
 * declaration says each serves). Shown on `/healthz` as `listeners` (docs/security.md) and read
 * by the hostile test suite, so a new driver's listener is probed without anyone having to
 * remember it: a listening port its driver declares nothing about is listed as `undeclared`.
 */
import { Value } from '@sinclair/typebox/value';
import { existsSync } from 'node:fs';
import type { BoxListener } from '../config/listeners.js';
import { resolveDriverModule } from '../config/paths.js';
import { listenPorts, settingsOfDriver, type DriverEntry } from './driver-settings.js';
import type { ListenerLimits } from '../../protocols/common/http-listener.js';
import type { ListenerEndpoint } from './sdk/settings.js';

export interface ListenerInfo {
  /** `box`, or the driver instance name. */
  owner: string;
  /** The driver type (or module) of a driver's listener. */
  driver?: string;
  /** The protocol spoken; `undeclared` when the driver's settings do not say. */
  protocol: string;
  transport: 'tcp' | 'udp';
  host: string;
  /** The bound port for the box's own; a driver's as configured (0: any free port, tests only). */
  port: number;
  /** Where the port is set in the box config. */
  configPath: string;
  /** Spoken to by devices on the LAN (drivers' listeners), not by people and apps (the box's). */
  deviceFacing: boolean;
  authentication: string;
  /** What it serves, paths as requested (a configured prefix included). */
  endpoints: ListenerEndpoint[];
  /** The hostile-input limits in force (docs/security.md), where the listener has them. */
  limits?: ListenerLimits;
}

export const UNDECLARED = 'undeclared';

export function boxListenerInfo(b: BoxListener): ListenerInfo {
  return {
    owner: 'box',
    protocol: b.protocol,
    transport: 'tcp',
    host: b.host,
    port: b.port,
    configPath: b.path,
    deviceFacing: false,
    authentication: b.authentication,
    endpoints: b.endpoints,
    ...(b.limits ? { limits: b.limits } : {}),
  };
}

/** The listeners of a driver set (drivers on the local bus run elsewhere and listen on nothing here). */
export async function driverListeners(drivers: readonly DriverEntry[], baseDir: string): Promise<ListenerInfo[]> {
  const out: ListenerInfo[] = [];
  for (const [i, d] of drivers.entries()) {
    if (d.transport === 'mqtt' || (!d.type && !d.module)) continue;
    const entry = resolveDriverModule(d, baseDir);
    if (!existsSync(entry)) continue;
    const settings = await settingsOfDriver(entry).catch(() => undefined);
    if (!settings) continue;
    const config = Value.Default(settings.config, Value.Clone(d.config ?? {})) as Record<string, unknown>;
    for (const l of listenPorts(settings, config)) {
      const decl = l.declared;
      const prefix = decl?.prefixKey
        ? String(config[decl.prefixKey] ?? '')
            .replace(/^\/*/, '/')
            .replace(/\/+$/, '')
        : '';
      const limits = decl?.limitsKey ? (config[decl.limitsKey] as ListenerLimits | undefined) : undefined;
      out.push({
        owner: d.name,
        driver: d.type ?? d.module,
        protocol: decl?.protocol ?? UNDECLARED,
        transport: l.udp ? 'udp' : 'tcp',
        host: l.host,
        port: l.port,
        configPath: `/drivers/${i}/config/${l.key}`,
        deviceFacing: true,
        authentication: decl?.authentication ?? "undeclared: the driver's settings do not say what this port serves",
        endpoints: (decl?.endpoints ?? []).map((e) => ({ method: e.method, path: `${prefix}${e.path}` })),
        ...(limits ? { limits } : {}),
      });
    }
  }
  return out;
}
