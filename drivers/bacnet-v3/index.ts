/**
 * BACnetV3 (官方) driver [seed 001 L16599-16815]: channel (= physical device) and point tables
 * from the driver config, each device's property → point mapping from its custom config
 * (drivers/eba-shared). One BACnet/IP socket for all channels; per channel a DeviceLink that
 * finds the device, reads with RPM batches, subscribes COV for report-on-change points and
 * tracks the offline period. Writes use WriteProperty with a priority, relinquish with NULL,
 * and read back.
 *
 * Driver config: `{ tablesFile, tablesSha256 }` (written by `edge import points --type bacnet-v3`)
 * or inline `{ channels, points }`, plus the options of config.ts.
 * Device custom: `{ points: { <property>: <point number> } }`.
 * Service `relinquish` `{ identifier }`: write NULL at the point's priority.
 */
import type { Logger } from 'pino';
import { defineDriver, type DeviceHandle, type DriverContext, ok, type Answer } from '../../edge/host/sdk/driver.js';
import { COMMANDABLE, PRESENT_VALUE, type PointDef } from '../../protocols/bacnet/point.js';
import { discoverDevices } from '../../protocols/bacnet/discover.js';
import { encodeValue, sameValue, type PointValue } from '../../protocols/bacnet/values.js';
import { DeviceBook } from '../eba-shared/book.js';
import { mappedPoints, pointDeviceMethods } from '../eba-shared/point-methods.js';
import { channelReplanner, statsFile } from '../eba-shared/channel-plan.js';
import { failure } from './answers.js';
import { CODES } from './codes.js';
import { type BacnetTables, type DriverOptions, driverOptions, loadTables } from './config.js';
import { DeviceLink, type LinkStats } from './link.js';
import { type BacnetNetwork, bacnetNetwork } from './network.js';
import { statsSnapshot } from './stats.js';

export { failure } from './answers.js';

const MAPPING_CODES = { unknownDevice: CODES.UNKNOWN_DEVICE, noPoint: CODES.NO_POINT };

type Book = DeviceBook<PointDef, PointValue>;

/** One DeviceLink per channel, and the links by BACnet device instance (I-Am and COV are routed by it). */
function channelLinks(
  tables: BacnetTables,
  net: BacnetNetwork,
  deps: { opts: DriverOptions; log: Logger; book: Book; stats: LinkStats },
): { links: Map<string, DeviceLink>; byDeviceId: Map<number, DeviceLink[]> } {
  const { opts, log, book, stats } = deps;
  const links = new Map<string, DeviceLink>();
  tables.channels.forEach((c, i) => {
    if (!net.hasNic(c.nic))
      log.warn({ channel: c.id, nic: c.nic }, 'NIC not found on this box; using the configured or loopback broadcast');
    links.set(c.id, new DeviceLink(c, 1000 + i, { opts, session: net.session, log, sink: book, stats, broadcast: net.broadcastOf(c.nic) }));
  });
  const byDeviceId = new Map<number, DeviceLink[]>();
  for (const l of links.values()) byDeviceId.set(l.channel.deviceId, [...(byDeviceId.get(l.channel.deviceId) ?? []), l]);
  return { links, byDeviceId };
}

/** Write one point through its channel's link; the value read back. */
function pointWriter(links: Map<string, DeviceLink>, opts: DriverOptions): (p: PointDef, value: unknown) => Promise<PointValue> {
  return async (p, value) => {
    const app = encodeValue(p, value);
    // Commandable present values take a priority (the point's, else the driver's); others none (Clause 15.9.1.1.5).
    const priority = p.property === PRESENT_VALUE && COMMANDABLE.has(p.objectType) ? (p.priority ?? opts.writePriority) : undefined;
    return links.get(p.channel)!.write(p, app, priority);
  };
}

/** Service `relinquish` `{ identifier }`: write NULL at the point's priority. */
async function relinquish(
  book: Book,
  writeOne: (p: PointDef, value: unknown) => Promise<PointValue>,
  d: DeviceHandle,
  args: Record<string, unknown>,
): Promise<Answer> {
  const identifier = String(args.identifier ?? '');
  const m = mappedPoints(book, d, [identifier], MAPPING_CODES);
  if ('refusal' in m) return m.refusal;
  const [prop, p] = m.found[0]!;
  try {
    const back = await writeOne(p, null);
    d.reportProperties({ [prop]: back });
    return ok({ [prop]: back });
  } catch (err) {
    return failure(err);
  }
}

