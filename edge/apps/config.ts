/**
 * The box config's app sections (docs/apps.md): `apps:` lists the installed apps (a folder with
 * app.json each), `appHost:` holds the service bus (port 10060, the seed's fixed port
 * [seed 001 L33968]) and how apps are supervised. Checked by `edge check` and every redeploy:
 * missing folders and manifests, bad manifests, two apps providing one service model, and app
 * ports that clash with each other or with the bus.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { registerSectionCheck, type ConfigProblem } from '../config/sections.js';
import { edgeError } from '../errors.js';
import { boxListeners, type BoxListener } from '../config/listeners.js';
import type { BoxConfig } from '../config/schema.js';
import { APP_NAME_PATTERN, readManifest, type AppManifest } from './manifest.js';

const HINT = 'see docs/apps.md';
export const SERVICE_BUS_PORT = 10060;
export const DATA_MODEL_API_DEFAULT = '127.0.0.1:10061';

export const AppEntrySchema = Type.Object(
  {
    name: Type.String({ pattern: APP_NAME_PATTERN }),
    path: Type.String({ minLength: 1, maxLength: 1024, description: 'folder holding app.json, relative to the config file' }),
    enabled: Type.Boolean({ default: true }),
    env: Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_.]{0,127}$' }), Type.String({ maxLength: 4096 }), { default: {} }),
    memoryMb: Type.Optional(Type.Integer({ minimum: 16, maximum: 65_536 })),
  },
  { additionalProperties: false },
);
export type AppEntry = Static<typeof AppEntrySchema>;

export const AppsListSchema = Type.Array(AppEntrySchema, { maxItems: 64 });

export const AppHostSchema = Type.Object(
  {
    serviceBus: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        host: Type.String({
          minLength: 1,
          default: '127.0.0.1',
          description: 'address to listen on; 0.0.0.0 for the LAN (seed self-test)',
        }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: SERVICE_BUS_PORT }),
        timeoutMs: Type.Integer({ minimum: 100, maximum: 300_000, default: 10_000, description: 'how long an app may take to answer' }),
        maxBodyKb: Type.Integer({ minimum: 1, maximum: 65_536, default: 1024, description: 'largest request body' }),
        maxConcurrent: Type.Integer({
          minimum: 1,
          maximum: 10_000,
          default: 64,
          description: 'calls in flight at once; more are answered 429',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    restartBaseMs: Type.Integer({ minimum: 10, maximum: 60_000, default: 1000 }),
    restartMaxMs: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 60_000 }),
    stableAfterMs: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 60_000, description: 'running this long resets the backoff' }),
    stopTimeoutMs: Type.Integer({ minimum: 100, maximum: 120_000, default: 5000, description: 'SIGTERM, then SIGKILL after this' }),
    startTimeoutMs: Type.Integer({
      minimum: 500,
      maximum: 600_000,
      default: 30_000,
      description: 'a service port must answer within this',
    }),
    upAfterMs: Type.Integer({
      minimum: 0,
      maximum: 600_000,
      default: 2000,
      description: 'an app without a service port counts as running after this long alive',
    }),
    probeIntervalMs: Type.Integer({ minimum: 50, maximum: 60_000, default: 2000 }),
    hangTimeoutMs: Type.Integer({ minimum: 200, maximum: 600_000, default: 15_000, description: 'no probe answered for this long: hung' }),
    memoryPollMs: Type.Integer({ minimum: 50, maximum: 60_000, default: 2000 }),
    maxMemoryRestarts: Type.Integer({
      minimum: 1,
      maximum: 100,
      default: 3,
      description: 'over its limit this many times in a row: left stopped',
    }),
    installDir: Type.String({ minLength: 1, default: 'apps', description: 'cloud-pushed apps, relative to box.dataDir' }),
    deployDeadlineMs: Type.Integer({ minimum: 1000, maximum: 600_000, default: 60_000, description: 'a pushed version must run by then' }),
    maxPackageMb: Type.Integer({ minimum: 1, maximum: 4096, default: 256 }),
  },
  { additionalProperties: false },
);
export type AppHostConfig = Static<typeof AppHostSchema>;

/** An app as configured, its manifest read. */
export interface ConfiguredApp {
  entry: AppEntry;
  dir: string;
  manifest: AppManifest;
}

export function appHostConfig(raw: unknown): AppHostConfig {
  return Value.Default(AppHostSchema, Value.Clone(raw ?? {})) as AppHostConfig;
}

function schemaProblems(schema: typeof AppHostSchema | typeof AppsListSchema, value: unknown, root: string): ConfigProblem[] {
  return [...Value.Errors(schema, value)].map((e) => ({ path: `${root}${e.path}`, message: e.message, hint: HINT }));
}

export function appHostProblems(raw: unknown): ConfigProblem[] {
  if (raw === undefined) return [];
  return schemaProblems(AppHostSchema, appHostConfig(raw), '/appHost');
}

/**
 * The `apps` list's problems. `baseDir` resolves the folders; `taken` names the box's own
 * listeners (console, bus, file service, service bus) the apps' ports must not take.
 */
