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
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '@bacnet-js/client';
import { defineDriver, ok, type Answer } from '../../edge/host/sdk/driver.js';
import { BacnetAbort, BacnetErrorPdu, BacnetMalformed, BacnetReject, BacnetTimeout } from '../../protocols/bacnet/errors.js';
import { COMMANDABLE, parseAddress, PRESENT_VALUE, type PointDef } from '../../protocols/bacnet/point.js';
import { BacnetSession } from '../../protocols/bacnet/session.js';
import { discoverDevices } from '../../protocols/bacnet/discover.js';
import { isLoopback, nicAddress } from '../../protocols/bacnet/nic.js';
import { encodeValue, sameValue, ValueTypeError, type PointValue } from '../../protocols/bacnet/values.js';
import { DeviceBook, mappedPoints, pointDeviceMethods } from '../eba-shared/book.js';
import { oncePerBurst } from '../eba-shared/tables.js';
import { CODES } from './codes.js';
import { driverOptions, loadTables } from './config.js';
import { DeviceLink, type LinkStats } from './link.js';

const MAPPING_CODES = { unknownDevice: CODES.UNKNOWN_DEVICE, noPoint: CODES.NO_POINT };

export function failure<T>(err: unknown): Answer<T> {
  const message = (err as Error).message;
  if (err instanceof BacnetErrorPdu) {
    if (err.errorCode === ErrorCode.WRITE_ACCESS_DENIED) return { code: CODES.WRITE_DENIED, message };
    if (err.errorCode === ErrorCode.VALUE_OUT_OF_RANGE || err.errorCode === ErrorCode.INVALID_DATA_TYPE) return { code: CODES.VALUE_DOES_NOT_FIT, message };
    if (err.errorCode === ErrorCode.UNKNOWN_OBJECT || err.errorCode === ErrorCode.UNKNOWN_PROPERTY) return { code: CODES.NO_SUCH_OBJECT, message };
    return { code: CODES.BACNET_ERROR, message };
  }
  if (err instanceof BacnetReject) return { code: CODES.BACNET_REJECT, message };
  if (err instanceof BacnetAbort) return { code: CODES.BACNET_ABORT, message };
  if (err instanceof BacnetTimeout) return { code: CODES.NO_ANSWER, message };
  if (err instanceof BacnetMalformed || err instanceof ValueTypeError) return { code: CODES.MALFORMED_ANSWER, message };
  if (err instanceof RangeError) return { code: CODES.VALUE_DOES_NOT_FIT, message };
  const be = (err as { bacnetError?: { errorClass: number; errorCode: number } }).bacnetError;
  if (be) return failure(new BacnetErrorPdu(be.errorClass, be.errorCode));
  return { code: CODES.NO_ANSWER, message };
}

