/**
 * Driver-side inputs shared by the EBA drivers: the tables file written by `edge import points`
 * (edge/eba/apply.ts), checked against the SHA-256 in the driver config, and each device's
 * property → point mapping (device custom `points`).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { readSettings } from '../../edge/host/sdk/settings.js';
import { ebaDevice } from './settings.js';

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

/** A device's property → point number mapping (device custom `points`, checked against settings). */
export function deviceMapping(custom: Record<string, unknown>): Map<string, string> {
  const { points } = readSettings(ebaDevice, custom, 'device custom');
  // Point numbers are text in the tables; a YAML integer is the same digits.
  return new Map(Object.entries(points ?? {}).map(([prop, id]) => [prop, String(id)]));
}

/** One problem list for a whole table, cut short so a log line stays readable. */
export function tableError(what: string, problems: string[]): Error {
  return new Error(
    `invalid ${what} tables: ${problems.slice(0, 20).join('; ')}${problems.length > 20 ? ` (+${problems.length - 20} more)` : ''}`,
  );
}

/** How one protocol's rows are recognised and checked; the loop around them is shared. */
export interface TableRules<C, P> {
  protocol: string;
  /** The row has the shape the rest of the checks need; otherwise `hint` says what is missing. */
  channelShape(c: C): boolean;
  channelHint: string;
  channelProblems(c: C): Array<{ field: string; reason: string }>;
  pointShape(p: P): boolean;
  pointHint: string;
  pointProblems(p: P): Array<{ field: string; reason: string }>;
}

/**
 * Load and check a driver's channel and point tables: unique channel and point numbers, every
 * point on a known channel, each row by the protocol's own rules. Throws one Error listing every
 * problem (the driver will not start with a half-valid table).
 */
export function loadCheckedTables<C extends { id: string }, P extends { id: string; channel: string }>(
  config: Record<string, unknown>,
  dataDir: string,
  rules: TableRules<C, P>,
): { channels: C[]; points: P[] } {
  const t = readTables(config, dataDir) as { channels?: unknown; points?: unknown };
  if (!Array.isArray(t.channels) || !Array.isArray(t.points))
    throw new Error('driver config needs channels[] and points[] (or a tablesFile)');
  const problems: string[] = [];
  const channels = new Map<string, C>();
  for (const c of t.channels as C[]) {
    if (typeof c?.id !== 'string' || !rules.channelShape(c)) {
      problems.push(`channel ${JSON.stringify(c?.id)}: ${rules.channelHint}`);
      continue;
    }
    if (channels.has(c.id)) problems.push(`channel ${c.id}: duplicate channel number`);
    channels.set(c.id, c);
    for (const p of rules.channelProblems(c)) problems.push(`channel ${c.id} ${p.field}: ${p.reason}`);
  }
  const ids = new Set<string>();
  for (const p of t.points as P[]) {
    if (typeof p?.id !== 'string' || !rules.pointShape(p)) {
      problems.push(`point ${JSON.stringify(p?.id)}: ${rules.pointHint}`);
      continue;
    }
    if (ids.has(p.id)) problems.push(`point ${p.id}: duplicate point number`);
    ids.add(p.id);
    if (!channels.has(p.channel)) problems.push(`point ${p.id}: unknown channel ${p.channel}`);
    for (const e of rules.pointProblems(p)) problems.push(`point ${p.id} ${e.field}: ${e.reason}`);
  }
  if (problems.length > 0) throw tableError(rules.protocol, problems);
  return { channels: [...channels.values()], points: t.points as P[] };
}

/**
 * Devices arrive one by one at start and on redeploy: collect the keys touched in one event-loop
 * turn and run `fn` once for all of them.
 */
export function oncePerBurst(fn: (keys: ReadonlySet<string>) => void): (key: string) => void {
  const dirty = new Set<string>();
  let scheduled = false;
  return (key) => {
    dirty.add(key);
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      const keys = new Set(dirty);
      dirty.clear();
      fn(keys);
    });
  };
}
