/**
 * Driver settings as data. A driver declares, in `settings.ts` beside its entry file, a TypeBox
 * schema for its driver-level `config` and one for each device's `custom`, with defaults,
 * ranges, enums and formats, each field described in English (`description`) and Chinese
 * (`zh`), and the products it serves. The host checks every deploy against it before anything
 * starts, `edge check` runs the same check, the driver reads its settings through it, and
 * docs/config.md's per-driver tables are generated from it (`npm run docs:config`).
 *
 * Depends on nothing of `edge/` outside the SDK.
 */
import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

export interface DriverSettings<C extends TObject = TObject, D extends TObject = TObject> {
  /** The driver's `config` object. */
  config: C;
  /** Each device's `custom` object. */
  device: D;
  /** Products the driver serves; absent: any product with a thing model. */
  products?: readonly string[];
  /**
   * What each listening port serves, keyed by the config key of its `listen: true` port: the
   * box's listener registry (`/healthz` `listeners`, docs/security.md) and the hostile test
   * suite read it. A listening port without one is listed as undeclared, and the suite fails.
   */
  listeners?: Readonly<Record<string, ListenerDeclaration>>;
  /**
   * What one field's schema cannot say: fields that depend on each other, files the config
   * names, values two devices may not share. Runs only when the schemas passed; paths are
   * `/config/...` or `/devices/<j>/custom/...`.
   */
  check?(input: SettingsCheckInput<C, D>): SettingsProblem[];
}

/** One request a listener serves; `{x}` marks a path parameter. */
export interface ListenerEndpoint {
  method: 'GET' | 'POST';
  path: string;
}

export interface ListenerDeclaration {
  /** The protocol spoken, e.g. `door-standard` (the hostile test suite finds its probe by it). */
  protocol: string;
  /** What tells the box a request comes from a configured device, in a sentence. */
  authentication: string;
  endpoints: readonly ListenerEndpoint[];
  /** Config key of a path prefix the endpoints are served under, if any. */
  prefixKey?: string;
  /** Config key of the listener's limits (protocols/common/listener-limits.ts), if any. */
  limitsKey?: string;
}

export interface SettingsCheckInput<C extends TObject = TObject, D extends TObject = TObject> {
  /** The driver config with its defaults. */
  config: Static<C>;
  /** The devices with their custom config (defaults applied). */
  devices: Array<{ productKey: string; deviceName: string; alias?: string | undefined; custom: Static<D> }>;
  /** The driver's private data folder (`<dataDir>/drivers/<name>`), where relative files are. */
  dataDir: string;
  /** The other instances of this driver type on the box and their device counts, for box-wide limits (R52). */
  siblings?: ReadonlyArray<{ driver: string; devices: number }>;
}

export function defineSettings<C extends TObject, D extends TObject>(s: DriverSettings<C, D>): DriverSettings<C, D> {
  // Unknown keys are mistakes (a misspelt key would otherwise be silently ignored).
  s.config.additionalProperties = false;
  s.device.additionalProperties = false;
  return s;
}

/** A field with its English and Chinese description. */
export function described<T extends TSchema>(schema: T, en: string, zh: string): T {
  return Object.assign(schema, { description: en, zh });
}

export const IPV4_PATTERN = '^((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)$';
export const Ipv4 = (en: string, zh: string) => described(Type.String({ pattern: IPV4_PATTERN }), en, zh);
/** An IPv4 address, or a host name (a dotted all-digit name must be a valid IPv4 address). */
export const IPV4_OR_HOST_PATTERN = `${IPV4_PATTERN}|^(?=.*[A-Za-z_])[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*$`;
export const Ipv4OrHost = (en: string, zh: string) => described(Type.String({ pattern: IPV4_OR_HOST_PATTERN }), en, zh);

/**
 * A TCP/UDP port. `listen: true` marks one the driver listens on (checked against the box's
 * other listeners); there 0 means any free port (tests). `udp` listeners clash only with UDP
 * ones; `hostKey` names the config key of the listening address when it is not `host`.
 */
export const Port = (en: string, zh: string, options: { default?: number; listen?: boolean; udp?: boolean; hostKey?: string } = {}) =>
  described(Type.Integer({ minimum: options.listen ? 0 : 1, maximum: 65535, ...options }), en, zh);

/**
 * An identifier the protocol carries as text. A YAML integer (`deviceId: 1001`) is accepted, as
 * installers write it unquoted, and the driver reads it with `String()`; beyond 2^53 YAML has
 * already rounded it, so such numbers are refused rather than silently changed.
 */
export const TextId = (en: string, zh: string, options: { minLength?: number; maxLength?: number; pattern?: string } = {}) =>
  described(
    Type.Union([
      Type.String({ minLength: 1, ...options }),
      Type.Integer({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }),
    ]),
    en,
    zh,
  );

export interface SettingsProblem {
  /** JSON pointer below the checked object, e.g. `/port`. */
  path: string;
  message: string;
  hint: string;
  /** A risk reported by `edge check` that does not stop a start or a deploy. */
  advisory?: boolean;
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** Length of the common prefix, case-insensitive. */
function commonPrefix(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n]!.toLowerCase() === b[n]!.toLowerCase()) n++;
  return n;
}

/**
 * The closest known key to a misspelt one, if close enough to be a typo; else a known key the
 * typed one spells out (`ipAddress` for `ip`, `deviceNumber` for `deviceNo`).
 */
