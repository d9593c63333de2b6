/**
 * The BACnetV3 driver's inputs, checked at its boundary: channel and point tables (inline or
 * in the tables file written by `edge import points --type bacnet-v3`), the tuning options,
 * and where the socket binds and broadcasts (settings.ts; the NIC helpers are
 * protocols/bacnet/nic.ts). The import's rules apply again
 * (protocols/bacnet/point.ts), so a hand-edited config cannot slip past them.
 */
import { channelProblems, DATA_TYPES, pointProblems, type ChannelDef, type PointDef } from '../../protocols/bacnet/point.js';
import type { Static } from '@sinclair/typebox';
import { readSettings } from '../../edge/host/sdk/settings.js';
import { loadCheckedTables } from '../eba-shared/tables.js';
import settings from './settings.js';

export interface BacnetTables {
  channels: ChannelDef[];
  points: PointDef[];
}

/** The options (and the tables keys, read by loadTables). */
export type DriverOptions = Static<typeof settings.config>;

export const TABLES_FORMAT = 'eba-bacnet-v3/1';

/** The driver config with its defaults; throws with every problem (the host already refused a bad one). */
export function driverOptions(config: Record<string, unknown>): DriverOptions {
  return readSettings(settings.config, config, 'bacnet-v3 driver config');
}

/** Load and check the tables. Throws one Error listing every problem (the driver will not start). */
export function loadTables(config: Record<string, unknown>, dataDir: string): BacnetTables {
  return loadCheckedTables<ChannelDef, PointDef>(config, dataDir, {
    protocol: 'BACnetV3',
    channelShape: () => true,
    channelHint: 'needs an id',
    channelProblems,
    pointShape: (p) => DATA_TYPES.includes(p.dataType) && typeof p.cov === 'boolean',
    pointHint: 'needs id, dataType and cov',
    pointProblems,
  });
}
