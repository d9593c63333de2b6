/**
 * The indoor alarm unit driver (drivers/alarm-unit) in-process, with a host whose
 * `security.recordAlarm` is the box's own store (edge/security/alarms.ts on an in-memory
 * database) and real sockets to the simulated unit:
 * - a reportAlarm stored only in part (code 99) and sent again stores each element once;
 * - setZoneAlertState calls to one unit go one at a time with strictly increasing times, and a
 *   call to an offline or silent unit answers "offline" at once or within its time limit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAlarmUnitDriver, type AlarmUnitDriver } from '../../drivers/alarm-unit/index.js';
import { ALINK, type Answer, type DeviceHandle, type DeviceInfo } from '../../edge/host/sdk/driver.js';
import { openDatabase } from '../../edge/store/db.js';
import { SecurityAlarms } from '../../edge/security/alarms.js';
import { PONG } from '../../protocols/alarm-unit/index.js';
import { SimulatedAlarmUnit } from '../../scripts/sim/alarm-unit/unit.js';
import { observeFor, waitFor } from '../helpers/wait.js';

const log = pino({ level: 'silent' });
const UNIT_IP = '127.0.0.1';
const CALL_TIMEOUT_MS = 1000;

interface Recorded extends DeviceHandle {
  isOnline: boolean;
}
function handle(info: DeviceInfo): Recorded {
  const h: Recorded = {
    ...info,
    log,
    isOnline: false,
    online: () => void (h.isOnline = true),
    offline: () => void (h.isOnline = false),
    reportProperties: () => undefined,
    reportEvent: () => undefined,
  };
  return h;
}

const db = openDatabase(':memory:');
const alarms = new SecurityAlarms(db);
/** Fail the record call after this many more succeed (-1: never). */
let failAfter = -1;
const host = {
  async call<T>(method: string, args: Record<string, unknown> = {}): Promise<Answer<T>> {
    if (method !== 'security.recordAlarm') return { code: ALINK.HOST_SERVICE_UNKNOWN, message: method };
    if (failAfter-- === 0) return { code: ALINK.STORE_UNAVAILABLE, message: 'store down' };
    const alarmId = alarms.record(args as unknown as Parameters<SecurityAlarms['record']>[0]);
    return { code: 200, message: 'success', data: { alarmId } as T };
  },
};

const UNIT = handle({ productKey: 'PEAlarmUnit', deviceName: 'U-101', custom: { ip: UNIT_IP } });
const SOS = handle({ productKey: 'PEAlarmZoneSos', deviceName: 'U-101-01', custom: { ip: UNIT_IP, zoneID: '01' } });
const DOOR = handle({ productKey: 'PEAlarmZoneMagnetic', deviceName: 'U-101-02', custom: { ip: UNIT_IP, zoneID: '02' } });

let driver: AlarmUnitDriver;
let dataDir: string;
const units: SimulatedAlarmUnit[] = [];

async function connectedUnit(o: Partial<ConstructorParameters<typeof SimulatedAlarmUnit>[0]> = {}): Promise<SimulatedAlarmUnit> {
  const u = new SimulatedAlarmUnit({ sn: '123456789', ip: UNIT_IP, port: 0, edgeUrl: `http://127.0.0.1:${driver.server.port}`, ...o });
  await u.start();
  units.push(u);
  expect((await u.connect()).body.code).toBe(0);
  await waitFor(() => DOOR.isOnline, { what: 'the unit online after the ping' });
  return u;
}

const stored = (deviceKey: string) => alarms.list({ deviceKey, limit: 1000 });

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pe-alarm-unit-'));
  driver = createAlarmUnitDriver({ config: { host: '127.0.0.1', port: 0, callTimeoutMs: CALL_TIMEOUT_MS }, log, dataDir, host });
  await driver.start!();
  for (const h of [UNIT, SOS, DOOR]) await driver.addDevice(h);
});

beforeEach(() => {
  failAfter = -1;
});

