/**
 * ModbusV3 (官方) driver [seed 001 L16342-16597]: channel and point tables from the driver
 * config, each device's property → point mapping from its custom config. One connection per
 * channel, block reads planned per (channel, slave, function, period), periodic and
 * on-change reporting, writes with read-back.
 *
 * Driver config: `{ tablesFile, tablesSha256 }` (written by `edge import points`) or inline
 * `{ channels, points }`, plus the tuning options of config.ts.
 * Device custom: `{ points: { <property>: <point number> } }`.
 */
import { defineDriver, type Answer, type DriverContext } from '../../edge/host/sdk/driver.js';
import { ModbusDisconnected, ModbusException, ModbusFrameError, ModbusTimeout } from '../../protocols/modbus/frames.js';
import { pointDeviceMethods } from '../eba-shared/point-methods.js';
import { channelReplanner, statsFile } from '../eba-shared/channel-plan.js';

import { DeviceBook } from './book.js';
import { CODES } from './codes.js';
import { driverOptions, loadTables } from './config.js';
import { readPoints, writePoint } from './io.js';
import { ChannelLink } from './link.js';
import { ChannelPoller } from './poller.js';
import { PollStats } from './stats.js';

const MAPPING_CODES = { unknownDevice: CODES.UNKNOWN_DEVICE, noPoint: CODES.NO_POINT };

function failure<T>(err: unknown): Answer<T> {
  if (err instanceof ModbusException) return { code: CODES.MODBUS_EXCEPTION, message: err.message };
  if (err instanceof ModbusTimeout || err instanceof ModbusDisconnected || err instanceof ModbusFrameError)
    return { code: CODES.NO_ANSWER, message: err.message };
  if (err instanceof RangeError) return { code: CODES.VALUE_DOES_NOT_FIT, message: err.message };
  if (err instanceof TypeError) return { code: CODES.READ_ONLY_POINT, message: err.message };
  return { code: CODES.NO_ANSWER, message: (err as Error).message };
}

type Channels = Map<string, { link: ChannelLink; poller: ChannelPoller }>;
type Tables = ReturnType<typeof loadTables>;
type Options = ReturnType<typeof driverOptions>;
type Log = DriverContext['log'];

/** One link (connection with its health) and one poller per channel. */
function channelsOf(tables: Tables, deps: { opts: Options; log: Log; book: DeviceBook; stats: PollStats }): Channels {
  const { opts, log, book, stats } = deps;
  const channels: Channels = new Map();
  for (const c of tables.channels) {
    const link: ChannelLink = new ChannelLink(c, opts, log, (up, reason) => book.channelFault(c.id, up ? undefined : reason));
    const poller = new ChannelPoller({ link, opts, log, sink: book, stats });
    channels.set(c.id, { link, poller });
  }
  return channels;
}

/** The driver process's memory, for stats.json (the benchmarks read it). */
function memoryMb(): Record<string, number> {
  const m = process.memoryUsage();
  const mb = (b: number): number => Math.round(b / 1048576);
  return { rss_mb: mb(m.rss), heap_used_mb: mb(m.heapUsed), heap_total_mb: mb(m.heapTotal), external_mb: mb(m.external) };
}

export default defineDriver(({ config, log, dataDir }) => {
  const opts = driverOptions(config);
  const tables = loadTables(config, dataDir);
  const points = new Map(tables.points.map((p) => [p.id, p] as const));
  const stats = new PollStats();
  const book = new DeviceBook();
  const channels = channelsOf(tables, { opts, log, book, stats });
  const replan = channelReplanner(book, (id) => {
    const ch = channels.get(id);
    return ch && { setPoints: (used) => ch.poller.setPoints(used), start: () => ch.link.start() };
  });
  const statsOut = statsFile({
    dataDir,
    log,
    book,
    intervalMs: opts.statsIntervalMs,
    snapshot: () => ({
      blocks: [...channels.values()].reduce((n, c) => n + c.poller.blockCount, 0),
      ...stats.snapshot(),
      memory: memoryMb(),
    }),
  });

  return {
    async start() {
      for (const ch of channels.values()) ch.poller.start();
      statsOut.start();
      log.info({ channels: tables.channels.length, points: tables.points.length }, 'modbus tables loaded');
    },

    ...pointDeviceMethods(book, {
      points,
      codes: { ...MAPPING_CODES, readbackMismatch: CODES.READBACK_MISMATCH },
      replan,
      read: (channel, list) => readPoints(channels.get(channel)!.link, list),
      write: (p, v) => writePoint(channels.get(p.channel)!.link, p, v),
      // Scaled and float registers read back within rounding of what was written.
      same: (readBack, requested) =>
        String(readBack) === String(requested) ||
        Math.abs(Number(readBack) - Number(requested)) <= 1e-6 * Math.max(1, Math.abs(Number(requested))),
      mismatchHint: 'the device changed or refused the value',
      failure,
    }),

    async callService(_d, serviceId) {
      return { code: CODES.NO_SERVICE, message: `service ${serviceId} is not provided by the ModbusV3 driver` };
    },

    async stop() {
      for (const ch of channels.values()) {
        ch.poller.stop();
        ch.link.stop();
      }
      statsOut.stop();
    },
  };
});
