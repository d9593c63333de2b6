/**
 * An app's manifest, `app.json` in its folder (docs/apps.md): what to run, the service models it
 * serves and on which port, the data models it may read and write, its memory budget and default
 * environment. Everything in it is external input: checked whole, every problem named with its path.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

export const APP_NAME_PATTERN = '^[a-z0-9][a-z0-9-]{1,39}$';
const SEMVER = '^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?$';
const MODEL_ID = '^[A-Za-z0-9_]{1,64}$';
/** Environment keys an app may set itself; the platform's own (iot.hosting.*, PE_*) are refused. */
const ENV_KEY = '^[A-Za-z_][A-Za-z0-9_.]{0,127}$';
export const RESERVED_ENV = /^(iot\.hosting\.|PE_)/;

export const ManifestSchema = Type.Object(
  {
    name: Type.String({ pattern: APP_NAME_PATTERN }),
    version: Type.String({ pattern: SEMVER, maxLength: 64 }),
    command: Type.Array(Type.String({ minLength: 1, maxLength: 1024 }), { minItems: 1, maxItems: 64 }),
    provides: Type.Array(
      Type.Object(
        { serviceModelId: Type.String({ pattern: MODEL_ID }), port: Type.Integer({ minimum: 1, maximum: 65535 }) },
        { additionalProperties: false },
      ),
      { default: [], maxItems: 32 },
    ),
    /** Other ports the app listens on (a push receiver): listed in the listener registry, kept from other listeners. */
    listens: Type.Array(
      Type.Object(
        { port: Type.Integer({ minimum: 1, maximum: 65535 }), what: Type.String({ minLength: 1, maxLength: 200 }) },
        { additionalProperties: false },
      ),
      { default: [], maxItems: 8 },
    ),
    dataModels: Type.Object(
      {
        write: Type.Array(Type.String({ pattern: MODEL_ID }), { default: [], maxItems: 256 }),
        read: Type.Array(Type.String({ pattern: MODEL_ID }), { default: [], maxItems: 256 }),
      },
      { additionalProperties: false, default: {} },
    ),
    resources: Type.Object(
      { memoryMb: Type.Integer({ minimum: 16, maximum: 65_536, default: 256 }) },
      { additionalProperties: false, default: {} },
    ),
    env: Type.Record(Type.String({ pattern: ENV_KEY }), Type.String({ maxLength: 4096 }), { default: {} }),
  },
  { additionalProperties: true },
);

export type AppManifest = Static<typeof ManifestSchema>;

export type ManifestResult = { ok: true; manifest: AppManifest } | { ok: false; problems: string[] };

/** Checks a parsed manifest; defaults filled in. */
export function checkManifest(raw: unknown): ManifestResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, problems: ['app.json: must be a JSON object'] };
  const value = Value.Default(ManifestSchema, Value.Clone(raw));
  const problems = [...Value.Errors(ManifestSchema, value)].map((e) => `app.json${e.path || ''}: ${e.message}`);
  const m = value as AppManifest;
  if (problems.length === 0) {
    for (const key of Object.keys(m.env)) if (RESERVED_ENV.test(key)) problems.push(`app.json/env/${key}: reserved for the platform`);
    const models = m.provides.map((p) => p.serviceModelId);
    if (new Set(models).size !== models.length) problems.push('app.json/provides: a service model is named twice');
  }
  return problems.length > 0 ? { ok: false, problems: problems.slice(0, 20) } : { ok: true, manifest: m };
}

/** Reads and checks `<dir>/app.json`. */
export function readManifest(dir: string): ManifestResult {
  let text: string;
  try {
    text = readFileSync(join(dir, 'app.json'), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, problems: [code === 'ENOENT' ? `no app.json in ${dir}` : `app.json not readable (${code ?? 'error'})`] };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, problems: [`app.json is not JSON: ${(err as Error).message}`] };
  }
  return checkManifest(raw);
}
