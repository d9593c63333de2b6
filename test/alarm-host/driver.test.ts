/**
 * The perimeter alarm host driver (drivers/alarm-host) in-process, with a recording host and
 * real sockets to the simulated panel: the three seed config shapes, zone = channel, the code
 * mapping onto `alarmType`, restores, arm/disarm reports as channel states (1 armed, 2 disarmed:
 * the reverse of the indoor AlertState), the services answered from state or refused as not
 * carried by the protocol, supervision, and no ACK when an alarm cannot be stored.
 */
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAlarmHostDriver, type AlarmHostDriver } from '../../drivers/alarm-host/index.js';
import settings from '../../drivers/alarm-host/settings.js';
import { ALINK, type DeviceHandle, type DeviceInfo } from '../../edge/host/sdk/driver.js';
import { settingsProblems } from '../../edge/host/sdk/settings.js';
import { parseKey } from '../../protocols/sia-dc09/index.js';
import { waitFor } from '../helpers/wait.js';
import { panels } from './panels.js';

const log = pino({ level: 'silent' });
const KEY_HEX = '000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F';

interface Recorded extends DeviceHandle {
  props: Record<string, unknown>;
  isOnline: boolean;
}
function handle(info: DeviceInfo): Recorded {
  const h: Recorded = {
    ...info,
    log,
    props: {},
    isOnline: false,
    online: () => void (h.isOnline = true),
    offline: () => void (h.isOnline = false),
    reportProperties: (v) => void Object.assign(h.props, v),
    reportEvent: () => undefined,
  };
  return h;
}

const recorded: Array<{ deviceKey: string; eventId: string; params: Record<string, unknown>; time: number; dedupKey?: string }> = [];
let storeDown = false;
/** Fail the record call after this many more succeed (-1: never). */
let failAfter = -1;
const host = {
  async call<T>(method: string, args: Record<string, unknown> = {}) {
    if (method !== 'security.recordAlarm')
      return { code: ALINK.HOST_SERVICE_UNKNOWN, message: method } as { code: number; message: string; data?: T };
    if (storeDown || failAfter-- === 0) return { code: ALINK.STORE_UNAVAILABLE, message: 'store down' };
    recorded.push(args as (typeof recorded)[number]);
    return { code: 200, message: 'success', data: { alarmId: String(recorded.length) } as T };
  },
};

// The three seed shapes (seed 001 L15867-16071), each with the DC-09 account it reports under.
const JHL = handle({
  productKey: 'PEAlarmHost',
  deviceName: 'ZJJJZJ-000001',
  custom: { deviceId: '1001', passwd: '123456', channelList: ['Module001Zone001', 'Module002Zone001', 'Module003Zone001'] },
});
const HORN = handle({
  productKey: 'PEAlarmHost',
  deviceName: 'ZJJJZJ-000002',
  custom: { ip: '127.0.0.1', port: 6000, account: '2002', key: KEY_HEX },
});
const GATO = handle({
  productKey: 'PEAlarmHost',
  deviceName: 'SPJKXTGLDN-000007',
  custom: {
    alarmHostDevIp: '127.0.0.5',
    alarmHostDevPort: 10099,
    alarmHostDevPasswd: '123456',
    account: '3003',
    channelList: [
      { channelID: 'east-fence', zone: 7, partition: 1 },
      { channelID: 'west-fence', zone: 8, partition: 2 },
    ],
  },
});

let driver: AlarmHostDriver;
let port = 0;
let udpPort = 0;
const { panel, closeAll } = panels(() => ({ tcp: port, udp: udpPort }), '1001');
const service = (h: DeviceHandle, id: string, args: Record<string, unknown> = {}) => driver.callService(h, id, args);

