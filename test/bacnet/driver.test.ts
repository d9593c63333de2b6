/**
 * The BACnetV3 driver against simulated BACnet/IP devices on loopback (the simulator is the
 * library in the server role): broadcast and directed discovery, RPM batching within a small
 * device's max APDU, ReadProperty fallback, COV (and polling when COV is refused), writes with
 * priority, relinquish and read-back, BACnet errors mapped to answer codes, a device that stops
 * answering and comes back, a device that moves, malformed and hostile datagrams, and the
 * network rule (nothing sent outside 127.0.0.0/8).
 */
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODES } from '../../drivers/bacnet-v3/codes.js';
import type { ChannelDef, PointDef } from '../../protocols/bacnet/point.js';
import type { SimDevice } from '../../scripts/sim/bacnet/device.js';
import { observeFor, waitFor } from '../helpers/wait.js';
import {
  AI,
  AO,
  AV,
  BI,
  BO,
  freePort,
  MSV,
  recordingHandle,
  startDriver,
  startSim,
  type DriverUnderTest,
  type RecordingHandle,
} from './helpers.js';

const pt = (
  channel: string,
  id: string,
  objectType: number,
  instance: number,
  dataType: PointDef['dataType'],
  cov: boolean,
  extra: Partial<PointDef> = {},
): PointDef => ({ channel, id, objectType, instance, property: 85, dataType, cov, ...extra });

