/**
 * The driver's inputs, checked at its boundary: the channel and point tables (inline in the
 * driver config, or in a tables file written by `edge import points`) and each device's
 * property → point mapping (device custom config). The same rules as the import apply
 * (protocols/modbus/point.ts), so a hand-edited config cannot slip past them.
 */
import { channelProblems, DATA_TYPES, OPERATION_TYPES, pointProblems, type ChannelDef, type PointDef } from '../../protocols/modbus/point.js';
import { loadCheckedTables } from '../eba-shared/tables.js';

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
  return loadCheckedTables<ChannelDef, PointDef>(config, dataDir, {
    protocol: 'ModbusV3',
    channelShape: (c) => ['tcp', 'rtu', 'rtu-over-tcp'].includes(c.transport),
    channelHint: 'needs an id and a transport',
    channelProblems,
    pointShape: (p) => OPERATION_TYPES.includes(p.op) && DATA_TYPES.includes(p.dataType) && (p.report === 'periodic' || p.report === 'onChange'),
    pointHint: 'needs id, op, dataType and report',
    pointProblems,
  });
}
