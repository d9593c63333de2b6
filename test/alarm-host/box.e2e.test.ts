/**
 * Perimeter alarm hosts on a real box (issue 18, second family): the runtime started from
 * config/examples/alarm-hosts.yaml (ports made free, a cloud section to a stand-in cloud added),
 * the alarm-host driver in its child process, and simulated DC-09 panels over TCP (plain) and UDP
 * (encrypted). An alarm and its restore are stored on the box and reach the cloud as
 * `channelAlarm` / `alarmRemove` through the durable outbox, also across a cloud outage; arming
 * is a channel state; commands to the host are refused as not carried by DC-09; hostile input
 * on the real listener gets DC-09's answers and the box goes on.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ALINK } from '../../edge/host/sdk/driver.js';
import { buildFrame, parseKey } from '../../protocols/sia-dc09/index.js';
import { cloudYaml, startRig, type CloudRig } from '../cloud/helpers.js';
import { freePort, startBox, waitFor, type TestBox } from '../helpers/runtime.js';
import { panels } from './panels.js';

const EXAMPLE = resolve(import.meta.dirname, '..', '..', 'config', 'examples', 'alarm-hosts.yaml');
const JHL = { productKey: 'PEAlarmHost', deviceName: 'ZJJJZJ-000001', deviceSecret: 'alarm-host-secret-01' };
const HORN = { productKey: 'PEAlarmHost', deviceName: 'ZJJJZJ-000002', deviceSecret: 'alarm-host-secret-02' };
const GATO = { productKey: 'PEAlarmHost', deviceName: 'SPJKXTGLDN-000007', deviceSecret: 'alarm-host-secret-03' };
const HORN_KEY = parseKey('000102030405060708090A0B0C0D0E0F');

let rig: CloudRig;
let box: TestBox;
let tcpPort = 0;
let udpPort = 0;
const { panel, closeAll } = panels(() => ({ tcp: tcpPort, udp: udpPort }), '1');
type Params = { value: { channelID: string; alarmType: number }; time: number };
const eventsOf = (d: { productKey: string; deviceName: string }, id: string) =>
  rig.cloud.postsOf(d.productKey, d.deviceName).filter((p) => p.kind === `event:${id}`);
const status = (d: { productKey: string; deviceName: string }) => box.runtime.registry.get(d.productKey, d.deviceName)?.status;

beforeAll(async () => {
  rig = await startRig([JHL, HORN, GATO]);
  const cfg = parse(readFileSync(EXAMPLE, 'utf8')) as { drivers: Array<{ config: Record<string, unknown> }> };
  [tcpPort, udpPort] = await Promise.all([freePort(), freePort()]);
  Object.assign(cfg.drivers[0]!.config, { localPort: tcpPort, udpPort });
  box = await startBox(`${stringify({ drivers: cfg.drivers })}${cloudYaml(rig.broker.url, { subDevices: [JHL, HORN, GATO] })}`);
}, 60_000);

afterEach(async () => {
  await closeAll();
});

afterAll(async () => {
  await box?.close();
  await rig?.close();
});

describe('config/examples/alarm-hosts.yaml on a real box', () => {
  it('brings a host online with its link test, and sends its alarm and restore to the cloud through the outbox', async () => {
    const p = panel({ timestamps: true });
    // The driver's receiver opens once its child process runs.
    await waitFor(() => p.linkTest().then((a) => a.kind === 'ACK'), 20_000, 200);
    await waitFor(() => status(JHL) === 'online', 10_000);
    expect(status(GATO)).toBe('offline'); // silent so far

    expect(await p.cid(1, '130', '01', '002')).toMatchObject({ kind: 'ACK' });
    expect(await p.cid(3, '130', '01', '002')).toMatchObject({ kind: 'ACK' });
    const [alarm] = await rig.cloud.waitFor(() => eventsOf(JHL, 'channelAlarm').length > 0 && eventsOf(JHL, 'channelAlarm'));
    expect((alarm!.body.params as Params).value).toEqual({ channelID: 'Module002Zone001', alarmType: 1 });
    const [restore] = await rig.cloud.waitFor(() => eventsOf(JHL, 'alarmRemove').length > 0 && eventsOf(JHL, 'alarmRemove'));
    expect((restore!.body.params as Params).value).toEqual({ channelID: 'Module002Zone001', alarmType: 1 });
    // Stored on the box before the ACK, in the outbox table, and marked uploaded by the cloud's ack.
    const stored = box.runtime.security!.list({ deviceKey: `${JHL.productKey}/${JHL.deviceName}` });
    expect(stored.map((a) => a.eventId).sort()).toEqual(['alarmRemove', 'channelAlarm']);
    await waitFor(() => box.runtime.security!.list().every((a) => a.uploaded === 2), 10_000);
  });

  it('takes an encrypted UDP report of the Horn-shaped host and refuses it from another address', async () => {
    const p = panel({ account: '2002', key: HORN_KEY, transport: 'udp' });
    expect(await p.sia('Nri1/TA003')).toMatchObject({ kind: 'ACK', encrypted: true });
    const [tamper] = await rig.cloud.waitFor(() => eventsOf(HORN, 'channelAlarm').length > 0 && eventsOf(HORN, 'channelAlarm'));
    expect((tamper!.body.params as Params).value).toEqual({ channelID: '003', alarmType: 5 });
    expect(status(HORN)).toBe('online');
    const elsewhere = panel({ account: '2002', key: HORN_KEY, transport: 'udp', localAddress: '127.0.0.2' });
    expect(await elsewhere.sia('Nri1/TA003')).toMatchObject({ kind: 'DUH' }); // JHL has no address, so 127.0.0.2 is served, but not this account
    expect(eventsOf(HORN, 'channelAlarm')).toHaveLength(1);
  });

  it('stores an alarm during a cloud outage: in the outbox table, sent as history when the link is back', async () => {
    await rig.broker.stop();
    await waitFor(() => box.runtime.cloud?.status().state !== 'online', 20_000);
    const p = panel({ account: '3003' });
    expect(await p.cid(1, '131', '01', '001')).toMatchObject({ kind: 'ACK' }); // perimeter, east fence
    const row = box.runtime.security!.list({ deviceKey: `${GATO.productKey}/${GATO.deviceName}` })[0]!;
    expect(row).toMatchObject({ eventId: 'channelAlarm', params: { channelID: 'east-fence', alarmType: 1 }, uploaded: 1 });
    const db = new Database(join(box.dir, 'edge.db'), { readonly: true, fileMustExist: true });
    try {
      const queued = db.prepare('SELECT COUNT(*) AS n FROM cloud_outbox WHERE ref = ?').get(`secalarm:${row.alarmId}`) as { n: number };
      expect(queued.n).toBe(1);
    } finally {
      db.close();
    }
    await rig.broker.start();
    const post = await rig.cloud.waitFor(
      () => rig.cloud.postsOf(GATO.productKey, GATO.deviceName).find((x) => x.kind === 'history'),
      30_000,
    );
    expect(JSON.stringify(post.body)).toContain('east-fence');
    await waitFor(() => box.runtime.security!.list().find((a) => a.alarmId === row.alarmId)?.uploaded === 2, 20_000);
  }, 60_000);

  it('keeps arm states from closings and openings, and refuses commands DC-09 cannot carry', async () => {
    const p = panel({ account: '3003' });
    expect(await p.cid(3, '401', '02', '005')).toMatchObject({ kind: 'ACK' }); // partition 2 armed
    const call = (id: string, args: Record<string, unknown>) => box.runtime.host.callService(GATO.productKey, GATO.deviceName, id, args);
    expect((await call('channelStatusQuery', { channelID: 'west-fence' })).data).toEqual({ status: 1 });
    expect((await call('channelStatusQuery', { channelID: 'east-fence' })).data).toEqual({ status: 0 });
    expect((await call('channelListQuery', {})).data).toEqual({ channelList: ['east-fence', 'west-fence'] });
    const arm = await call('channelOperation', { channelID: 'west-fence', operation: 2 });
    expect(arm.code).toBe(ALINK.ALARM_HOST_UNSUPPORTED);
    expect(arm.message).toMatch(/not supported by this host's protocol/);
    expect((await call('clearAlarm', { channelID: 'east-fence' })).code).toBe(ALINK.ALARM_HOST_UNSUPPORTED);
  });

  it("answers hostile input with DC-09's answers and goes on", async () => {
    const p = panel({});
    expect(await p.sendRaw(buildFrame('"SIA-DCS"0001L0#BEEF[#BEEF|Nri1/BA001]'))).toMatchObject({ kind: 'DUH' }); // unknown account
    await p.write('\n0000001A"SIA-DCS"0001L0#1[]\r'); // bad CRC: no answer
    for (let i = 0; i < 80; i++) await p.write(`${i === 0 ? '\n' : ''}${'Z'.repeat(64 * 1024)}`); // a 5 MB line: no answer
    await p.write('\r');
    expect(await p.linkTest()).toMatchObject({ kind: 'ACK', resent: false }); // the first answer is this one's
    const skewed = panel({ timestamps: true, clockOffsetMs: -3_600_000 });
    expect(await skewed.linkTest()).toMatchObject({ kind: 'ACK', resent: true }); // NAK with the box's time, then taken
    expect(box.runtime.host.status().find((d) => d.name === 'Perimeter_Alarm_Hosts_SecSystem')?.state).toBe('running');
  });
});