export function appsProblems(raw: unknown, baseDir: string, taken: ReadonlyMap<number, string> = new Map()): ConfigProblem[] {
  if (raw === undefined) return [];
  const list = Value.Default(AppsListSchema, Value.Clone(raw));
  const problems = schemaProblems(AppsListSchema, list, '/apps');
  if (problems.length > 0) return problems;
  const names = new Set<string>();
  const models = new Map<string, string>();
  const ports = new Map<number, string>(taken);
  (list as AppEntry[]).forEach((entry, i) => {
    if (names.has(entry.name)) problems.push({ path: `/apps/${i}/name`, message: `app ${entry.name} is listed twice`, hint: HINT });
    names.add(entry.name);
    const dir = resolve(baseDir, entry.path);
    if (!existsSync(dir)) {
      problems.push({ path: `/apps/${i}/path`, message: `folder ${dir} not found`, hint: 'install the app there or fix the path' });
      return;
    }
    const m = readManifest(dir);
    if (!m.ok) {
      for (const why of m.problems) problems.push({ path: `/apps/${i}/path`, message: why, hint: HINT });
      return;
    }
    if (m.manifest.name !== entry.name)
      problems.push({ path: `/apps/${i}/name`, message: `the manifest names the app ${m.manifest.name}`, hint: 'use the manifest’s name' });
    if (!entry.enabled) return;
    for (const p of m.manifest.provides) {
      const owner = models.get(p.serviceModelId);
      if (owner)
        problems.push({
          path: `/apps/${i}`,
          message: `service model ${p.serviceModelId} is provided by ${owner} already`,
          hint: 'one provider per service model',
        });
      models.set(p.serviceModelId, entry.name);
    }
    for (const port of portsOf(m.manifest)) {
      const owner = ports.get(port);
      if (owner)
        problems.push({ path: `/apps/${i}`, message: `port ${port} is already taken by ${owner}`, hint: 'give each app its own port' });
      ports.set(port, `app ${entry.name}`);
    }
  });
  return problems;
}

/** Every port an app listens on: its service ports (one server may serve several models) and the others it declares. */
export function portsOf(m: AppManifest): number[] {
  return [...new Set([...m.provides.map((p) => p.port), ...m.listens.map((l) => l.port)])];
}

/**
 * The configured apps' listeners, for the listener registry and for the drivers' port check (a
 * driver may not take an app's port): the enabled apps whose manifest reads, each declared port.
 */
export function appListeners(raw: unknown, baseDir: string): BoxListener[] {
  if (raw === undefined) return [];
  const list = Value.Default(AppsListSchema, Value.Clone(raw));
  if (!Value.Check(AppsListSchema, list)) return [];
  const out: BoxListener[] = [];
  for (const [i, entry] of list.entries()) {
    if (!entry.enabled) continue;
    const m = readManifest(resolve(baseDir, entry.path));
    if (!m.ok) continue;
    out.push(...listenersOfApp(m.manifest, `/apps/${i}`));
  }
  return out;
}

/**
 * The box's listeners and the configured apps', as the drivers' port check takes them: a port two
 * of these share is the apps check's to report (once), so only its first holder is listed.
 */
export function boxAndAppListeners(cfg: BoxConfig, baseDir: string): BoxListener[] {
  const box = boxListeners(cfg);
  const seen = new Set(box.map((l) => l.port));
  return [...box, ...appListeners(cfg.apps, baseDir).filter((l) => !seen.has(l.port) && seen.add(l.port))];
}

/** One app's listeners; `path` is where it is set (its config entry, or where a pushed app was installed). */
export function listenersOfApp(m: AppManifest, path: string): BoxListener[] {
  return portsOf(m).map((port) => {
    const models = m.provides.filter((p) => p.port === port).map((p) => p.serviceModelId);
    const other = m.listens.find((l) => l.port === port);
    return {
      what: `app ${m.name}${models.length > 0 ? ` (${models.join(', ')})` : ''}${other ? ` (${other.what})` : ''}`,
      path,
      port,
      // An app binds where it likes: its port is taken on every address.
      host: '0.0.0.0',
      protocol: 'http-app',
      authentication: models.length > 0 ? 'called through the service bus (docs/apps.md); the app’s own' : 'the app’s own',
      endpoints: models.length > 0 ? [{ method: 'POST', path: '/{method}' }] : [],
    };
  });
}

/** The enabled apps with their manifests; throws EDGE_ERR_CONFIG_INVALID on any problem. */
export function configuredApps(raw: unknown, baseDir: string, taken?: ReadonlyMap<number, string>): ConfiguredApp[] {
  if (raw === undefined) return [];
  const problems = appsProblems(raw, baseDir, taken);
  if (problems.length > 0) throw edgeError('EDGE_ERR_CONFIG_INVALID', problems.map((p) => `${p.path.slice(1)}: ${p.message}`).join('; '));
  const list = Value.Default(AppsListSchema, Value.Clone(raw)) as AppEntry[];
  return list.map((entry) => {
    const dir = resolve(baseDir, entry.path);
    const m = readManifest(dir);
    if (!m.ok) throw edgeError('EDGE_ERR_CONFIG_INVALID', m.problems.join('; '));
    return { entry, dir, manifest: m.manifest };
  });
}

/** The service bus listener as configured, or undefined when it is off or its section invalid. */
export function configuredServiceBus(raw: unknown): AppHostConfig['serviceBus'] | undefined {
  if (appHostProblems(raw).length > 0) return undefined;
  const bus = appHostConfig(raw).serviceBus;
  return bus.enabled ? bus : undefined;
}

registerSectionCheck('appHost', (raw) => appHostProblems(raw));
registerSectionCheck('apps', (raw, ctx) => appsProblems(raw, ctx.baseDir, listenerPorts(boxListeners(ctx.config))));

/** Port → what holds it, of the box's own listeners. */
export function listenerPorts(listeners: readonly { port: number; what: string; path: string }[]): Map<number, string> {
  return new Map(listeners.map((l) => [l.port, `${l.what} (${l.path})`]));
}
