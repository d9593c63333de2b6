/**
 * The box → adapter direction (`POST /edgeEventAdapter/<name>` with the adapter's token): the
 * cloud's services on the adapter device relayed with the camera translated to ip/deviceType/
 * channel and checked first (804), arming rules kept on the box and sent again after every
 * authentication, capture tasks, record search, scene picture upload, getStatus polling into
 * the cameras' online state, and configChange when the camera list changes.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RulesStore } from '../../drivers/security-adapter/rules-store.js';
import type { SimulatedAdapter } from '../../scripts/sim/security-adapter/adapter.js';
import { waitFor } from '../helpers/wait.js';
import { ADAPTER, startRig, type Rig } from './harness.js';

let rig: Rig;
let sim: SimulatedAdapter;
const CAM = { productKey: 'PESecurityCamera', deviceName: 'IPC-01' };
const NVR_CAM = { productKey: 'PESecurityCamera', deviceName: 'NVR-CH1' };
const RULE = [{ weekDay: 'SUNDAY', timeSlot: [{ time: '00:00-2:00', interval: 600 }], bindGroup: [{ groupId: '12' }] }];

const call = (service: string, args: Record<string, unknown>) =>
  rig.driver.callService(rig.handles.get(ADAPTER.deviceName)!, service, args);
const taken = (name: string) => sim.state.received.filter((r) => r.name === name);

beforeAll(async () => {
  rig = await startRig({ statusPollS: 5 });
  sim = await rig.adapter();
  sim.state.statuses = [
    { ip: '192.168.1.3', deviceType: 2, status: 1 },
    { ip: '192.168.1.2', channel: 1, deviceType: 3, status: 0, unnormalInfo: 'password error' },
  ];
});
afterAll(async () => {
  await rig?.close();
});

describe('arming rules', () => {
  it('keeps a rule set while the adapter is not authenticated and sends it when it authenticates', async () => {
    const a = await call('setAlarmRule', { ...CAM, eventType: 1, alarmRule: JSON.stringify(RULE) });
    expect(a.code).not.toBe(200);
    expect(a.message).toMatch(/kept on the box/);
    expect((await sim.authenticate()).body.code).toBe(200);
    const sent = await waitFor(() => taken('alarmDeploy/setRule')[0], 5000);
    expect(sent.body).toEqual({ token: sim.token, ip: '192.168.1.3', deviceType: 2, channel: 0, eventType: 1, alarmRule: RULE });
    expect(new RulesStore(rig.dir).of('DH').map((r) => r.body.eventType)).toEqual([1]);
  });

  it('relays a rule to the authenticated adapter, answers getAlarmRule from the box, and sends every kept rule again after a re-authentication', async () => {
    const area = [{ weekDay: 'MONDAY', timeSlot: [{ time: '0:00-23:59', interval: 60 }] }];
    const a = await call('setAlarmRule', { ...NVR_CAM, eventType: 2, alarmRule: JSON.stringify(area) });
    expect(a.code).toBe(200);
    expect(taken('alarmDeploy/setRule').at(-1)!.body).toMatchObject({
      ip: '192.168.1.2',
      deviceType: 3,
      channel: 1,
      eventType: 2,
      alarmRule: area,
    });
    expect((await call('getAlarmRule', { ...NVR_CAM, eventType: 2 })).data).toEqual(area);
    const before = taken('alarmDeploy/setRule').length;
    expect((await sim.authenticate({ form: 'braces' })).body.code).toBe(200);
    await waitFor(() => taken('alarmDeploy/setRule').length >= before + 2 || undefined, 5000);
    expect(
      taken('alarmDeploy/setRule')
        .slice(before)
        .map((r) => r.body.eventType)
        .sort(),
    ).toEqual([1, 2]);
    expect(
      taken('alarmDeploy/setRule')
        .slice(before)
        .every((r) => r.body.token === sim.token),
    ).toBe(true);
  });

  it('refuses a rule the seed does not allow with 804 before it reaches the adapter', async () => {
    const before = sim.state.received.length;
    const bad: Array<[Record<string, unknown>, string]> = [
      [
        {
          eventType: 1,
          alarmRule: JSON.stringify([{ weekDay: 'SUNDAY', timeSlot: [{ time: '00:00-2:00', interval: 600 }], bindGroup: [{}] }]),
        },
        'groupId',
      ],
      [{ eventType: 2, alarmRule: JSON.stringify([{ weekDay: 'SUNDAY', timeSlot: [{ time: '00:00-2:00', interval: -1 }] }]) }, 'interval'],
      [{ eventType: 2, alarmRule: JSON.stringify([{ weekDay: 'SUNDAY', timeSlot: [{ time: '25:00-2:00', interval: 600 }] }]) }, 'time'],
      [{ eventType: 2, alarmRule: JSON.stringify([{ weekDay: 'SUNDAYS', timeSlot: [{ time: '0:00-2:00', interval: 600 }] }]) }, 'weekDay'],
      [{ eventType: 9, alarmRule: JSON.stringify(RULE) }, 'eventType'],
      [{ eventType: 2, alarmRule: '[{' }, 'alarmRule'],
    ];
    for (const [args, param] of bad)
      expect((await call('setAlarmRule', { ...CAM, ...args })).message).toBe(`804 param check error: /'${param}/'`);
    expect(
      (await call('setAlarmRule', { productKey: 'PESecurityCamera', deviceName: 'HIK-01', eventType: 2, alarmRule: '[]' })).message,
    ).toBe('807 device not exist');
    expect(sim.state.received.length).toBe(before);
  });
  it("relays the seed's own setRule example (a type-1 rule without bindGroup, L42570-42590)", async () => {
    const rule = [
      {
        weekDay: 'SUNDAY',
        timeSlot: [
          { time: '00:00-2:00', interval: 600 },
          { time: '02:00-4:00', interval: 600 },
        ],
      },
      { weekDay: 'MONDAY', timeSlot: [{ time: '00:00-23:59', interval: 600 }] },
    ];
    expect((await call('setAlarmRule', { ...CAM, eventType: 1, alarmRule: JSON.stringify(rule) })).code).toBe(200);
    expect(taken('alarmDeploy/setRule').at(-1)!.body).toEqual({
      token: sim.token,
      ip: '192.168.1.3',
      deviceType: 2,
      channel: 0,
      eventType: 1,
      alarmRule: rule,
    });
  });
  it('sends the rules it kept to the adapter after a restart of the box, at its first authentication', async () => {
    const restarted = await startRig({}, undefined, rig.dir);
    try {
      const fresh = await restarted.adapter();
      expect((await fresh.authenticate()).body.code).toBe(200);
      await waitFor(() => fresh.state.rules.size >= 2 || undefined, 5000);
      expect([...fresh.state.rules.values()].map((r) => r.eventType).sort()).toEqual([1, 2]);
    } finally {
      await restarted.close();
    }
  });
});

describe('status, config and the other relays', () => {
  it("sets the cameras' online state from getStatus, with the adapter's reason", async () => {
    await waitFor(() => rig.handles.get('IPC-01')!.isOnline || undefined, 5000);
    const nvr = rig.handles.get('NVR-CH1')!;
    expect(nvr.isOnline).toBe(false);
    expect(nvr.props).toEqual({ Status: 0, UnnormalInfo: 'password error' });
    expect(rig.handles.get(ADAPTER.deviceName)!.isOnline).toBe(true);
    expect(rig.handles.get(ADAPTER.deviceName)!.props.AdapterPort).toBe(sim.port);
  });

  it('tells the adapter when its cameras change, and the adapter fetches them again', async () => {
    const before = taken('deviceManage/configChange').length;
    await rig.add({
      productKey: 'PESecurityCamera',
      deviceName: 'IPC-02',
      custom: { manufacture: 'DH', ip: '192.168.1.4', deviceType: 2 },
    });
    await waitFor(() => taken('deviceManage/configChange').length > before || undefined, 5000);
    await waitFor(() => sim.state.config.some((c) => c.ip === '192.168.1.4') || undefined, 5000);
  });

  it('relays the face library with its limits', async () => {
    expect(await call('faceGroupCreate', { ...CAM, groupName: 'residents' })).toEqual({
      code: 200,
      message: 'success',
      data: { groupId: '1' },
    });
    expect(taken('face/createGroup').at(-1)!.body).toEqual({
      token: sim.token,
      ip: '192.168.1.3',
      deviceType: 2,
      channel: 0,
      groupName: 'residents',
    });
    expect((await call('faceRemove', { ...CAM, groupId: '1', faceId: 'x'.repeat(32) })).message).toBe("804 param check error: /'faceId/'");
    await call('faceSearch', { ...CAM, groupId: '1' });
    expect(taken('face/search').at(-1)!.body).toMatchObject({ groupId: '1', pageNo: 1, pageSize: 10 });
  });

  it('relays capture tasks with camera names translated both ways', async () => {
    const task = {
      taskId: 'T1',
      deviceList: [CAM, NVR_CAM],
      startDate: '2022-01-01',
      endDate: '2022-04-01',
      captureWeekDay: JSON.stringify([{ weekDay: 'SUNDAY', captureTime: '10:00,12:00' }]),
      status: 1,
    };
    expect((await call('setPicCaptureTask', task)).code).toBe(200);
    expect(taken('capture/setTask').at(-1)!.body).toMatchObject({
      deviceList: [
        { ip: '192.168.1.3', deviceType: 2, channel: 0 },
        { ip: '192.168.1.2', deviceType: 3, channel: 1 },
      ],
      captureWeekDay: [{ weekDay: 'SUNDAY', captureTime: ['10:00', '12:00'] }],
    });
    expect(((await call('getPicCaptureTask', { taskId: 'T1' })).data as { deviceList: unknown }).deviceList).toEqual([CAM, NVR_CAM]);
    expect((await call('setPicCaptureTask', { ...task, cron: ['0 0 10 * * ?'] })).message).toBe("804 param check error: /'cron/'");
    expect((await call('setPicCaptureTask', { ...task, endDate: '2021-12-31' })).message).toBe("804 param check error: /'endDate/'");
    expect((await call('removeCaptureTask', { taskId: 'T1' })).code).toBe(200);
  });

  it('relays the record search within its limits, and uploads a scene picture to the cloud URL', async () => {
    const q = {
      picBase64: 'AAAA',
      picType: 'JPG',
      recordLimit: 10,
      startTime: 1631794685,
      endTime: 1631798285,
      minSimilarity: 0.55,
      maxSimilarity: 0.65,
    };
    const found = await call('getPicRecord', q);
    expect(found.code).toBe(200);
    expect((found.data as { recordList: Array<Record<string, unknown>> }).recordList[0]).toMatchObject({ ...CAM, scenePicId: 'pic1234' });
    expect((await call('getPicRecord', { ...q, endTime: q.startTime + 86_401 })).message).toBe("804 param check error: /'endTime/'");
    expect((await call('getPicRecord', { ...q, maxSimilarity: 0.5 })).message).toBe("804 param check error: /'maxSimilarity/'");
    expect((await call('getPicRecord', { ...q, pageSize: 1 })).message).toBe("804 param check error: /'pageSize/'");

    const got: Buffer[] = [];
    const cloud: Server = createServer((req, res) => {
      req.on('data', (c: Buffer) => got.push(c));
      req.on('end', () => res.end('ok'));
    });
    await new Promise<void>((r) => cloud.listen(0, '127.0.0.1', r));
    try {
      const port = (cloud.address() as { port: number }).port;
      expect((await call('scenePicRecordUpload', { scenePicId: 'pic1234', uploadUrl: `http://127.0.0.1:${port}/up` })).code).toBe(200);
      expect(taken('record/scenePicUpload').at(-1)!.body).toEqual({ token: sim.token, scenePicId: 'pic1234' });
      expect(Buffer.concat(got).toString('hex')).toBe('ffd8ffd9');
    } finally {
      cloud.closeAllConnections();
      await new Promise((r) => cloud.close(r));
    }
  });

  it('sends every call as POST with the token, and an adapter that stops answering takes its cameras offline', async () => {
    // The simulated adapter answers 802 to a request without its current token, so every one it took carried it.
    expect(sim.state.received.every((r) => r.method === 'POST' && typeof r.body.token === 'string')).toBe(true);
    await sim.stop();
    const a = await call('faceGroupDetail', { ...CAM, groupId: '1' });
    expect(a.message).toMatch(/^adapter: /);
    // The next getStatus poll (every 5 s here) finds no adapter.
    await waitFor(() => !rig.handles.get('IPC-01')!.isOnline || undefined, 8000);
    expect(rig.handles.get(ADAPTER.deviceName)!.isOnline).toBe(false);
  });
});
