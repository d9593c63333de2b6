/**
 * The `rules` section of the box config: EBA alarm rules for commissioning without the cloud, inline
 * (`alarmRules`) or in a JSON file (`file`, relative to the config file): a list of rules in the
 * addorupdate fields (docs/rules.md). They are applied at every start (source `file`); the cloud
 * and the console manage the same store afterwards.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { edgeError } from '../errors.js';
import { registerSectionCheck, type ConfigProblem } from '../config/sections.js';
import { checkRule } from './rule.js';

export const RulesConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'evaluate EBA alarm rules on the box' }),
    /** A JSON file holding a list of rules (addorupdate fields), relative to the config file. */
    file: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    /** Rules written into the box config itself. */
    alarmRules: Type.Array(Type.Unknown(), { default: [], maxItems: 10_000 }),
    /** How many open alarms the retained local-bus message `/edge/alarms/open` lists. */
    openListed: Type.Integer({ minimum: 1, maximum: 5000, default: 200 }),
  },
  { additionalProperties: false },
);

export type RulesConfig = Static<typeof RulesConfigSchema>;

export function rulesConfigProblems(raw: unknown): ConfigProblem[] {
  const withDefaults = Value.Default(RulesConfigSchema, Value.Clone(raw ?? {}));
  const problems: ConfigProblem[] = [...Value.Errors(RulesConfigSchema, withDefaults)].map((e) => ({
    path: `/rules${e.path}`,
    message: e.message,
    hint: 'see docs/rules.md',
  }));
  if (problems.length > 0) return problems;
  (withDefaults as RulesConfig).alarmRules.forEach((r, i) => {
    const c = checkRule(r);
    if (!c.ok)
      for (const p of c.problems)
        problems.push({ path: `/rules/alarmRules/${i}/${p.field}`, message: p.message, hint: 'see docs/rules.md' });
  });
  return problems;
}

/** Check the section and fill defaults; throws EDGE_ERR_CONFIG_INVALID with every problem. */
export function parseRulesConfig(raw: unknown = {}): RulesConfig {
  const problems = rulesConfigProblems(raw);
  if (problems.length > 0) throw edgeError('EDGE_ERR_CONFIG_INVALID', problems.map((p) => `${p.path.slice(1)}: ${p.message}`).join('; '));
  return Value.Default(RulesConfigSchema, Value.Clone(raw ?? {})) as RulesConfig;
}

/** The rules of the config: inline ones, then the file's (read now: a file edited on the box applies at the next start). */
export function configuredRules(cfg: RulesConfig, baseDir: string): unknown[] {
  if (!cfg.file) return cfg.alarmRules;
  const path = resolve(baseDir, cfg.file);
  let list: unknown;
  try {
    list = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw edgeError('EDGE_ERR_CONFIG_READ', path, (err as Error).message);
  }
  if (!Array.isArray(list)) throw edgeError('EDGE_ERR_CONFIG_INVALID', `rules/file: ${path} must hold a JSON list of rules`);
  return [...cfg.alarmRules, ...list];
}

// `edge check` and every redeploy report this section's problems with the core's.
registerSectionCheck('rules', (raw) => (raw === undefined ? [] : rulesConfigProblems(raw)));