beforeAll(async () => {
  driver = createAlarmHostDriver({
    config: { protocolName: 'JhlAlarmHostDriver', localIp: '127.0.0.1', localPort: 0, udpPort: 0, supervisionS: 1, offlineMisses: 1 },
    log,
    host,
  });
  await driver.start!();
  for (const h of [JHL, HORN, GATO]) await driver.addDevice(h);
  port = driver.receiver.address().tcp!.port;
  udpPort = driver.receiver.address().udp!.port;
});

afterEach(async () => {
  await closeAll();
  recorded.length = 0;
});

afterAll(async () => {
  await driver.stop!(false);
});

describe('settings', () => {
  it('accepts the three seed config shapes, and names what is missing', () => {
    for (const h of [JHL, HORN, GATO]) expect(settingsProblems(settings.device, h.custom), h.deviceName).toEqual([]);
    expect(settingsProblems(settings.config, { localIp: '0.0.0.0', localPort: 50000 })).toEqual([]);
    const check = (custom: Record<string, unknown>) =>
      settings.check!({
        config: {} as never,
        devices: [{ productKey: 'PEAlarmHost', deviceName: 'x', custom: custom as never }],
        dataDir: '/tmp',
      });
    // The seed's own JHL example, device "1", is a DC-09 account (1-16 hex digits); a name is not.
    expect(check({ deviceId: '1', passwd: '123456' })).toEqual([]);
    expect(check({ deviceId: 'JHL-1', passwd: '123456' })).toMatchObject([
      { path: '/devices/0/custom/account', message: expect.stringMatching(/deviceId "JHL-1"/) },
    ]);
    expect(check({ ip: '10.249.23.254', port: 6000 })).toMatchObject([{ message: 'no DC-09 account' }]);
    expect(check({ account: '1234', channelList: ['a', 'a'] })).toMatchObject([{ message: 'channel a is listed twice' }]);
    expect(settingsProblems(settings.device, { account: '1234', key: 'abc' })).toHaveLength(1);
    expect(
      settingsProblems(settings.device, { account: '1234', channelList: Array.from({ length: 513 }, (_, i) => `c${i}`) }),
    ).toHaveLength(1);
  });
});

