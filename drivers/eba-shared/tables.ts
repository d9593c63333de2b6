/**
 * Driver-side inputs shared by the EBA drivers: the tables file written by `edge import points`
 * (edge/eba/apply.ts), checked against the SHA-256 in the driver config, and each device's
 * property → point mapping (device custom `points`).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The tables: from `tablesFile` (relative to the driver's data dir) or inline in the config. */
export function readTables(config: Record<string, unknown>, dataDir: string): unknown {
  if (typeof config.tablesFile !== 'string') return config;
  const file = isAbsolute(config.tablesFile) ? config.tablesFile : join(dataDir, config.tablesFile);
  const text = readFileSync(file, 'utf8');
  if (typeof config.tablesSha256 === 'string' && sha256(text) !== config.tablesSha256) {
    throw new Error(`tables file ${file} does not match tablesSha256 in the driver config: re-run edge import points`);
  }
  return JSON.parse(text) as unknown;
}

/** A device's property → point number mapping (device custom `points`). */
export function deviceMapping(custom: Record<string, unknown>): Map<string, string> {
  const m = custom.points;
  if (m === undefined) return new Map();
  if (typeof m !== 'object' || m === null || Array.isArray(m)) throw new Error('custom.points must map property identifiers to point numbers');
  const out = new Map<string, string>();
  for (const [prop, id] of Object.entries(m)) {
    if (typeof id !== 'string' && typeof id !== 'number') throw new Error(`custom.points.${prop} must be a point number`);
    out.set(prop, String(id));
  }
  return out;
}

/** One problem list for a whole table, cut short so a log line stays readable. */
export function tableError(what: string, problems: string[]): Error {
  return new Error(`invalid ${what} tables: ${problems.slice(0, 20).join('; ')}${problems.length > 20 ? ` (+${problems.length - 20} more)` : ''}`);
}