/** Who-Is on a channel's NIC (or the given broadcast) and on directed targets. */
async function discover(net: BacnetNetwork, tables: BacnetTables, options: Record<string, unknown>): Promise<Answer<unknown[]>> {
  const nic = typeof options.nic === 'string' ? options.nic : tables.channels[0]?.nic;
  const broadcast = typeof options.broadcast === 'string' ? options.broadcast : nic ? net.broadcastOf(nic) : undefined;
  const targets = Array.isArray(options.targets) ? options.targets.map(String) : [];
  const waitMs = typeof options.waitMs === 'number' ? Math.min(30_000, options.waitMs) : 2000;
  const found = await discoverDevices(net.session, { broadcast, targets, waitMs, objects: options.objects !== false });
  return ok(found as unknown[]);
}

/** I-Am and COV notifications go to the links of their device instance. */
function routeToLinks(session: BacnetNetwork['session'], byDeviceId: Map<number, DeviceLink[]>): void {
  session.on('iAm', (i) => {
    for (const l of byDeviceId.get(i.deviceId) ?? []) l.onIAm(i);
  });
  session.on('cov', (n) => {
    for (const l of byDeviceId.get(n.deviceId) ?? []) l.onCov(n);
  });
}

function logLoaded(log: Logger, tables: BacnetTables, session: BacnetNetwork['session'], own: { address: string; port: number }): void {
  const counts = { channels: tables.channels.length, points: tables.points.length };
  const local = `${own.address}:${own.port}`;
  log.info(
    { ...counts, local, recvBufferBytes: session.transport.recvBufferBytes, maxInFlight: session.maxInFlight },
    'bacnet tables loaded',
  );
}

function createBacnetDriver({ config, log, dataDir }: Pick<DriverContext, 'config' | 'log' | 'dataDir'>) {
  const opts = driverOptions(config);
  const tables = loadTables(config, dataDir);
  const points = new Map(tables.points.map((p) => [p.id, p] as const));
  const book: Book = new DeviceBook<PointDef, PointValue>();
  const stats: LinkStats = { values: 0, rpm: 0, rp: 0, covNotifications: 0, timeouts: 0 };
  const net = bacnetNetwork(tables, opts, log);
  const { session } = net;
  const { links, byDeviceId } = channelLinks(tables, net, { opts, log, book, stats });
  const statsOut = statsFile({ dataDir, log, book, intervalMs: opts.statsIntervalMs, snapshot: () => statsSnapshot(stats, session) });
  const writeOne = pointWriter(links, opts);
  let started = false;
  const replan = channelReplanner(
    book,
    (id) => links.get(id),
    () => started,
  );

  return {
    async start() {
      const own = await session.start();
      routeToLinks(session, byDeviceId);
      started = true;
      for (const l of links.values()) if (book.pointsOf(l.channel.id).length > 0) l.start();
      statsOut.start();
      logLoaded(log, tables, session, own);
    },

    ...pointDeviceMethods(book, {
      points,
      codes: { ...MAPPING_CODES, readbackMismatch: CODES.READBACK_MISMATCH },
      replan,
      read: (channel, list) => links.get(channel)!.read(list),
      write: writeOne,
      same: (readBack, requested) => requested === null || sameValue(readBack, requested), // null relinquishes: whatever a lower priority holds
      mismatchHint: 'a higher priority may hold the point',
      failure,
    }),

    async callService(d: DeviceHandle, serviceId: string, args: Record<string, unknown>): Promise<Answer> {
      if (serviceId !== 'relinquish')
        return { code: CODES.NO_SERVICE, message: `service ${serviceId} is not provided by the BACnetV3 driver` };
      return relinquish(book, writeOne, d, args);
    },

    discover: (options: Record<string, unknown>) => discover(net, tables, options),

    async stop(force?: boolean) {
      await Promise.all([...links.values()].map((l) => (force ? undefined : l.stop().catch(() => undefined))));
      statsOut.stop();
      session.close();
    },
  };
}

export default defineDriver((ctx) => createBacnetDriver(ctx));