describe('reports', () => {
  it('maps Contact ID alarms and restores of a zone onto its channel, with the alarm type of the code', async () => {
    const p = panel({ timestamps: true });
    expect(await p.cid(1, '130', '01', '002')).toMatchObject({ kind: 'ACK' }); // burglary, zone 2
    expect(await p.cid(1, '137', '01', '003')).toMatchObject({ kind: 'ACK' }); // tamper
    expect(await p.cid(1, '372', '01', '001')).toMatchObject({ kind: 'ACK' }); // loop short
    expect(await p.cid(1, '371', '01', '001')).toMatchObject({ kind: 'ACK' }); // loop open
    expect(await p.cid(1, '380', '01', '001')).toMatchObject({ kind: 'ACK' }); // sensor trouble: fault
    expect(await p.cid(1, '120', '01', '009')).toMatchObject({ kind: 'ACK' }); // panic, zone outside the list
    expect(await p.cid(3, '130', '01', '002')).toMatchObject({ kind: 'ACK' }); // restore
    expect(await p.cid(6, '130', '01', '002')).toMatchObject({ kind: 'ACK' }); // previously reported: nothing new
    expect(recorded.map((r) => [r.eventId, r.params.channelID, r.params.alarmType])).toEqual([
      ['channelAlarm', 'Module002Zone001', 1],
      ['channelAlarm', 'Module003Zone001', 5],
      ['channelAlarm', 'Module001Zone001', 3],
      ['channelAlarm', 'Module001Zone001', 4],
      ['channelAlarm', 'Module001Zone001', 6],
      ['channelAlarm', '009', 0],
      ['alarmRemove', 'Module002Zone001', 1],
    ]);
    expect(recorded.every((r) => r.deviceKey === 'PEAlarmHost/ZJJJZJ-000001')).toBe(true);
    // The message's timestamp is the event time.
    expect(Math.abs(recorded[0]!.time - Date.now())).toBeLessThan(5000);
    expect(recorded[0]!.time % 1000).toBe(0);
  });

  it('maps encrypted SIA DCS events of a host at its configured address', async () => {
    const p = panel({ account: '2002', key: parseKey(KEY_HEX), transport: 'udp' });
    expect(await p.sia('Nri1/BA004/TA004')).toMatchObject({ kind: 'ACK', encrypted: true });
    expect(await p.sia('Nri1/BR004')).toMatchObject({ kind: 'ACK' });
    expect(recorded.map((r) => [r.deviceKey, r.eventId, r.params])).toEqual([
      ['PEAlarmHost/ZJJJZJ-000002', 'channelAlarm', { channelID: '004', alarmType: 1 }],
      ['PEAlarmHost/ZJJJZJ-000002', 'channelAlarm', { channelID: '004', alarmType: 5 }],
      ['PEAlarmHost/ZJJJZJ-000002', 'alarmRemove', { channelID: '004', alarmType: 1 }],
    ]);
    // Horn's host is configured at 127.0.0.1: its account from another address is not served.
    const elsewhere = panel({ account: '2002', key: parseKey(KEY_HEX), localAddress: '127.0.0.6' });
    expect(await elsewhere.linkTest()).toMatchObject({ kind: 'DUH' });
    expect(recorded).toHaveLength(3);
  });

  it('does not ACK an alarm the box could not store, and takes it when sent again', async () => {
    const p = panel({ timeoutMs: 500 });
    storeDown = true;
    const f = p.frame('ADM-CID', '0077', '#1001|1130 01 001');
    await expect(p.sendRaw(f)).rejects.toThrow(/no answer/);
    storeDown = false;
    expect(await p.sendRaw(f)).toMatchObject({ kind: 'ACK', seq: '0077' });
    expect(recorded).toHaveLength(1);
  });

  it('stores each event of a message once when only some could be stored the first time', async () => {
    const p = panel({ timeoutMs: 500 });
    failAfter = 1; // the first alarm is stored, the second is not: no ACK
    const f = p.frame('SIA-DCS', '0078', '#1001|Nri1/BA001/TA002/BA003');
    await expect(p.sendRaw(f)).rejects.toThrow(/no answer/);
    expect(recorded).toHaveLength(1);
    expect(await p.sendRaw(f)).toMatchObject({ kind: 'ACK', seq: '0078' }); // the panel repeats it
    expect(recorded.map((r) => r.params.channelID)).toEqual(['Module001Zone001', 'Module002Zone001', 'Module003Zone001']);
  });
  it('keys each event of a timestamped message for the store (sequence, time, position), so a resend after a driver restart is stored once', async () => {
    const p = panel({ timestamps: true });
    expect(await p.sendRaw(p.frame('SIA-DCS', '0079', '#1001|Nri1/BA001/BA002'))).toMatchObject({ kind: 'ACK', seq: '0079' });
    const keys = recorded.slice(-2).map((r) => r.dedupKey);
    expect(keys).toEqual([expect.stringMatching(/^DC09\|0079\|\d+\|0$/), expect.stringMatching(/^DC09\|0079\|\d+\|1$/)]);
    // Without a timestamp nothing ties a resend to the first message: no key (the receiver's own memory covers it).
    expect(await panel({ timeoutMs: 500 }).sendRaw(panel({}).frame('ADM-CID', '0080', '#1001|1130 01 002'))).toMatchObject({ kind: 'ACK' });
    expect(recorded.at(-1)!.dedupKey).toBeUndefined();
  });
});

