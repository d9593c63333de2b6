/**
 * The shipped example (config/examples/security-adapters.yaml) on a real box with its cloud link
 * to a stand-in cloud: the driver in its child process, the simulated vendor adapter
 * authenticating, fetching its cameras and reporting a two-target alarm and a capture, each
 * stored on the box and reaching the cloud through the durable outbox as securityAlarmEvent /
 * securityCapture; an alarm during a cloud outage waits in the outbox and goes up as history.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { SAMPLE_JPEG, SimulatedAdapter } from '../../scripts/sim/security-adapter/adapter.js';
import { cloudYaml, startRig as startCloud, type CloudRig } from '../cloud/helpers.js';
import { freePort, startBox, waitFor, type TestBox } from '../helpers/runtime.js';
import { headersOnly } from './harness.js';

const EXAMPLE = resolve(import.meta.dirname, '..', '..', 'config', 'examples', 'security-adapters.yaml');
const ADAPTER = { productKey: 'PESecurityAdapter', deviceName: 'DEMO-DH-ADAPTER', deviceSecret: 'sec-adapter-secret-01' };
const IPC = { productKey: 'PESecurityCamera', deviceName: 'DEMO-IPC-01', deviceSecret: 'sec-ipc-secret-01' };
const NVR = { productKey: 'PESecurityCamera', deviceName: 'DEMO-NVR-CH0', deviceSecret: 'sec-nvr-secret-01' };

let rig: CloudRig;
let box: TestBox;
let sim: SimulatedAdapter;

const target = (faceId: string) => ({
  objPicBase64: SAMPLE_JPEG,
  objPicType: 'JPG',
  objectExtInfo: { similarity: 0.8, groupId: '12', faceId },
});
const face = (over: Record<string, unknown>) => ({
  ip: '192.168.1.3',
  channel: 0,
  deviceType: 2,
  eventType: 1,
  eventStatus: 0,
  scenePicBase64: SAMPLE_JPEG,
  scenePicType: 'JPG',
  ...over,
});

beforeAll(async () => {
  rig = await startCloud([ADAPTER, IPC, NVR]);
  const cfg = parse(readFileSync(EXAMPLE, 'utf8')) as { drivers: Array<{ config: { port: number; statusPollS?: number } }> };
  const port = await freePort();
  cfg.drivers[0]!.config.port = port;
  // The poll right after authentication may come before the adapter fetched its cameras: the next one (5 s) sees them.
  cfg.drivers[0]!.config.statusPollS = 5;
  // A rate a flood passes on any machine (the default, 200/s, needs a fast one to outrun).
  (cfg.drivers[0]!.config as Record<string, unknown>).limits = { perSourceRequestsPerS: 50, perSourceBurst: 100 };
  box = await startBox(`${stringify({ drivers: cfg.drivers })}${cloudYaml(rig.broker.url, { subDevices: [ADAPTER, IPC, NVR] })}`);
  sim = new SimulatedAdapter({ ip: '127.0.0.1', port: 0, edgeUrl: `http://127.0.0.1:${port}`, manufacture: 'DH' });
  await sim.start();
}, 60_000);

afterAll(async () => {
  await sim?.stop();
  await box?.close();
  await rig?.close();
});

describe('config/examples/security-adapters.yaml on a real box', () => {
  it('authenticates the adapter and hands it the vendor cameras', async () => {
    // The driver's server opens once its child process runs.
    const auth = await waitFor(() => sim.authenticate().catch(() => undefined), 20_000, 100);
    expect(auth.body.code).toBe(200);
    expect((await sim.getConfig()).body.data).toEqual([
      { manufacture: 'DH', deviceType: 2, ip: '192.168.1.3', port: 80, username: 'admin', password: 'change-me' },
      {
        manufacture: 'DH',
        deviceType: 3,
        ip: '192.168.1.2',
        port: 37777,
        username: 'admin',
        password: 'change-me',
        channel: 0,
        childIp: '192.168.1.20',
        childPort: 80,
        childUsername: 'admin',
        childPassword: 'change-me',
      },
    ]);
    await waitFor(() => box.runtime.registry.get(IPC.productKey, IPC.deviceName)?.status === 'online' || undefined, 12_000);
    expect(box.runtime.registry.get(ADAPTER.productKey, ADAPTER.deviceName)?.status).toBe('online');
  });

  it('stores a two-target alarm once and sends it to the cloud as securityAlarmEvent', async () => {
    const base = { eventId: 'e2e-1', eventTime: 1700000000 };
    const answers = await Promise.all([
      sim.reportAlarm(face({ ...base, objectInfo: target('1') })),
      sim.reportAlarm(face({ ...base, objectInfo: target('2') })),
    ]);
    expect(answers.map((a) => a.body)).toEqual([
      { code: 200, message: 'success' },
      { code: 200, message: 'success' },
    ]);
    const stored = box.runtime.security!.list({ deviceKey: `${IPC.productKey}/${IPC.deviceName}` });
    expect(stored).toHaveLength(1);
    expect(stored[0]!.eventId).toBe('securityAlarmEvent');
    expect(JSON.parse(String(stored[0]!.params.objectInfo))).toHaveLength(2);
    const events = () => rig.cloud.postsOf(IPC.productKey, IPC.deviceName).filter((p) => p.kind === 'event:securityAlarmEvent');
    const [post] = await rig.cloud.waitFor(() => events().length > 0 && events());
    const value = (post!.body.params as { value: Record<string, unknown>; time: number }).value;
    expect(value).toMatchObject({
      productKey: IPC.productKey,
      deviceName: IPC.deviceName,
      eventType: '1',
      eventId: 'e2e-1',
      eventTime: '2023-11-15 06:13:20',
    });
    expect((post!.body.params as { time: number }).time).toBe(1700000000_000);
    await waitFor(() => box.runtime.security!.list().every((a) => a.uploaded === 2) || undefined, 10_000);
  });

  it('stores an alarm and a capture during a cloud outage and sends them as history when the link is back', async () => {
    await rig.broker.stop();
    await waitFor(() => box.runtime.cloud?.status().state !== 'online' || undefined, 20_000);
    expect((await sim.reportAlarm(face({ eventId: 'offline-1', eventTime: 1700000100, objectInfo: target('3') }))).body.code).toBe(200);
    expect(
      (
        await sim.reportCapture({
          ip: '192.168.1.2',
          channel: 0,
          deviceType: 3,
          taskId: 'T1',
          captureTime: 1700000200,
          picBase64: SAMPLE_JPEG,
          picType: 'JPG',
        })
      ).body.code,
    ).toBe(200);
    const held = box.runtime.security!.list().filter((a) => a.time >= 1700000100_000);
    expect(held.map((a) => [a.eventId, a.uploaded]).sort()).toEqual([
      ['securityAlarmEvent', 1],
      ['securityCapture', 1],
    ]); // stored and in the outbox, not yet acknowledged
    await rig.broker.start();
    const history = (d: { productKey: string; deviceName: string }) =>
      rig.cloud.postsOf(d.productKey, d.deviceName).filter((p) => p.kind === 'history');
    const alarm = await rig.cloud.waitFor(() => history(IPC).find((p) => JSON.stringify(p.body).includes('offline-1')), 30_000);
    expect(JSON.stringify(alarm.body)).toContain('1700000100000');
    const capture = await rig.cloud.waitFor(() => history(NVR).find((p) => JSON.stringify(p.body).includes('securityCapture')), 30_000);
    expect(JSON.stringify(capture.body)).toContain('"captureTime":1700000200');
    await waitFor(() => box.runtime.security!.list().every((a) => a.uploaded === 2) || undefined, 20_000);
  }, 60_000);

  it("relays the cloud's services through the host's thing-model check, and re-sends a kept rule after a re-authentication", async () => {
    const call = (service: string, args: Record<string, unknown>) =>
      box.runtime.host.callService(ADAPTER.productKey, ADAPTER.deviceName, service, args, 10_000);
    const rule = [{ weekDay: 'SUNDAY', timeSlot: [{ time: '00:00-2:00', interval: 600 }] }];
    expect(
      await call('setAlarmRule', { productKey: IPC.productKey, deviceName: IPC.deviceName, eventType: 2, alarmRule: JSON.stringify(rule) }),
    ).toMatchObject({
      code: 200,
    });
    expect((await call('getAlarmRule', { productKey: IPC.productKey, deviceName: IPC.deviceName, eventType: 2 })).data).toEqual(rule);
    const task = {
      taskId: 'T9',
      deviceList: [{ productKey: NVR.productKey, deviceName: NVR.deviceName }],
      startDate: '2022-01-01',
      endDate: '2022-04-01',
      cron: ['0 0 10 * * ?'],
      status: 1,
    };
    expect(await call('setPicCaptureTask', task)).toMatchObject({ code: 200 });
    expect(sim.state.tasks.get('T9')).toMatchObject({
      deviceList: [{ ip: '192.168.1.2', deviceType: 3, channel: 0 }],
      cron: ['0 0 10 * * ?'],
    });
    expect((await call('faceGroupCreate', { productKey: IPC.productKey, deviceName: IPC.deviceName, groupName: 'g' })).data).toEqual({
      groupId: '1',
    });
    // A parameter the thing model does not define never reaches the driver.
    expect((await call('faceGroupCreate', { productKey: IPC.productKey, deviceName: IPC.deviceName, colour: 'red' })).code).not.toBe(200);
    const sent = sim.state.received.filter((r) => r.name === 'alarmDeploy/setRule').length;
    expect((await sim.authenticate()).body.code).toBe(200);
    await waitFor(() => sim.state.received.filter((r) => r.name === 'alarmDeploy/setRule').length > sent || undefined, 10_000);
  });

  it("answers hostile input with the protocol's codes and goes on serving", async () => {
    expect((await sim.post('reportAlarmEvent', '{"token":')).body.code).toBe(806);
    expect((await sim.post('reportAlarmEvent', { token: 'forged' })).body.code).toBe(802);
    // A 5 MB body is refused from its declared length, before it is read.
    const big = await headersOnly(Number(new URL(sim.o.edgeUrl).port), '/edgeSecurityEvent/reportAlarmEvent', 5 * 1024 * 1024);
    expect(big).toMatch(/^HTTP\/1\.1 413 [\s\S]*"code":805/);
    const answers: Awaited<ReturnType<typeof sim.getConfig>>[] = [];
    for (let i = 0; i < 50 && !answers.some((a) => a.status === 429); i++)
      answers.push(...(await Promise.all(Array.from({ length: 30 }, () => sim.getConfig()))));
    expect(answers.find((a) => a.status === 429)?.body).toEqual({ code: 810, message: 'abnormal communication' });
    expect(await waitFor(async () => ((await sim.getConfig()).body.code === 200 ? true : undefined), 10_000, 200)).toBe(true);
    expect(box.runtime.registry.get(ADAPTER.productKey, ADAPTER.deviceName)?.status).toBe('online');
  }, 60_000);
});