describe('BACnetV3 driver against simulated devices', () => {
  let port: number;
  let dev1: SimDevice;
  let dev2: SimDevice;
  let dev3: SimDevice;
  let moved: SimDevice | undefined;
  let dut: DriverUnderTest;
  let t1: RecordingHandle;
  let t2: RecordingHandle;
  let t3: RecordingHandle;

  // A timeout prints what each side saw, so a failure on another machine explains itself.
  const explain = () => {
    let stats: unknown;
    try {
      stats = dut.stats();
    } catch (err) {
      stats = (err as Error).message;
    }
    return {
      sims: Object.fromEntries(
        [dev1, dev2, dev3, moved].filter(Boolean).map((d) => [d!.options.deviceId, { ...d!.counters, transport: d!.transportCounters }]),
      ),
      devices: [t1, t2, t3].map((t) => ({ name: t?.deviceName, status: t?.status, history: t?.history })),
      stats,
      driverLog: dut?.logTail.slice(-15),
      lo: networkInterfaces().lo?.map((a) => `${a.address}/${a.netmask}`),
    };
  };

  beforeAll(async () => {
    port = await freePort();
    const dirPort = await freePort();
    dev1 = await startSim({
      deviceId: 101,
      host: '127.0.0.31',
      port,
      objects: [
        { type: AI, instance: 1, value: 21.5 },
        { type: AO, instance: 2, value: 16 },
        { type: BO, instance: 3, value: 0 },
        { type: MSV, instance: 4, value: 2, states: 3 },
      ],
    });
    dev2 = await startSim({
      deviceId: 102,
      host: '127.0.0.32',
      port,
      rpm: false,
      cov: false,
      objects: [
        { type: AI, instance: 1, value: 40 },
        { type: BI, instance: 2, value: 1 },
      ],
    });
    dev3 = await startSim({
      deviceId: 103,
      host: '127.0.0.33',
      port: dirPort,
      maxApdu: 206,
      objects: Array.from({ length: 40 }, (_, i) => ({ type: AV, instance: i + 1, value: i * 1.5 })),
    });
    const ch = (id: string, deviceId: number, extra: Partial<ChannelDef> = {}): ChannelDef => ({
      id,
      transport: 'udp',
      nic: 'lo',
      deviceId,
      reportMs: 200,
      offlineMs: 1500,
      mode: 'broadcast',
      ...extra,
    });
    const channels = [ch('c1', 101), ch('c2', 102), ch('c3', 103, { mode: 'directed', address: `127.0.0.33:${dirPort}`, maxApdu: 1476 })];
    const points = [
      pt('c1', 'p1', AI, 1, 'float', true),
      pt('c1', 'p2', AO, 2, 'float', false),
      pt('c1', 'p3', BO, 3, 'bool', true, { priority: 8 }),
      pt('c1', 'p4', MSV, 4, 'enum', false),
      pt('c2', 'q1', AI, 1, 'float', true),
      pt('c2', 'q2', BI, 2, 'bool', false),
      ...Array.from({ length: 40 }, (_, i) => pt('c3', `r${i + 1}`, AV, i + 1, 'float', false)),
    ];
    dut = await startDriver(channels, points, { broadcastAddress: `127.255.255.255:${port}` });
    t1 = recordingHandle('tpHw01', 'HW-PUC5533-BACnet-001', {
      points: { Temperature: 'p1', SetPoint: 'p2', FanRunning: 'p3', Mode: 'p4' },
    });
    t2 = recordingHandle('tpHw01', 'HW-PUC5533-BACnet-002', { points: { Temperature: 'q1', Alarm: 'q2' } });
    t3 = recordingHandle('big', 'AV-40', { points: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`V${i + 1}`, `r${i + 1}`])) });
    for (const h of [t1, t2, t3]) await dut.driver.addDevice(h);
  }, 30_000);

  afterAll(async () => {
    await dut?.driver.stop?.(false);
    for (const d of [dev1, dev2, dev3, moved]) await d?.stop();
  });

  it('finds devices by broadcast and directed Who-Is and reads them with ReadPropertyMultiple', async () => {
    await waitFor(() => t1.status === 'online' && t1.values.Mode === 2 && t1.values.Temperature === 21.5, {
      what: 'device 1 online with values',
      explain,
    });
    expect(t1.values).toMatchObject({ SetPoint: 16, FanRunning: 0 });
    expect(dev1.counters.whoIs).toBeGreaterThan(0);
    expect(dev1.counters.rpm).toBeGreaterThan(0);
    expect(dev1.counters.rp).toBe(0);
  });

  it('splits RPM batches a small device cannot answer in one APDU', async () => {
    await waitFor(() => Object.keys(t3.values).length === 40, { what: '40 values from the 206-octet device', timeoutMs: 20_000, explain });
    expect(t3.status).toBe('online');
    expect(t3.values.V40).toBeCloseTo(58.5, 5);
    const before = dev3.counters.rpm;
    await observeFor(450); // the measured window: RPM requests of about two poll cycles
    const perCycle = (dev3.counters.rpm - before) / 2;
    // 40 REAL values need several 206-octet answers but far fewer than 40 requests.
    expect(perCycle).toBeGreaterThanOrEqual(2);
    expect(perCycle).toBeLessThan(20);
  });

  it('falls back to ReadProperty for a device without RPM and polls when it refuses COV', async () => {
    await waitFor(() => t2.status === 'online' && t2.values.Temperature === 40 && t2.values.Alarm === 1, {
      what: 'device 2 online',
      explain,
    });
    expect(dev2.counters.rp).toBeGreaterThan(0);
    expect(dev2.counters.subscribe).toBeGreaterThan(0);
    dev2.setValue(AI, 1, 41.5);
    await waitFor(() => t2.values.Temperature === 41.5, { what: 'polled change', explain });
  });

  it('delivers report-on-change points by COV', async () => {
    await waitFor(() => dev1.subscriptions.size >= 2, { what: 'COV subscriptions', explain });
    const reports = t1.reports.length;
    dev1.setValue(AI, 1, 30.25);
    await waitFor(() => t1.values.Temperature === 30.25, { what: 'COV value', timeoutMs: 5000, explain });
    expect(t1.reports.length).toBeGreaterThan(reports);
    await waitFor(() => dut.stats().covNotifications > 0, { what: 'stats written', explain });
    // A report-on-change point is reported once per change, not every cycle.
    const n = t1.reports.filter((r) => 'Temperature' in r).length;
    await observeFor(600); // quiet: no report without a change
    expect(t1.reports.filter((r) => 'Temperature' in r).length).toBe(n);
  });

  it('writes with the default and the per-point priority, relinquishes, and reads back', async () => {
    const o2 = dev1.objects.get(`${AO}:2`)!;
    const o3 = dev1.objects.get(`${BO}:3`)!;
    expect(await dut.driver.setProperties(t1, { SetPoint: 18.5 })).toMatchObject({ code: 200, data: { SetPoint: 18.5 } });
    expect(o2.priority[15]).toBe(18.5);
    expect(await dut.driver.setProperties(t1, { FanRunning: 1 })).toMatchObject({ code: 200, data: { FanRunning: 1 } });
    expect(o3.priority[7]).toBe(1);
    expect(await dut.driver.callService(t1, 'relinquish', { identifier: 'FanRunning' })).toMatchObject({
      code: 200,
      data: { FanRunning: 0 },
    });
    expect(o3.priority[7]).toBeNull();
    o2.priority[4] = 10; // someone holds priority 5
    const held = await dut.driver.setProperties(t1, { SetPoint: 20 });
    expect(held.code).toBe(CODES.READBACK_MISMATCH);
    expect(held.data).toEqual({ SetPoint: 10 });
    o2.priority[4] = null;
  });

  it('maps BACnet errors and unmapped properties to clear codes', async () => {
    expect((await dut.driver.setProperties(t1, { Temperature: 3 })).code).toBe(CODES.WRITE_DENIED);
    expect((await dut.driver.setProperties(t1, { Mode: 9 })).code).toBe(CODES.VALUE_DOES_NOT_FIT);
    const unmapped = await dut.driver.getProperties(t1, ['Humidity']);
    expect(unmapped.code).toBe(CODES.NO_POINT);
    expect((await dut.driver.setProperties(t1, { Humidity: 50 })).code).toBe(CODES.NO_POINT);
    expect((await dut.driver.callService(t1, 'reboot', {})).code).toBe(CODES.NO_SERVICE);
    expect(await dut.driver.getProperties(t1, ['Mode', 'SetPoint'])).toMatchObject({ code: 200, data: { Mode: 2, SetPoint: 20 } }); // priority 16 holds the last write once 5 is released
  });

  it('reports a malformed answer clearly and survives hostile datagrams', async () => {
    dev1.malformedRpm = true;
    expect((await dut.driver.getProperties(t1, ['Mode'])).code).toBe(CODES.MALFORMED_ANSWER);
    dev1.malformedRpm = false;
    const to = `127.0.0.30:${dut.port}`;
    const junk = [
      Buffer.alloc(0),
      Buffer.from([0x81]),
      Buffer.from([0x81, 0x0a, 0x00, 0x03]),
      Buffer.from([0x81, 0x0a, 0x00, 0xff, 0x01, 0x00, 0x30]),
      Buffer.from('81 0a 00 0c 01 00 30 07 0c 0c ff ff'.replace(/ /g, ''), 'hex'),
    ];
    for (let id = 0; id < 256; id++) junk.push(Buffer.from([0x81, 0x0a, 0x00, 0x09, 0x01, 0x00, 0x30, id, 0x0e])); // stray complex-acks from the wrong peer
    for (const j of junk) dev3.sendDatagram(to, j);
    const n = t1.reports.length;
    await waitFor(() => t1.reports.length > n + 1, { what: 'still reading after the junk', explain });
    expect(await dut.driver.getProperties(t1, ['Mode'])).toMatchObject({ code: 200, data: { Mode: 2 } });
  });

  it('marks a silent device offline within the offline period and brings it back', async () => {
    dev2.silent = true;
    await waitFor(() => t2.status === 'offline', { what: 'device 2 offline', timeoutMs: 10_000, explain });
    expect(t2.reason).toMatch(/did not answer within 1500 ms/);
    expect(t1.status).toBe('online');
    dev2.silent = false;
    await waitFor(() => t2.status === 'online', { what: 'device 2 back online', timeoutMs: 10_000, explain });
  });

  it('follows a device to its new address (broadcast re-discovery)', async () => {
    await dev2.stop();
    moved = await startSim({
      deviceId: 102,
      host: '127.0.0.35',
      port,
      rpm: false,
      cov: false,
      objects: [
        { type: AI, instance: 1, value: 55 },
        { type: BI, instance: 2, value: 0 },
      ],
    });
    await waitFor(() => t2.values.Temperature === 55 && t2.status === 'online', {
      what: 'values from the new address',
      timeoutMs: 15_000,
      explain,
    });
    expect(moved.counters.rp).toBeGreaterThan(0);
  });

  it('sent nothing outside loopback', async () => {
    await waitFor(() => dut.stats().destinations.length > 0, { what: 'stats', explain });
    const s = dut.stats();
    expect(s.transport.refused).toBe(0);
    expect(s.destinations.every((d) => d.startsWith('127.'))).toBe(true);
    expect(s.destinations).toContain(`127.255.255.255:${port}`);
  });
});