afterAll(async () => {
  await Promise.all(units.map((u) => u.stop()));
  await driver.stop!(false);
  db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('reportAlarm stored in part', () => {
  it('stores each element once when the unit sends the report again after a 99', async () => {
    const u = await connectedUnit();
    const t = Date.now() - 5000;
    const report = [{ zoneID: '01', alarmTime: String(t) }, { zoneID: '02' }, { zoneID: '02', alarmTime: String(t + 1) }];
    failAfter = 2; // the first two elements are stored, the third is not
    expect((await u.reportAlarm(report)).body.code).toBe(99);
    expect(stored('PEAlarmZoneSos/U-101-01')).toHaveLength(1);
    expect(stored('PEAlarmZoneMagnetic/U-101-02')).toHaveLength(1);
    expect((await u.reportAlarm(report)).body.code).toBe(0); // the unit sends it again
    expect(stored('PEAlarmZoneSos/U-101-01').map((a) => a.time)).toEqual([t]);
    const door = stored('PEAlarmZoneMagnetic/U-101-02');
    expect(door).toHaveLength(2);
    expect(door.map((a) => a.time)).toContain(t + 1);
  });

  it('does not store an element with its alarmTime twice, and stores a new alarm without one', async () => {
    const u = await connectedUnit();
    const t = String(Date.now() - 60_000);
    const before = stored('PEAlarmZoneSos/U-101-01').length;
    // The box stored it but its answer was lost: the unit sends the same report again.
    expect((await u.reportAlarm([{ zoneID: '01', alarmTime: t }])).body.code).toBe(0);
    expect((await u.reportAlarm([{ zoneID: '01', alarmTime: t }])).body.code).toBe(0);
    expect(stored('PEAlarmZoneSos/U-101-01')).toHaveLength(before + 1);
    // Without a time, a second report after a stored one is a new alarm at its own receipt time.
    expect((await u.reportAlarm([{ zoneID: '01' }])).body.code).toBe(0);
    expect((await u.reportAlarm([{ zoneID: '01' }])).body.code).toBe(0);
    expect(stored('PEAlarmZoneSos/U-101-01')).toHaveLength(before + 3);
  });
});

/** A unit's own server that holds each setZoneAlertState until the test answers it (plain mode). */
class HeldUnit {
  readonly held: Array<{ zones: Array<{ zoneID: string; zoneState: number; time: string }>; res: ServerResponse }> = [];
  received = 0;
  pings = 0;
  readonly #server = createServer((req, res) => {
    if (req.method === 'GET') {
      this.pings++;
      return void res.writeHead(200, { Connection: 'close' }).end(JSON.stringify(PONG));
    }
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      this.received++;
      this.held.push({ zones: (JSON.parse(body) as { zoneInfo: HeldUnit['held'][number]['zones'] }).zoneInfo, res });
    });
  });

  async start(): Promise<number> {
    await new Promise<void>((r) => this.#server.listen(0, UNIT_IP, r));
    return (this.#server.address() as AddressInfo).port;
  }

  answer(i: number): void {
    this.held[i]!.res.writeHead(200, { Connection: 'close' }).end(JSON.stringify({ code: 0, message: 'success' }));
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((r) => this.#server.close(r));
  }
}

/** The unit at UNIT_IP connected (plain) with `port` as its own port, pinged by the box. */
async function connectWithPort(unit: HeldUnit, port: number): Promise<void> {
  const u = new SimulatedAlarmUnit({ sn: '123456789', ip: UNIT_IP, port: -1, edgeUrl: `http://127.0.0.1:${driver.server.port}` });
  expect((await u.post('/alarm/connect', { ...u.connectBody(), port })).body.code).toBe(0);
  await waitFor(() => unit.pings > 0, { what: "the box's ping of the held unit" });
}

const write = (h: DeviceHandle, AlertState: number) => driver.setProperties(h, { AlertState });

describe('setZoneAlertState', () => {
  it('sends the calls to one unit one at a time, with strictly increasing times', async () => {
    const unit = new HeldUnit();
    await connectWithPort(unit, await unit.start());
    try {
      const calls = [write(DOOR, 2), write(DOOR, 1), write(DOOR, 2)];
      for (let i = 0; i < 3; i++) {
        await waitFor(() => unit.received === i + 1, { what: `call ${i + 1} at the unit` });
        await observeFor(100); // the next call is not sent while this one is unanswered
        expect(unit.received).toBe(i + 1);
        unit.answer(i);
      }
      expect((await Promise.all(calls)).map((r) => r.code)).toEqual([200, 200, 200]);
      const sent = unit.held.map((h) => h.zones[0]!);
      expect(sent.map((z) => z.zoneState)).toEqual([2, 1, 2]);
      const times = sent.map((z) => Number(z.time));
      expect(times[1]! > times[0]! && times[2]! > times[1]!).toBe(true);
    } finally {
      await unit.stop();
    }
  });

  it('answers "offline" at once for a unit that is not connected', async () => {
    const other = handle({ productKey: 'PEAlarmZoneMagnetic', deviceName: 'U-102-02', custom: { ip: '127.0.0.2', zoneID: '02' } });
    await driver.addDevice(handle({ productKey: 'PEAlarmUnit', deviceName: 'U-102', custom: { ip: '127.0.0.2' } }));
    await driver.addDevice(other);
    const r = await write(other, 2);
    expect(r).toMatchObject({ code: ALINK.DEVICE_OFFLINE, message: expect.stringMatching(/offline/) });
  });

  it('answers every waiting call within the time limit when the unit does not answer, sending it only one', async () => {
    const unit = new HeldUnit();
    await connectWithPort(unit, await unit.start());
    try {
      const t0 = performance.now();
      const answers = await Promise.all([write(DOOR, 2), write(DOOR, 1), write(DOOR, 2)]);
      const took = performance.now() - t0;
      expect(answers.map((r) => r.code)).toEqual([ALINK.DEVICE_OFFLINE, ALINK.DEVICE_OFFLINE, ALINK.DEVICE_OFFLINE]);
      expect(answers[0]!.message).toMatch(/did not answer/);
      expect(answers[1]!.message).toMatch(/unreachable, not sent/);
      expect(unit.received).toBe(1);
      expect(took).toBeLessThan(2 * CALL_TIMEOUT_MS); // not one time limit per waiting call
    } finally {
      await unit.stop();
    }
  });
});