export function didYouMean(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(key, k);
    if (d < bestD) [best, bestD] = [k, d];
  }
  if (best !== undefined && (bestD <= 2 || (bestD <= Math.floor(key.length / 3) && bestD < key.length))) return best;
  let longest: string | undefined;
  let longestP = 0;
  for (const k of known) {
    const p = commonPrefix(key, k);
    const spelledOut = p === k.length || p >= Math.max(4, k.length - 2);
    if (spelledOut && p > longestP) [longest, longestP] = [k, p];
  }
  return longest;
}

function schemaAt(root: TSchema, path: string): TSchema | undefined {
  let s: TSchema | undefined = root;
  for (const part of path.split('/').filter(Boolean)) {
    const props: Record<string, TSchema> | undefined = (s as TObject | undefined)?.properties;
    // A record (`Type.Record`) keeps its value schema under its one key pattern.
    const record: TSchema | undefined = Object.values(
      (s as { patternProperties?: Record<string, TSchema> } | undefined)?.patternProperties ?? {},
    )[0];
    s = props?.[part] ?? record ?? (s as { items?: TSchema } | undefined)?.items;
  }
  return s;
}

function hintOf(schema: TSchema | undefined, message: string): string {
  const d = schema?.description as string | undefined;
  const values = (schema as { anyOf?: Array<{ const?: unknown }> } | undefined)?.anyOf?.map((a) => a.const).filter((v) => v !== undefined);
  if (values && values.length > 0) return `one of ${values.map((v) => JSON.stringify(v)).join(', ')}${d ? ` (${d})` : ''}`;
  if (schema && (schema as { pattern?: string }).pattern === IPV4_PATTERN) return `an IPv4 address like 192.168.1.20${d ? ` (${d})` : ''}`;
  if (schema && (schema as { pattern?: string }).pattern === IPV4_OR_HOST_PATTERN)
    return `an IPv4 address like 192.168.1.20 or a host name${d ? ` (${d})` : ''}`;
  if ((schema as { anyOf?: TSchema[] } | undefined)?.anyOf?.some((a) => a.type === 'integer') && /union/i.test(message))
    return `text or a whole number${d ? ` (${d})` : ''}`;
  const min = (schema as { minimum?: number } | undefined)?.minimum;
  const max = (schema as { maximum?: number } | undefined)?.maximum;
  if (/number|integer/i.test(message) && (min !== undefined || max !== undefined))
    return `a whole number from ${min ?? '-∞'} to ${max ?? '∞'}${d ? ` (${d})` : ''}`;
  return d ?? 'see docs/config.md';
}

/**
 * Places where a mapping was written for a list: TypeBox's defaulting turns `{ "0": x }` into
 * `[x]`, a coercion no schema asked for. JSON pointers of each.
 */
export function mappingsGivenForLists(raw: unknown, withDefaults: unknown, path = ''): string[] {
  if (typeof raw !== 'object' || raw === null || typeof withDefaults !== 'object' || withDefaults === null) return [];
  if (Array.isArray(withDefaults) && !Array.isArray(raw)) return [path || '/'];
  const out: string[] = [];
  for (const [k, v] of Object.entries(raw))
    out.push(...mappingsGivenForLists(v, (withDefaults as Record<string, unknown>)[k], `${path}/${k}`));
  return out;
}

/**
 * Every problem of `value` against `schema` (defaults applied first), one per path, with a hint;
 * unknown keys name the closest known key.
 */
export function settingsProblems(schema: TObject, value: unknown): SettingsProblem[] {
  const withDefaults = Value.Default(schema, Value.Clone(value ?? {}));
  const out: SettingsProblem[] = mappingsGivenForLists(value, withDefaults).map((path) => ({
    path,
    message: 'expected a list',
    hint: 'write a YAML list (- item) or a JSON array',
  }));
  for (const e of Value.Errors(schema, withDefaults)) {
    if (/Unexpected property/i.test(e.message)) {
      const parts = e.path.split('/');
      const key = parts.pop()!;
      const parent = schemaAt(schema, parts.join('/')) as TObject | undefined;
      const guess = didYouMean(key, Object.keys(parent?.properties ?? {}));
      out.push({
        path: e.path,
        message: `unknown key ${key}`,
        hint: guess ? `did you mean ${guess}?` : `remove it; known keys: ${Object.keys(parent?.properties ?? {}).join(', ')}`,
      });
      continue;
    }
    const path = e.path || '/';
    if (out.some((p) => p.path === path)) continue; // the first reason per field is the useful one
    const at = schemaAt(schema, e.path);
    let message = e.message;
    // "Expected union value" says nothing: a text given for a text-or-number id is judged as text.
    const branches = (at as { anyOf?: TSchema[] } | undefined)?.anyOf ?? [];
    const textBranch = branches.some((a) => a.type === 'integer') ? branches.find((a) => a.type === 'string') : undefined;
    if (textBranch && typeof e.value === 'string') message = Value.Errors(textBranch, e.value).First()?.message ?? message;
    else if (e.value !== undefined && branches.length > 0 && branches.every((a) => a.const !== undefined))
      message = `${JSON.stringify(e.value)} is not one of the allowed values`;
    // TypeBox's message quotes the whole regular expression; the hint says the form in words.
    if (/^Expected string to match/.test(message)) message = `${JSON.stringify(e.value)} is not in the expected form`;
    out.push({ path, message, hint: hintOf(at, e.message) });
  }
  return out;
}

/** The value with defaults, checked; throws with every problem (the host already refused a bad deploy). */
export function readSettings<T extends TObject>(schema: T, value: unknown, what: string): Static<T> {
  const problems = settingsProblems(schema, value);
  if (problems.length > 0) throw new Error(`${what}: ${problems.map((p) => `${p.path} ${p.message} (${p.hint})`).join('; ')}`);
  return Value.Default(schema, Value.Clone(value ?? {})) as Static<T>;
}
