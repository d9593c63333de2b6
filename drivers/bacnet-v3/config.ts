/**
 * The BACnetV3 driver's inputs, checked at its boundary: channel and point tables (inline or
 * in the tables file written by `edge import points --type bacnet-v3`), the tuning options,
 * and where the socket binds and broadcasts (the NIC helpers are protocols/bacnet/nic.ts). The import's rules apply again
 * (protocols/bacnet/point.ts), so a hand-edited config cannot slip past them.
 */
import { channelProblems, DATA_TYPES, pointProblems, type ChannelDef, type PointDef } from '../../protocols/bacnet/point.js';
import { loadCheckedTables } from '../eba-shared/tables.js';

export interface BacnetTables {
  channels: ChannelDef[];
  points: PointDef[];
}

export interface DriverOptions {
  /** Local UDP port (BACnet/IP: 47808); 0 = any free port (tests). */
  localPort: number;
  /** Local address; default: 0.0.0.0 (to hear broadcast I-Am). */
  bindAddress: string;
  /** Broadcast for 非定向 channels; default: the directed broadcast of the channel's NIC. */
  broadcastAddress?: string;
  apduTimeoutMs: number;
  /** Requests in flight on the socket (invoke ids are 8 bits). */
  maxInFlight: number;
  /** Requests in flight per device. */
  maxInFlightPerDevice: number;
  /** Our own max APDU (what we accept in one answer). */
  maxApdu: number;
  /** Property references per ReadPropertyMultiple, whatever the APDU would allow. */
  maxPropertiesPerRequest: number;
  covLifetimeS: number;
  covConfirmed: boolean;
  /** Write priority when the point has none (Clause 19.2: 16 is the lowest, 8 manual operator). */
  writePriority: number;
  /** Never use ReadPropertyMultiple (devices whose RPM is broken; the benchmark's baseline). */
  readPropertyOnly: boolean;
  /** How often stats are written to `<dataDir>/stats.json`; 0 = never. */
  statsIntervalMs: number;
}

export const driverDefaults: DriverOptions = {
  localPort: 47808, bindAddress: '0.0.0.0', apduTimeoutMs: 3000, maxInFlight: 200, maxInFlightPerDevice: 4, maxApdu: 1476,
  maxPropertiesPerRequest: 200, covLifetimeS: 300, covConfirmed: false, writePriority: 16, readPropertyOnly: false, statsIntervalMs: 5000,
};

export const TABLES_FORMAT = 'eba-bacnet-v3/1';

const num = (v: unknown, fallback: number, min: number, max: number): number => (typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : fallback);

export function driverOptions(config: Record<string, unknown>): DriverOptions {
  const d = driverDefaults;
  return {
    localPort: num(config.localPort, d.localPort, 0, 65535),
    bindAddress: typeof config.bindAddress === 'string' ? config.bindAddress : d.bindAddress,
    ...(typeof config.broadcastAddress === 'string' ? { broadcastAddress: config.broadcastAddress } : {}),
    apduTimeoutMs: num(config.apduTimeoutMs, d.apduTimeoutMs, 100, 60_000),
    maxInFlight: num(config.maxInFlight, d.maxInFlight, 1, 250),
    maxInFlightPerDevice: num(config.maxInFlightPerDevice, d.maxInFlightPerDevice, 1, 64),
    maxApdu: num(config.maxApdu, d.maxApdu, 50, 1476),
    maxPropertiesPerRequest: num(config.maxPropertiesPerRequest, d.maxPropertiesPerRequest, 1, 1000),
    covLifetimeS: num(config.covLifetimeS, d.covLifetimeS, 10, 28_800),
    covConfirmed: config.covConfirmed === true,
    writePriority: num(config.writePriority, d.writePriority, 1, 16),
    readPropertyOnly: config.readPropertyOnly === true,
    statsIntervalMs: num(config.statsIntervalMs, d.statsIntervalMs, 0, 3_600_000),
  };
}

/** Load and check the tables. Throws one Error listing every problem (the driver will not start). */
export function loadTables(config: Record<string, unknown>, dataDir: string): BacnetTables {
  return loadCheckedTables<ChannelDef, PointDef>(config, dataDir, {
    protocol: 'BACnetV3',
    channelShape: (c) => true,
    channelHint: 'needs an id',
    channelProblems,
    pointShape: (p) => DATA_TYPES.includes(p.dataType) && typeof p.cov === 'boolean',
    pointHint: 'needs id, dataType and cov',
    pointProblems,
  });
}