describe('channel states and services', () => {
  it('turns closings into 1 armed and openings into 2 disarmed per partition (the reverse of the indoor AlertState)', async () => {
    const p = panel({ account: '3003', localAddress: '127.0.0.5' });
    expect(await service(GATO, 'channelStatusQuery', { channelID: 'east-fence' })).toEqual({
      code: 200,
      message: 'success',
      data: { status: 0 },
    });
    expect(await p.cid(3, '401', '01', '012')).toMatchObject({ kind: 'ACK' }); // closing of partition 1 by user 12: armed
    expect((await service(GATO, 'channelStatusQuery', { channelID: 'east-fence' })).data).toEqual({ status: 1 });
    expect((await service(GATO, 'channelStatusQuery', { channelID: 'west-fence' })).data).toEqual({ status: 0 });
    expect(await p.sia('Nri2/CL012')).toMatchObject({ kind: 'ACK' });
    expect((await service(GATO, 'channelStatusQuery', { channelID: 'west-fence' })).data).toEqual({ status: 1 });
    expect(await p.cid(1, '401', '02', '012')).toMatchObject({ kind: 'ACK' }); // opening: disarmed
    expect((await service(GATO, 'channelStatusQuery', { channelID: 'west-fence' })).data).toEqual({ status: 2 });
    expect(JSON.parse(String(GATO.props.ChannelStatus))).toEqual({ 'east-fence': 1, 'west-fence': 2 });
    expect(await driver.getProperties(GATO, ['ChannelStatus'])).toMatchObject({
      code: 200,
      data: { ChannelStatus: GATO.props.ChannelStatus },
    });
    expect(recorded).toHaveLength(0); // arming is a state, not an alarm
  });

  it('answers the channel list from config, and what needs the host as not supported by its protocol', async () => {
    expect((await service(JHL, 'channelListQuery')).data).toEqual({
      channelList: ['Module001Zone001', 'Module002Zone001', 'Module003Zone001'],
    });
    expect((await service(GATO, 'channelListQuery')).data).toEqual({ channelList: ['east-fence', 'west-fence'] });
    for (const [operation, word] of [
      [1, 'arm'],
      [2, 'disarm'],
    ] as const) {
      const a = await service(GATO, 'channelOperation', { channelID: 'east-fence', operation });
      expect(a.code).toBe(ALINK.ALARM_HOST_UNSUPPORTED);
      expect(a.message).toContain(`${operation} (${word})`);
      expect(a.message).toMatch(/not supported by this host's protocol/);
    }
    expect((await service(GATO, 'channelOperation', { channelID: 'east-fence', operation: 0 })).code).toBe(ALINK.REQUEST_INVALID);
    expect((await service(GATO, 'clearAlarm', { channelID: 'east-fence' })).code).toBe(ALINK.ALARM_HOST_UNSUPPORTED);
    expect((await service(GATO, 'nonsense')).code).toBe(ALINK.SERVICE_UNKNOWN);
    expect((await driver.setProperties(GATO, { ChannelStatus: '{}' })).code).toBe(ALINK.PROPERTY_READONLY);
  });

  it('lists the channels seen in reports for a host without a channel list', async () => {
    const p = panel({ account: '2002', key: parseKey(KEY_HEX) });
    expect(await p.sia('Nri1/BA011')).toMatchObject({ kind: 'ACK' });
    expect((await service(HORN, 'channelListQuery')).data).toEqual({ channelList: ['004', '011'] });
  });
});

describe('supervision', () => {
  it('brings a host online with its first message (a NULL link test) and offline after a missed supervision', async () => {
    const h = handle({ productKey: 'PEAlarmHost', deviceName: 'SUP-1', custom: { account: '5005', supervisionS: 1 } });
    await driver.addDevice(h);
    expect(h.isOnline).toBe(false);
    const p = panel({ account: '5005' });
    expect(await p.linkTest()).toMatchObject({ kind: 'ACK' });
    expect(h.isOnline).toBe(true);
    await waitFor(() => !h.isOnline, { timeoutMs: 5000, what: 'offline after the supervision interval' });
    expect(await p.linkTest()).toMatchObject({ kind: 'ACK' });
    expect(h.isOnline).toBe(true);
    await driver.removeDevice(h);
    expect(await p.linkTest()).toMatchObject({ kind: 'DUH' });
  });
});
