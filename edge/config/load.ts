/**
 * Loading and checking the box config: YAML or JSON, defaults filled in, every error reported
 * with its path and a hint for the installer. Also checks what a schema cannot: duplicate
 * names, missing thing models, drivers that are not installed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { parse as parseYaml } from 'yaml';
import { filterProblem } from '../bus/acl.js';
import { EdgeError, edgeError } from '../errors.js';
import { ThingModelLibrary } from '../thing/library.js';
import { BoxConfigSchema, type BoxConfig } from './schema.js';
import { DEFAULT_CONFIG_YAML } from './defaults.js';
import { BUILTIN_TSL_DIR, resolveDriverModule } from './paths.js';
import { driverSetProblems } from './driver-set.js';
import { sectionProblems, type ConfigProblem } from './sections.js';
import { mappingsGivenForLists } from '../host/sdk/settings.js';
import { FACTORY_PASSWORD } from '../../protocols/face-openapi/sign.js';
import { keyOf } from '../host/sdk/device-key.js';

export type { ConfigProblem };

/** The problems that refuse a config (advisories are only reported). */
export function blocking(problems: readonly ConfigProblem[]): ConfigProblem[] {
  return problems.filter((p) => !p.advisory);
}

export class ConfigError extends EdgeError {
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    super('EDGE_ERR_CONFIG_INVALID', [problems.map((p) => `${p.path}: ${p.message}`).join('; ')]);
    this.problems = problems;
  }
}

export interface LoadedConfig {
  config: BoxConfig;
  /** Folder relative paths in the config are resolved against. */
  baseDir: string;
  file: string | undefined;
}

function hintFor(message: string, schema: { description?: string; pattern?: string } | undefined, path: string): string {
  if (/Unexpected property/i.test(message)) return `remove ${path.split('/').pop()} or check its spelling against docs/config.md`;
  if (/Expected required property/i.test(message)) return 'add this field';
  if (/Expected integer/i.test(message)) return 'write a whole number';
  if (/Expected (number|integer) to be/i.test(message))
    return schema?.description ? `allowed: ${schema.description}` : 'use a value in the allowed range';
  if (/pattern|to match/i.test(message))
    return `must match ${schema?.pattern ?? 'the documented form'}${schema?.description ? ` (${schema.description})` : ''}`;
  if (/Expected string length/i.test(message)) return 'check the length limits in docs/config.md';
  if (/Expected union value/i.test(message)) return 'use one of the values listed in docs/config.md';
  return schema?.description ?? 'see docs/config.md';
}

/**
 * A zero-padded YAML integer (`deviceNo: 0012`) stays text: as a number its leading zeros would be
 * gone before any schema sees it, and ids and passwords must be kept exact. Where a number is
 * expected the schema then refuses it (`port: 08080`) instead of reading another value.
 */
export const ZERO_PADDED = {
  identify: () => false,
  default: true,
  tag: 'tag:yaml.org,2002:int',
  test: /^[-+]?0[0-9]+$/,
  resolve: (text: string) => text,
};

/**
 * A config written as JSON (the console's and the cloud's pushes, generated EBA configs) is read
 * with JSON.parse: the YAML parser builds a document node per scalar, and for 1 000 devices × 200
 * point mappings (3 MB) that took ~7 s and grew the daemon's heap to ~220 MB at start, the
 * start-up transient of `npm run bench -- modbus` (docs/rules.md, Benchmark). Anything JSON.parse
 * refuses goes to the YAML parser, which also gives the error messages.
 */
