/**
 * The `history:` section of the box config: how long the box keeps property values and events
 * (docs/console.md, "History"). Every change is kept raw for `rawHours`, then as 1-minute
 * min/max/avg for `minuteDays`; events for `eventDays`; all of it within `maxMb`, oldest first out.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { registerSectionCheck, type ConfigProblem } from '../config/sections.js';
import { edgeError } from '../errors.js';

export const HistoryConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'keep property values and events on the box' }),
    rawHours: Type.Number({ minimum: 0.1, maximum: 720, default: 24, description: 'every change kept as reported, hours' }),
    minuteDays: Type.Number({ minimum: 0.1, maximum: 3650, default: 30, description: '1-minute min/max/avg kept, days' }),
    eventDays: Type.Number({ minimum: 0.1, maximum: 3650, default: 90, description: 'device events and status changes kept, days' }),
    maxMb: Type.Number({ minimum: 1, maximum: 1_000_000, default: 256, description: 'size budget of the history tables, MB' }),
    flushMs: Type.Integer({ minimum: 50, maximum: 60_000, default: 1000, description: 'values are written in one batch this often' }),
    maintenanceS: Type.Integer({
      minimum: 1,
      maximum: 3600,
      default: 60,
      description: 'how often values are downsampled and the budget kept',
    }),
  },
  { additionalProperties: false },
);

export type HistoryConfig = Static<typeof HistoryConfigSchema>;

export function historyConfigProblems(raw: unknown): ConfigProblem[] {
  const value = Value.Default(HistoryConfigSchema, Value.Clone(raw ?? {}));
  return [...Value.Errors(HistoryConfigSchema, value)].map((e) => ({
    path: `/history${e.path}`,
    message: e.message,
    hint: 'see docs/console.md, History',
  }));
}

/** The section with defaults filled in (history is on when the section is absent). Throws EDGE_ERR_CONFIG_INVALID. */
export function parseHistoryConfig(raw: unknown): HistoryConfig {
  const problems = historyConfigProblems(raw);
  if (problems.length > 0) throw edgeError('EDGE_ERR_CONFIG_INVALID', problems.map((p) => `${p.path.slice(1)}: ${p.message}`).join('; '));
  return Value.Default(HistoryConfigSchema, Value.Clone(raw ?? {})) as HistoryConfig;
}

// `edge check` and every redeploy report this section's problems with the core's.
registerSectionCheck('history', (raw) => (raw === undefined ? [] : historyConfigProblems(raw)));
