/**
 * The deploy-time check of driver settings: each driver's `config` and each device's `custom`
 * against the schemas the driver declares in `settings.ts` beside its entry file
 * (edge/host/sdk/settings.ts), the products it serves, and ports that two listeners would both
 * take. Run by the host before any deploy (start, redeploy, console, config push) and by
 * `edge check`, so what a driver would refuse is refused before anything starts.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BoxListener } from '../config/listeners.js';
import type { ConfigProblem } from '../config/sections.js';
import { resolveDriverModule } from '../config/paths.js';
import { Value } from '@sinclair/typebox/value';
import { settingsProblems, type DriverSettings, type ListenerDeclaration } from './sdk/settings.js';

/** What the check needs of a driver entry (the box config's or the host's shape). */
export interface DriverEntry {
  name: string;
  type?: string | undefined;
  module?: string | undefined;
  transport?: 'process' | 'mqtt' | undefined;
  config?: Record<string, unknown> | undefined;
  devices: ReadonlyArray<{
    productKey: string;
    deviceName: string;
    alias?: string | undefined;
    custom?: Record<string, unknown> | undefined;
  }>;
}

const cache = new Map<string, Promise<DriverSettings | undefined>>();

/** The settings a driver declares (`settings.js`/`settings.ts` beside its entry), if any. */
export function settingsOfDriver(entryFile: string): Promise<DriverSettings | undefined> {
  const file = join(dirname(entryFile), `settings${extname(entryFile) || '.js'}`);
  let p = cache.get(file);
  if (!p) {
    p =
      existsSync(file) && basename(entryFile) !== basename(file)
        ? import(pathToFileURL(file).href).then((m: { default?: DriverSettings }) => m.default)
        : Promise.resolve(undefined);
    cache.set(file, p);
  }
  return p;
}

/** A port a driver's settings mark `listen: true`, with its address and what the driver declares it serves. */
export interface ListenPort {
  key: string;
  port: number;
  host: string;
  udp: boolean;
  declared: ListenerDeclaration | undefined;
}

/** Keys of a settings schema marked as a port the driver listens on (`listen: true`), with its address. */
export function listenPorts(settings: DriverSettings, config: Record<string, unknown>): ListenPort[] {
  const out: ListenPort[] = [];
  for (const [key, schema] of Object.entries(settings.config.properties)) {
    const s = schema as { listen?: unknown; udp?: unknown; hostKey?: unknown; default?: unknown };
    if (s.listen !== true) continue;
    const port = config[key] ?? s.default;
    const hostKey = typeof s.hostKey === 'string' ? s.hostKey : 'host';
    const host = config[hostKey] ?? (settings.config.properties[hostKey] as { default?: unknown } | undefined)?.default ?? '0.0.0.0';
    if (typeof port === 'number' && port >= 0)
      out.push({ key, port, host: String(host), udp: s.udp === true, declared: settings.listeners?.[key] });
  }
  return out;
}

const anyHost = (h: string): boolean => h === '0.0.0.0' || h === '::' || h === '';

/** Every problem of the drivers' settings, products and listening ports; paths as in the box config. */
export async function driverSettingsProblems(
  drivers: readonly DriverEntry[],
  baseDir: string,
  box: readonly BoxListener[] = [],
  driversDataDir?: string,
): Promise<ConfigProblem[]> {
  const problems: ConfigProblem[] = [];
  // The box's own listeners are TCP (HTTP, MQTT).
  const listeners: Array<{ what: string; path: string; port: number; host: string; udp: boolean }> = box.map((b) => ({
    ...b,
    host: '0.0.0.0',
    udp: false,
  }));
  const entries = drivers.map((d) => (d.transport === 'mqtt' || (!d.type && !d.module) ? undefined : resolveDriverModule(d, baseDir)));
  for (const [i, d] of drivers.entries()) {
    const entry = entries[i];
    if (entry === undefined) continue;
    if (!existsSync(entry)) continue; // "not installed" is the config check's
    let settings: DriverSettings | undefined;
    try {
      settings = await settingsOfDriver(entry);
    } catch (err) {
      problems.push({
        path: `/drivers/${i}`,
        message: `the driver's settings module cannot be loaded: ${(err as Error).message}`,
        hint: 'reinstall the driver',
      });
      continue;
    }
    if (!settings) continue;
    const config = d.config ?? {};
    const before = problems.length;
    for (const p of settingsProblems(settings.config, config))
      problems.push({ path: `/drivers/${i}/config${p.path === '/' ? '' : p.path}`, message: p.message, hint: p.hint });
    for (const [j, dev] of d.devices.entries()) {
      if (settings.products && !settings.products.includes(dev.productKey)) {
        problems.push({
          path: `/drivers/${i}/devices/${j}/productKey`,
          message: `driver ${d.type ?? d.module} does not serve product ${dev.productKey}`,
          hint: `one of ${settings.products.join(', ')}`,
        });
      }
      for (const p of settingsProblems(settings.device, dev.custom ?? {}))
        problems.push({ path: `/drivers/${i}/devices/${j}/custom${p.path === '/' ? '' : p.path}`, message: p.message, hint: p.hint });
    }
    if (settings.check && problems.length === before && driversDataDir) {
      const input = {
        config: Value.Default(settings.config, Value.Clone(config)),
        devices: d.devices.map((dev) => ({
          productKey: dev.productKey,
          deviceName: dev.deviceName,
          alias: dev.alias,
          custom: Value.Default(settings.device, Value.Clone(dev.custom ?? {})),
        })),
        dataDir: join(driversDataDir, d.name),
        siblings: drivers.flatMap((o, k) => (k !== i && entries[k] === entry ? [{ driver: o.name, devices: o.devices.length }] : [])),
      };
      for (const p of settings.check(input as Parameters<NonNullable<DriverSettings['check']>>[0]))
        problems.push({ path: `/drivers/${i}${p.path}`, message: p.message, hint: p.hint, ...(p.advisory ? { advisory: true } : {}) });
    }
    for (const l of listenPorts(settings, config))
      if (l.port > 0)
        listeners.push({ what: `driver ${d.name}`, path: `/drivers/${i}/config/${l.key}`, port: l.port, host: l.host, udp: l.udp });
  }
  // Two listeners on one port: the second cannot bind (unless both name different addresses, or one is UDP and the other TCP).
  for (const [k, a] of listeners.entries()) {
    const clash = listeners
      .slice(0, k)
      .find((b) => b.port === a.port && b.udp === a.udp && (anyHost(a.host) || anyHost(b.host) || a.host === b.host));
    if (clash)
      problems.push({
        path: a.path,
        message: `port ${a.port} is already taken by ${clash.what} (${clash.path})`,
        hint: 'give each listener its own port',
      });
  }
  return problems;
}