export default defineDriver(({ config, log, dataDir }) => {
  const opts = driverOptions(config);
  const tables = loadTables(config, dataDir);
  const points = new Map(tables.points.map((p) => [p.id, p] as const));
  const book = new DeviceBook<PointDef, PointValue>();
  const stats: LinkStats = { values: 0, rpm: 0, rp: 0, covNotifications: 0, timeouts: 0 };

  // Where we may send: loopback, the subnets of the channels' NICs, directed addresses. Never 255.255.255.255.
  const nics = new Map(tables.channels.map((c) => [c.nic, nicAddress(c.nic)] as const));
  const directed = new Set(tables.channels.filter((c) => c.address).map((c) => parseAddress(c.address!)!.host));
  const allowSend = (ip: string): boolean => isLoopback(ip) || directed.has(ip) || [...nics.values()].some((n) => n?.contains(ip));
  const broadcastOf = (nic: string): string => opts.broadcastAddress ?? nics.get(nic)?.broadcast ?? '127.255.255.255';
  const session = new BacnetSession({ bindAddress: opts.bindAddress, port: opts.localPort, broadcastAddress: opts.broadcastAddress ?? '127.255.255.255', allowSend, apduTimeoutMs: opts.apduTimeoutMs, maxInFlight: opts.maxInFlight });
  session.transport.on('refused', (to: string) => log.warn({ to }, 'BACnet send refused: destination outside the allowed networks'));

  const links = new Map<string, DeviceLink>();
  tables.channels.forEach((c, i) => {
    if (!nics.get(c.nic)) log.warn({ channel: c.id, nic: c.nic }, 'NIC not found on this box; using the configured or loopback broadcast');
    links.set(c.id, new DeviceLink(c, 1000 + i, { opts, session, log, sink: book, stats, broadcast: broadcastOf(c.nic) }));
  });
  const byDeviceId = new Map<number, DeviceLink[]>();
  for (const l of links.values()) byDeviceId.set(l.channel.deviceId, [...(byDeviceId.get(l.channel.deviceId) ?? []), l]);
  let started = false;
  let statsTimer: NodeJS.Timeout | undefined;

  // Devices arrive one by one at start and on redeploy: re-plan once per burst, not per device.
  const replan = oncePerBurst((ids) => {
    for (const id of ids) {
      const link = links.get(id);
      if (!link) continue;
      const used = book.pointsOf(id);
      link.setPoints(used);
      if (used.length > 0 && started) link.start();
    }
  });

  function writeStats(): void {
    const snapshot = { time: Date.now(), devices: book.devices.size, online: [...book.devices.values()].filter((d) => d.online).length, ...stats, ...session.counters, inFlight: session.inFlight, maxInFlight: session.maxInFlight, recvBufferBytes: session.transport.recvBufferBytes, transport: session.transport.counters, destinations: [...session.transport.destinations].slice(0, 100) };
    try {
      writeFileSync(join(dataDir, 'stats.json'), JSON.stringify(snapshot));
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'stats not written');
    }
  }

  async function writeOne(p: PointDef, value: unknown): Promise<PointValue> {
    const app = encodeValue(p, value);
    // Commandable present values take a priority (the point's, else the driver's); others none (Clause 15.9.1.1.5).
    const priority = p.property === PRESENT_VALUE && COMMANDABLE.has(p.objectType) ? (p.priority ?? opts.writePriority) : undefined;
    return links.get(p.channel)!.write(p, app, priority);
  }

  return {
    async start() {
      const own = await session.start();
      session.on('iAm', (i) => {
        for (const l of byDeviceId.get(i.deviceId) ?? []) l.onIAm(i);
      });
      session.on('cov', (n) => {
        for (const l of byDeviceId.get(n.deviceId) ?? []) l.onCov(n);
      });
      started = true;
      for (const l of links.values()) if (book.pointsOf(l.channel.id).length > 0) l.start();
      if (opts.statsIntervalMs > 0) statsTimer = setInterval(writeStats, opts.statsIntervalMs);
      log.info({ channels: tables.channels.length, points: tables.points.length, local: `${own.address}:${own.port}`, recvBufferBytes: session.transport.recvBufferBytes, maxInFlight: session.maxInFlight }, 'bacnet tables loaded');
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

    async callService(d, serviceId, args) {
      if (serviceId !== 'relinquish') return { code: CODES.NO_SERVICE, message: `service ${serviceId} is not provided by the BACnetV3 driver` };
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
    },

    async discover(options) {
      const nic = typeof options.nic === 'string' ? options.nic : tables.channels[0]?.nic;
      const broadcast = typeof options.broadcast === 'string' ? options.broadcast : nic ? broadcastOf(nic) : undefined;
      const targets = Array.isArray(options.targets) ? options.targets.map(String) : [];
      const found = await discoverDevices(session, { broadcast, targets, waitMs: typeof options.waitMs === 'number' ? Math.min(30_000, options.waitMs) : 2000, objects: options.objects !== false });
      return ok(found as unknown[]);
    },

    async stop(force) {
      clearInterval(statsTimer);
      await Promise.all([...links.values()].map((l) => (force ? undefined : l.stop().catch(() => undefined))));
      if (opts.statsIntervalMs > 0) writeStats();
      session.close();
    },
  };
});