function jsonOf(text: string): unknown {
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Parse text (YAML is a superset of JSON) into a checked config with defaults. */
export function parseConfig(text: string, source = '<config>'): BoxConfig {
  let raw: unknown;
  try {
    raw = text.trim() === '' ? {} : (jsonOf(text) ?? parseYaml(text, { customTags: (tags) => [ZERO_PADDED, ...tags] }));
  } catch (err) {
    throw new ConfigError([
      { path: source, message: `not valid YAML/JSON: ${(err as Error).message.split('\n')[0]}`, hint: 'fix the syntax at the line shown' },
    ]);
  }
  if (raw === null || raw === undefined) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError([{ path: '/', message: 'the config must be a mapping (object)', hint: 'start from config/box.example.yaml' }]);
  }
  const withDefaults = Value.Default(BoxConfigSchema, Value.Clone(raw));
  const problems: ConfigProblem[] = mappingsGivenForLists(raw, withDefaults).map((path) => ({
    path,
    message: 'expected a list',
    hint: 'write a YAML list (- item) or a JSON array',
  }));
  for (const e of Value.Errors(BoxConfigSchema, withDefaults)) {
    const path = e.path || '/';
    if (problems.some((p) => p.path === path)) continue; // one line per field: the first reason is the useful one
    problems.push({ path, message: e.message, hint: hintFor(e.message, e.schema as { description?: string; pattern?: string }, path) });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return withDefaults as BoxConfig;
}

/** Checks beyond the schema: names, devices, thing models, driver modules. */
export function checkSemantics(config: BoxConfig, baseDir: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  let models: ThingModelLibrary | undefined;
  try {
    models = ThingModelLibrary.fromDirs([BUILTIN_TSL_DIR, ...config.thingModels.map((d) => resolve(baseDir, d))]);
  } catch (err) {
    problems.push({ path: '/thingModels', message: (err as Error).message, hint: 'fix or remove the thing-model file named' });
  }
  problems.push(
    ...driverSetProblems(config.drivers, {
      ...(models ? { hasModel: (pk: string) => models.get(pk) !== undefined } : {}),
      busUsers: config.bus.users.map((u) => u.username),
      installed: (d) => existsSync(resolveDriverModule(d, baseDir)),
    }),
  );
  const devices = new Set(config.drivers.flatMap((d) => d.devices.map((dev) => keyOf(dev))));
  problems.push(...sectionProblems(config, baseDir));
  // Seeded permissions for a door that is not on the box would be applied to nothing.
  const seeds = (config.access as { seedPermissions?: unknown } | undefined)?.seedPermissions;
  if (Array.isArray(seeds)) {
    seeds.forEach((seed: unknown, i) => {
      const device = (seed as { device?: unknown } | null)?.device;
      if (typeof device === 'string' && !devices.has(device)) {
        problems.push({
          path: `/access/seedPermissions/${i}/device`,
          message: `device ${device} is not configured on this box`,
          hint: 'name a device of drivers[].devices as productKey/deviceName, or remove the seed',
        });
      }
    });
  }
  if (config.bus.enabled && config.bus.externalUrl === undefined && config.bus.allowAnonymous) {
    problems.push({
      path: '/bus/allowAnonymous',
      message: 'anonymous access to the local bus is on',
      hint: 'turn it off outside a lab: local apps should log in',
      advisory: true,
    });
  }
  config.bus.users.forEach((u, i) => {
    for (const right of ['read', 'write'] as const) {
      (u[right] ?? []).forEach((f, k) => {
        const why = filterProblem(f);
        if (why)
          problems.push({
            path: `/bus/users/${i}/${right}/${k}`,
            message: why,
            hint: 'an MQTT topic filter: levels split by /, + for one level, # last for the rest',
          });
      });
    }
  });
  problems.push(...factoryPasswords(config));
  problems.push(...deviceCompareWithoutFeatures(config));
  return problems;
}

/**
 * A door that compares faces itself (`faceMode: device`) gets each face's feature vector from the
 * box. Without `access.faceAlgoUrl` the box extracts none from pictures: only faces the cloud
 * sends with features (SyncFaceFeatures) reach such a door, and picture syncs never do.
 */
function deviceCompareWithoutFeatures(config: BoxConfig): ConfigProblem[] {
  const algo = (config.access as { faceAlgoUrl?: unknown } | undefined)?.faceAlgoUrl;
  if (typeof algo === 'string' && algo !== '') return [];
  const out: ConfigProblem[] = [];
  config.drivers.forEach((d, i) => {
    d.devices.forEach((dev, j) => {
      if ((dev.custom as Record<string, unknown> | undefined)?.faceMode !== 'device') return;
      out.push({
        path: `/drivers/${i}/devices/${j}/custom/faceMode`,
        message: `door ${dev.deviceName} compares faces itself but access.faceAlgoUrl is not set: faces synced as pictures never reach it (only SyncFaceFeatures files do)`,
        hint: 'set access.faceAlgoUrl to the face algorithm service, or use faceMode: edge',
        advisory: true,
      });
    });
  });
  return out;
}

/**
 * OpenAPI face terminals still on their factory password (seed 004 L67): anyone on the LAN can
 * open the door through the terminal's API. The box cannot change it (only the terminal's screen
 * can), so this is an advisory.
 */
function factoryPasswords(config: BoxConfig): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  config.drivers.forEach((d, i) => {
    if (d.type !== 'face-terminal-openapi') return;
    d.devices.forEach((dev, j) => {
      const pw = (dev.custom as Record<string, unknown> | undefined)?.password;
      // An unquoted `password: 123456` is a YAML number the driver reads as the same digits.
      if (pw === undefined || String(pw) === FACTORY_PASSWORD) {
        out.push({
          path: `/drivers/${i}/devices/${j}/custom/password`,
          message: `terminal ${dev.deviceName} uses the factory password ${FACTORY_PASSWORD}`,
          hint: "set another password on the terminal's screen and put it here",
          advisory: true,
        });
      }
    });
  });
  return out;
}

/** Load from a file, or the embedded defaults when there is none. Throws ConfigError with every problem. */
export function loadConfig(file: string | undefined): LoadedConfig {
  if (!file) return { config: parseConfig(DEFAULT_CONFIG_YAML, '<embedded defaults>'), baseDir: process.cwd(), file: undefined };
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw edgeError('EDGE_ERR_CONFIG_READ', path, (err as NodeJS.ErrnoException).code ?? (err as Error).message);
  }
  const config = parseConfig(text, path);
  const baseDir = dirname(path);
  const problems = blocking(checkSemantics(config, baseDir));
  if (problems.length > 0) throw new ConfigError(problems);
  return { config, baseDir, file: path };
}
