/**
 * The box config's sections that other areas own (`cloud`, `access`, `console`). Each area checks
 * its own section with its own schema and registers that check here, so edge/config never
 * imports an area (config is below all of them) and `edge check` and every redeploy still report
 * a section's problems like the core's.
 *
 * Registration is at the area's module load rather than passed in by the runtime because the
 * runtime's calls (`checkSemantics(cfg, baseDir)`, `loadConfig(file)`) could not change with
 * this. A section without a registered check is a wiring fault and throws, never a silent pass.
 */
import type { BoxConfig } from './schema.js';

export interface ConfigProblem {
  path: string;
  message: string;
  hint: string;
  /** Reported by `edge check` but does not stop a start or a redeploy (a risk, not an error). */
  advisory?: boolean;
}

/** The box config keys an area owns; the core schema keeps them as plain records. */
export const AREA_SECTIONS = ['cloud', 'access', 'console', 'rules', 'files', 'dataModel', 'apps', 'appHost', 'backup', 'history'] as const;
export type AreaSection = (typeof AREA_SECTIONS)[number];

/** What a check may need beyond its section: the folder relative paths resolve against, the whole config. */
export interface SectionContext {
  baseDir: string;
  config: BoxConfig;
}

/** Checks one section's raw value (undefined when the config has none); returns its problems. */
export type SectionCheck<S extends AreaSection = AreaSection> = (raw: BoxConfig[S], ctx: SectionContext) => ConfigProblem[];

const checks = new Map<AreaSection, SectionCheck>();

export function registerSectionCheck<S extends AreaSection>(section: S, check: SectionCheck<S>): void {
  checks.set(section, check as SectionCheck);
}

export function sectionProblems(config: BoxConfig, baseDir = '.'): ConfigProblem[] {
  return AREA_SECTIONS.flatMap((section) => {
    const check = checks.get(section);
    if (!check) throw new Error(`config section ${section} has no check registered: import its area's config module first`);
    return check(config[section], { baseDir, config });
  });
}

/**
 * Problems from an area parser's EDGE_ERR_CONFIG_INVALID (`configuration invalid: cloud/x: why; …`):
 * one per path, the first reason only.
 */
export function problemsOfError(err: unknown, section: AreaSection): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const part of (err as Error).message.replace(/^configuration invalid: /, '').split('; ')) {
    const m = new RegExp(`^(${section}[^:]*): (.*)$`).exec(part);
    const path = `/${(m?.[1] ?? section).replace(/^\//, '')}`;
    if (!out.some((p) => p.path === path)) out.push({ path, message: m?.[2] ?? part, hint: `see docs/${section}.md` });
  }
  return out;
}
