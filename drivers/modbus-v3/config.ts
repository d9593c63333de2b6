/**
 * The driver's inputs, checked at its boundary: the channel and point tables (inline in the
 * driver config, or in a tables file written by `edge import points`), the tuning options
 * (settings.ts) and each device's property → point mapping (device custom config). The same
 * rules as the import apply (protocols/modbus/point.ts), so a hand-edited config cannot slip
 * past them.
 */
import {
  channelProblems,
  DATA_TYPES,
  OPERATION_TYPES,
  pointProblems,
  type ChannelDef,
  type PointDef,
} from '../../protocols/modbus/point.js';
import type { Static } from '@sinclair/typebox';
import { readSettings } from '../../edge/host/sdk/settings.js';
import { loadCheckedTables } from '../eba-shared/tables.js';
import settings from './settings.js';

export interface ModbusTables {
  channels: ChannelDef[];
  points: PointDef[];
}

/** The tuning options (and the tables keys, read by loadTables). */
export type DriverOptions = Static<typeof settings.config>;

/** The tables file format written by the import. */
export const TABLES_FORMAT = 'eba-modbus-v3/1';

/** The driver config with its defaults; throws with every problem (the host already refused a bad one). */
export function driverOptions(config: Record<string, unknown>): DriverOptions {
  return readSettings(settings.config, config, 'modbus-v3 driver config');
}

/** Load and check the tables. Throws one Error listing every problem (the driver will not start). */
export function loadTables(config: Record<string, unknown>, dataDir: string): ModbusTables {
  return loadCheckedTables<ChannelDef, PointDef>(config, dataDir, {
    protocol: 'ModbusV3',
    channelShape: (c) => ['tcp', 'rtu', 'rtu-over-tcp'].includes(c.transport),
    channelHint: 'needs an id and a transport',
    channelProblems,
    pointShape: (p) =>
      OPERATION_TYPES.includes(p.op) && DATA_TYPES.includes(p.dataType) && (p.report === 'periodic' || p.report === 'onChange'),
    pointHint: 'needs id, op, dataType and report',
    pointProblems,
  });
}
