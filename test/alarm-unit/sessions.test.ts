/**
 * Tokens and the driver's settings check, without a network: a token expires after the unit's
 * own keepalive periods of silence (A3), works only from the address it was issued to, and the
 * installer's device list is checked for what the driver cannot work with.
 */
import { describe, expect, it } from 'vitest';
import settings from '../../drivers/alarm-unit/settings.js';
import { SessionTable, StrictClock } from '../../protocols/alarm-unit/index.js';

const unit = { ip: '192.168.1.128', sn: '123456789', vendor: 'DEV', port: 10000, protocol: '2021-01-01', keepaliveS: 30 };

describe('unit sessions', () => {
  it('expire after misses × keepalive of silence, and only there', () => {
    let now = 1_000_000;
    const t = new SessionTable(3, () => now);
    const s = t.issue(unit);
    now += 89_000;
    expect(t.use(s.token, unit.ip)).toBe(s); // a request renews it
    now += 90_000;
    expect(t.sweep()).toEqual([]);
    now += 1;
    expect(t.sweep().map((x) => x.ip)).toEqual([unit.ip]);
    expect(t.use(s.token, unit.ip)).toBeUndefined();
  });

  it('bind a token to its address, and a new connect replaces the old token', () => {
    const t = new SessionTable(3);
    const a = t.issue(unit);
    expect(t.use(a.token, '192.168.1.129')).toBeUndefined();
    const b = t.issue(unit);
    expect(t.use(a.token, unit.ip)).toBeUndefined();
    expect(t.use(b.token, unit.ip)).toBe(b);
    expect(t.size).toBe(1);
  });
});

describe("the box's request times", () => {
  it('increase strictly even within one millisecond and after a clock step back', () => {
    let now = 5000;
    const c = new StrictClock(() => now);
    expect([c.next(), c.next(), c.next()]).toEqual([5000, 5001, 5002]);
    now = 100;
    expect(c.next()).toBe(5003);
    c.atLeast(9000);
    expect(c.next()).toBe(9001);
  });
});

describe('alarm-unit settings check', () => {
  const check = (devices: Array<{ productKey: string; deviceName: string; custom: { ip: string; zoneID?: string; sn?: string } }>) =>
    settings.check!({ config: {} as never, devices, dataDir: '/tmp' }).map((p) => `${p.path} ${p.message}`);

  it('refuses zones without zoneID or unit, and duplicates', () => {
    expect(
      check([
        { productKey: 'PEAlarmUnit', deviceName: 'u1', custom: { ip: '10.0.0.1' } },
        { productKey: 'PEAlarmZoneSmoke', deviceName: 'z1', custom: { ip: '10.0.0.1', zoneID: '01' } },
      ]),
    ).toEqual([]);
    expect(
      check([
        { productKey: 'PEAlarmUnit', deviceName: 'u1', custom: { ip: '10.0.0.1', zoneID: '01' } },
        { productKey: 'PEAlarmUnit', deviceName: 'u2', custom: { ip: '10.0.0.1' } },
        { productKey: 'PEAlarmZoneSmoke', deviceName: 'z1', custom: { ip: '10.0.0.1' } },
        { productKey: 'PEAlarmZoneGas', deviceName: 'z2', custom: { ip: '10.0.0.1', zoneID: '02' } },
        { productKey: 'PEAlarmZoneGas', deviceName: 'z3', custom: { ip: '10.0.0.1', zoneID: '02' } },
        { productKey: 'PEAlarmZoneGas', deviceName: 'z4', custom: { ip: '10.0.0.2', zoneID: '01' } },
      ]),
    ).toEqual([
      '/devices/0/custom/zoneID a unit has no zoneID',
      '/devices/1/custom/ip a second unit at 10.0.0.1',
      '/devices/2/custom/zoneID a zone device needs its zoneID',
      '/devices/4/custom/zoneID zone 02 of 10.0.0.1 is configured twice',
      '/devices/5/custom/ip no PEAlarmUnit device at 10.0.0.2',
    ]);
  });
});
