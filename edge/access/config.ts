/**
 * The `access` section of the box config, checked by its own schema (the box schema keeps it
 * an open record so areas own their sections). Every field has a default, so `access: {}`
 * (or no section) gives a working offline core.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { edgeError } from '../errors.js';
import { problemsOfError, registerSectionCheck } from '../config/sections.js';

export const AccessConfigSchema = Type.Object(
  {
    /** Face algorithm service (seed 001 L38937-39067); empty: no feature extraction on the box. */
    faceAlgoUrl: Type.String({ default: '', description: 'base URL of the face algorithm service, e.g. http://127.0.0.1:8090' }),
    faceAlgoTimeoutMs: Type.Integer({ minimum: 100, maximum: 60_000, default: 5000 }),
    /** Which algorithm produced stored features; features of another version are never compared. */
    faceAlgoVersion: Type.String({ default: 'sim-1', maxLength: 65 }),
    /** Cosine similarity in [-1, 1] a face must reach to match (505 below it). */
    matchThreshold: Type.Number({ minimum: -1, maximum: 1, default: 0.8 }),
    /** Minutes east of UTC for `yyyy-MM-dd HH:mm:ss` strings (userInfo.expire): seeds are silent, China is UTC+8. */
    timezoneOffsetMinutes: Type.Integer({ minimum: -720, maximum: 840, default: 480 }),
    sync: Type.Object(
      {
        timeoutMs: Type.Integer({ minimum: 100, maximum: 600_000, default: 30_000 }),
        retries: Type.Integer({ minimum: 0, maximum: 10, default: 2 }),
        retryDelayMs: Type.Integer({ minimum: 0, maximum: 60_000, default: 500 }),
        /** A sync file larger than this is refused before parsing (50,000 entries are ≈ 8 MB). */
        maxFileBytes: Type.Integer({ minimum: 1024, maximum: 1024 * 1024 * 1024, default: 64 * 1024 * 1024 }),
        maxEntries: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 100_000 }),
        /** Parallel face image downloads/normalizations of a face sync. */
        imageConcurrency: Type.Integer({ minimum: 1, maximum: 32, default: 4 }),
      },
      { additionalProperties: false, default: {} },
    ),
    records: Type.Object(
      {
        retentionDays: Type.Integer({ minimum: 1, maximum: 3650, default: 90 }),
        /** Disk budget of pass-record photos; the oldest photos go first. */
        photoQuotaMb: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 2048 }),
        maxRecords: Type.Integer({ minimum: 1000, maximum: 100_000_000, default: 2_000_000 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** Door RSA public keys (base64 DER SPKI) per device key `productKey/deviceName`; the cloud's `RSAPublicKey` property set overrides. */
    rsaPublicKeys: Type.Record(Type.String(), Type.String(), { default: {} }),
    /**
     * Permission files (the `syncPermissions` file format, seed 000 §3.8) applied at start for a
     * door device `productKey/deviceName`: demo data and commissioning without the cloud. Each
     * is applied once per content (its MD5 is remembered), so a restart does not redeploy it.
     */
    seedPermissions: Type.Array(
      Type.Object(
        { device: Type.String({ pattern: '^[^/]+/[^/]+$' }), file: Type.Record(Type.String(), Type.Unknown()) },
        { additionalProperties: false },
      ),
      { default: [] },
    ),
    /** Persons (seed 002 UserDTO) known at start, same rules as SyncPersons. */
    seedPersons: Type.Array(
      Type.Object(
        {
          identityId: Type.String({ minLength: 1, maxLength: 64 }),
          name: Type.String({ maxLength: 128 }),
          extInfo: Type.Optional(Type.String({ maxLength: 2048 })),
        },
        { additionalProperties: false },
      ),
      { default: [] },
    ),
    /** Person-elevator linkage run on the box (edge/elevators, docs/elevators.md). */
    elevators: Type.Object(
      {
        /**
         * Commissioning file (JSON or YAML, relative to the config file): `{ relations: [device/add
         * fields + dataId], users: [user/save fields, either version] }`, applied at every start
         * (the same dataId replaces what it had).
         */
        file: Type.Optional(Type.String({ minLength: 1 })),
        /** The same person at the same relation again within this time calls no second time (double scans). */
        repeatWindowMs: Type.Integer({ minimum: 0, maximum: 600_000, default: 5000 }),
        /** Time limit of one command to an elevator gateway. */
        commandTimeoutMs: Type.Integer({ minimum: 100, maximum: 60_000, default: 5000 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** Cloud-side ids put into uploaded events (iot_entrance_event_model tenantId/projectId). */
    tenantId: Type.String({ default: '' }),
    projectId: Type.String({ default: '' }),
  },
  { additionalProperties: false },
);

export type AccessConfig = Static<typeof AccessConfigSchema>;

/** Check the section and fill defaults; every problem is listed with its path. */
export function parseAccessConfig(raw: unknown = {}): AccessConfig {
  const withDefaults = Value.Default(AccessConfigSchema, Value.Clone(raw ?? {}));
  const problems = [...Value.Errors(AccessConfigSchema, withDefaults)].map((e) => `access${e.path}: ${e.message}`);
  if (problems.length > 0) throw edgeError('EDGE_ERR_CONFIG_INVALID', problems.join('; '));
  return withDefaults as AccessConfig;
}

// `edge check` and every redeploy report this section's problems with the core's.
registerSectionCheck('access', (raw) => {
  if (raw === undefined) return [];
  try {
    parseAccessConfig(raw);
    return [];
  } catch (err) {
    return problemsOfError(err, 'access');
  }
});
