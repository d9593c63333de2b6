/**
 * Every check the running daemon makes of a config before it starts or deploys it, in one place:
 * the schema, the cross-references (edge/config/load.ts), the areas' own sections, and the
 * drivers' declared settings and listener ports (edge/host/driver-settings.ts). `edge check`,
 * the console's config page and its save all answer with this, so they agree with the daemon.
 */
import { dirname, resolve } from 'node:path';
import { checkSemantics, ConfigError, parseConfig, type ConfigProblem } from './config/load.js';
import { driverSettingsProblems } from './host/driver-settings.js';
import { boxAndAppListeners } from './apps/config.js';
// The areas that own box config sections register their checks on load (edge/config/sections.ts).
import './cloud/config.js';
import './access/config.js';
import './console/options.js';
import './rules/config.js';
import './files/config.js';
import './datamodel/config.js';
import './apps/config.js';
import './backup/schedule.js';
import './history/config.js';

/** The problems of a config text (advisories included); relative paths resolve against `baseDir`. */
export async function configProblems(text: string, source: string, baseDir = dirname(source)): Promise<ConfigProblem[]> {
  try {
    const cfg = parseConfig(text, source);
    return [
      ...checkSemantics(cfg, baseDir),
      ...(await driverSettingsProblems(
        cfg.drivers,
        baseDir,
        boxAndAppListeners(cfg, baseDir),
        resolve(baseDir, cfg.box.dataDir, 'drivers'),
      )),
    ];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}
