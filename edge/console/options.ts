/**
 * The `console:` section of the box config, checked by the console's own schema (the box
 * schema leaves the section to its owner). Defaults favour a box standing on a LAN.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { registerSectionCheck } from '../config/sections.js';

export const ConsoleOptionsSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true }),
    /** Optional HTTPS: PEM files, relative to the config file's folder. */
    https: Type.Optional(
      Type.Object({ cert: Type.String({ minLength: 1 }), key: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
    ),
    sessionIdleMinutes: Type.Integer({ minimum: 1, maximum: 24 * 60, default: 30 }),
    sessionMaxHours: Type.Integer({ minimum: 1, maximum: 24 * 7, default: 12 }),
    /** Password guessing limits for login, setup and password change (edge/console/auth/lockout.ts). */
    lockout: Type.Object(
      {
        /** Wrong passwords per (account, source address) before the delay starts. */
        freeAttempts: Type.Integer({ minimum: 1, maximum: 20, default: 3 }),
        /** First delay; doubles with every further failure. */
        baseDelayMs: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 2000 }),
        maxDelayMs: Type.Integer({ minimum: 1000, maximum: 86_400_000, default: 900_000 }),
        /** Failures per minute from all addresses together before every login waits. */
        globalFailuresPerMinute: Type.Integer({ minimum: 1, maximum: 10_000, default: 30 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** Shortest accepted new password; 10 is the floor (edge/console/auth/password.ts). */
    passwordMinLength: Type.Integer({ minimum: 10, maximum: 64, default: 10 }),
    /** Largest upload (backup restore, workbook import) in MB. */
    uploadLimitMb: Type.Integer({ minimum: 1, maximum: 512, default: 64 }),
  },
  { additionalProperties: false },
);

export type ConsoleOptions = Static<typeof ConsoleOptionsSchema>;

/** Fill defaults and check; returns the options or the list of `path: message` problems. */
export function parseConsoleOptions(
  raw: unknown,
): { ok: true; options: ConsoleOptions } | { ok: false; problems: { path: string; message: string }[] } {
  const value = Value.Default(ConsoleOptionsSchema, Value.Clone(raw ?? {}));
  const problems = [...Value.Errors(ConsoleOptionsSchema, value)].map((e) => ({ path: `/console${e.path}`, message: e.message }));
  return problems.length > 0 ? { ok: false, problems } : { ok: true, options: value as ConsoleOptions };
}

// `edge check` and every redeploy report this section's problems with the core's.
registerSectionCheck('console', (raw) => {
  const r = parseConsoleOptions(raw);
  return r.ok ? [] : r.problems.map((p) => ({ ...p, hint: 'see docs/console.md' }));
});
