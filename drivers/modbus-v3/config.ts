/**
 * The driver's inputs, checked at its boundary: the channel and point tables (inline in the
 * driver config, or in a tables file written by `edge import points`) and each device's
 * property → point mapping (device custom config). The same rules as the import apply
 * (protocols/modbus/point.ts), so a hand-edited config cannot slip past them.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { channelProblems, DATA_TYPES, OPERATION_TYPES, pointProblems, type ChannelDef, type PointDef } from '../../protocols/modbus/point.js';

export interface ModbusTables {
  channels: ChannelDef[];
  points: PointDef[];
}

export interface DriverOptions {
  timeoutMs: number;
  /** Outstanding requests per TCP channel (channels with a command interval use 1). */
  maxInFlight: number;
  maxGapRegisters: number;
  /** First and longest reconnect / dead-slave retry delay. */
  backoffMinMs: number;
  backoffMaxMs: number;
  /** How often poll statistics are written to `<dataDir>/stats.json`; 0 = never. */
  statsIntervalMs: number;
}

export const driverDefaults: DriverOptions = { timeoutMs: 1000, maxInFlight: 8, maxGapRegisters: 16, backoffMinMs: 500, backoffMaxMs: 30_000, statsIntervalMs: 5000 };

/** The tables file format written by the import. */
export const TABLES_FORMAT = 'eba-modbus-v3/1';

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

export function driverOptions(config: Record<string, unknown>): DriverOptions {
  return {
    timeoutMs: num(config.timeoutMs, driverDefaults.timeoutMs),
    maxInFlight: Math.max(1, num(config.maxInFlight, driverDefaults.maxInFlight)),
    maxGapRegisters: Math.max(0, num(config.maxGapRegisters, driverDefaults.maxGapRegisters)),
    backoffMinMs: num(config.backoffMinMs, driverDefaults.backoffMinMs),
    backoffMaxMs: num(config.backoffMaxMs, driverDefaults.backoffMaxMs),
    statsIntervalMs: num(config.statsIntervalMs, driverDefaults.statsIntervalMs),
  };
}

/** Load and check the tables. Throws one Error listing every problem (the driver will not start). */
export function loadTables(config: Record<string, unknown>, dataDir: string): ModbusTables {
  let raw: unknown = config;
  if (typeof config.tablesFile === 'string') {
    const file = isAbsolute(config.tablesFile) ? config.tablesFile : join(dataDir, config.tablesFile);
    const text = readFileSync(file, 'utf8');
    if (typeof config.tablesSha256 === 'string' && sha256(text) !== config.tablesSha256) {
      throw new Error(`tables file ${file} does not match tablesSha256 in the driver config: re-run edge import points`);
    }
    raw = JSON.parse(text);
  }
  const t = raw as { channels?: unknown; points?: unknown };
  if (!Array.isArray(t.channels) || !Array.isArray(t.points)) throw new Error('driver config needs channels[] and points[] (or a tablesFile)');
  const problems: string[] = [];
  const channels = new Map<string, ChannelDef>();
  for (const c of t.channels as ChannelDef[]) {
    if (typeof c?.id !== 'string' || !['tcp', 'rtu', 'rtu-over-tcp'].includes(c.transport)) {
      problems.push(`channel ${JSON.stringify(c?.id)}: needs an id and a transport`);
      continue;
    }
    if (channels.has(c.id)) problems.push(`channel ${c.id}: duplicate channel number`);
    channels.set(c.id, c);
    for (const p of channelProblems(c)) problems.push(`channel ${c.id} ${p.field}: ${p.reason}`);
  }
  const ids = new Set<string>();
  for (const p of t.points as PointDef[]) {
    if (typeof p?.id !== 'string' || !OPERATION_TYPES.includes(p.op) || !DATA_TYPES.includes(p.dataType) || (p.report !== 'periodic' && p.report !== 'onChange')) {
      problems.push(`point ${JSON.stringify(p?.id)}: needs id, op, dataType and report`);
      continue;
    }
    if (ids.has(p.id)) problems.push(`point ${p.id}: duplicate point number`);
    ids.add(p.id);
    if (!channels.has(p.channel)) problems.push(`point ${p.id}: unknown channel ${p.channel}`);
    for (const e of pointProblems(p)) problems.push(`point ${p.id} ${e.field}: ${e.reason}`);
  }
  if (problems.length > 0) throw new Error(`invalid ModbusV3 tables: ${problems.slice(0, 20).join('; ')}${problems.length > 20 ? ` (+${problems.length - 20} more)` : ''}`);
  return { channels: [...channels.values()], points: t.points as PointDef[] };
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
