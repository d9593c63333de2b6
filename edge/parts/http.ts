import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import type { Runtime } from '../runtime.js';
import { Metrics } from '../metrics.js';
import { buildHttpServer, listen } from '../http/server.js';
import { registerConsole } from '../console/index.js';
import type { ConsoleContext } from '../console/context.js';
import { accessConsoleService } from '../console/adapters/access.js';
import { elevatorsConsoleService } from '../console/adapters/elevators.js';
import { rulesConsoleService } from '../console/adapters/rules.js';
import { ebaTablesService } from '../console/adapters/eba-tables.js';
import { writeHealthOf } from '../store/write-health.js';
import { VERSION } from '../version.js';
import type { Part } from './part.js';

/** The console URL to print (with the one-time setup token while no password is set). */
export function consoleUrlOf(rt: Runtime): string | undefined {
  if (!rt.console) return undefined;
  const host = rt.config.http.host === '0.0.0.0' || rt.config.http.host === '::' ? '127.0.0.1' : rt.config.http.host;
  return rt.console.url(`${rt.consoleOptions.https ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${rt.httpPort}`);
}

/**
 * HTTP (health, metrics, console). It comes up before the drivers: it answers while they boot,
 * and the drivers' start-up does not compete with it for the CPU.
 */
export function httpPart(rt: Runtime): Part {
  return {
    name: 'http',
    start: async () => {
      rt.metrics = new Metrics({
        events: rt.events,
        host: rt.host,
        devices: rt.registry,
        busClients: () => rt.broker?.clients ?? 0,
        busPublished: () => rt.bridge?.published ?? 0,
        store: writeHealthOf(rt.db),
      });
      rt.metrics.start();
      rt.http = buildHttpServer({
        log: rt.logOf('http'),
        health: {
          health: () => rt.health(),
          metricsText: () => rt.metrics.registry.metrics(),
          metricsContentType: rt.metrics.registry.contentType,
        },
        https: consoleHttps(rt),
      });
      addConsoleServices(rt);
      if (rt.consoleOptions.enabled)
        rt.console = registerConsole(rt.http, consoleContext(rt), { ...rt.consoleOptions, secure: Boolean(rt.consoleOptions.https) });
      rt.httpPort = await listen(rt.http, { host: rt.config.http.host, port: rt.config.http.port });
    },
    stop: async () => {
      rt.metrics?.stop();
      await rt.http?.close();
    },
  };
}

/** The console pages of the areas started before HTTP (the cloud adds its own when it starts). */
function addConsoleServices(rt: Runtime): void {
  const services = rt.consoleServices;
  if (rt.access) services.access ??= accessConsoleService(rt.access);
  if (rt.elevators) services.elevators ??= elevatorsConsoleService(rt.elevators);
  if (rt.rules) {
    services.rules ??= rulesConsoleService(rt.rules);
    rt.rules.registerMetrics(rt.metrics.registry);
  }
  services.eba ??= ebaTablesService({ configFile: () => rt.configFile, redeploy: (text, source) => rt.redeploy(text, source) });
}

function consoleHttps(rt: Runtime): { key: Buffer; cert: Buffer } | undefined {
  const tls = rt.consoleOptions.https;
  if (!tls) return undefined;
  return { key: readFileSync(resolve(rt.baseDir, tls.key)), cert: readFileSync(resolve(rt.baseDir, tls.cert)) };
}

function consoleContext(rt: Runtime): ConsoleContext {
  return {
    log: rt.logOf('console'),
    events: rt.events,
    registry: rt.registry,
    host: rt.host,
    db: rt.db,
    dataDir: rt.dataDir,
    baseDir: rt.baseDir,
    startedAt: rt.startedAt,
    identity: () => ({
      name: rt.config.box.name,
      version: VERSION,
      productKey: String(rt.config.cloud?.productKey ?? ''),
      deviceName: String(rt.config.cloud?.deviceName ?? ''),
    }),
    busClients: () => rt.broker?.clients ?? 0,
    configFile: () => rt.configFile,
    boxLogFile: () => (rt.config.log.file ? resolve(rt.dataDir, rt.config.log.file) : undefined),
    configText: () => (rt.configFile ? readFileSync(rt.configFile, 'utf8') : stringifyYaml(rt.config)),
    redeploy: (text: string, source: string) => rt.redeploy(text, source),
    services: rt.consoleServices,
  };
}
