/**
 * Rules on real parts: the runtime with the demo driver in its child process, mosquitto as the
 * cloud broker and the cloud stand-in. Rules arrive as services of the gateway, fire on the box,
 * go up through the outbox (also after a broker outage) and are subscribable on the local bus.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Post } from '../../scripts/sim/cloud/stand-in.js';
import { startBox, waitFor, type TestBox } from '../helpers/runtime.js';
import { cloudYaml, DEMO_DRIVER, GATEWAY, startRig, type CloudRig } from '../cloud/helpers.js';

const gw = [GATEWAY.productKey, GATEWAY.deviceName] as const;
let rig: CloudRig;
let box: TestBox;
let local: MqttClient;
const onBus: Array<{ topic: string; body: Record<string, unknown> }> = [];

const scene = {
  type: 'IFTTT',
  trigger: {
    uri: 'trigger/device/property',
    params: { productKey: 'PEDemoThermo', deviceName: 't1', propertyName: 'TargetTemperature', compareType: '>', compareValue: 30 },
  },
  action: [{ uri: 'action/mqtt/pub/sceneInfo', params: { env: 'edge' } }],
  features: {
    supportPauseRule: {
      pauseType: 'time',
      pauseParams: {},
      scope: 'device',
      recoverCondition: 'event.TargetTemperature.value <= 30',
      notifyTypeOnRecover: 'MQTT',
      notifyTopicOnRecover: 'Ignored',
    },
  },
};
const rule = {
  alarmName: '目标温度过高',
  alarmLevel: 1,
  auxiliaryLevel: 5,
  alarmContent: '目标温度超过30度',
  productKey: 'PEDemoThermo',
  sceneConfig: JSON.stringify(scene),
  extConfig: '{"room":"B1-02"}',
  alarmType: 1,
  alarmMode: 1,
  runEnv: 'edge',
  multiDevice: 0,
};

/** AlarmRecord values the stand-in received, realtime or in history form, in arrival order. */
function alarmsAtCloud(posts: Post[]): Array<Record<string, unknown> & { form: string }> {
  const out: Array<Record<string, unknown> & { form: string }> = [];
  for (const p of posts) {
    if (p.device !== `${GATEWAY.productKey}/${GATEWAY.deviceName}`) continue;
    if (p.kind === 'event:AlarmRecord') out.push({ ...(p.body.params as { value: Record<string, unknown> }).value, form: 'event' });
    else if (p.kind === 'history') {
      for (const e of p.body.params as Array<{ events: Array<Record<string, { value: Record<string, unknown> }>> }>)
        for (const ev of e.events) if (ev.AlarmRecord) out.push({ ...ev.AlarmRecord.value, form: 'history' });
    }
  }
  return out;
}

beforeAll(async () => {
  rig = await startRig();
  box = await startBox(`${DEMO_DRIVER(200)}${cloudYaml(rig.broker.url)}`);
  await waitFor(() => box.runtime.cloud?.status().state === 'online', 20_000);
  await waitFor(() => rig.cloud.loggedIn.size === 3, 20_000); // subscriptions complete
  const user = box.runtime.busUser!;
  local = await mqtt.connectAsync(`mqtt://127.0.0.1:${box.runtime.busPort}`, {
    username: user.username,
    password: user.password,
    reconnectPeriod: 0,
  });
  local.on('message', (topic, payload) => onBus.push({ topic, body: JSON.parse(payload.toString()) as Record<string, unknown> }));
  await local.subscribeAsync(['/edge/alarms/open', `/sys/${GATEWAY.productKey}/${GATEWAY.deviceName}/thing/event/AlarmRecord/post`]);
}, 90_000);

afterAll(async () => {
  await local?.endAsync();
  await box?.close();
  await rig?.close();
});

describe('alarm rules from the cloud, evaluated on the box', () => {
  let alarmRuleId = '';

  it('manages rules as services of the gateway, with per-field refusals and the API codes', async () => {
    const bad = await rig.cloud.invoke(...gw, 'AlarmRuleAddOrUpdate', { ...rule, alarmLevel: 9, sceneConfig: '{"type":"IFTTT"}' });
    expect(bad.code).toBe(460);
    expect((bad.data as { problems: Array<{ field: string }> }).problems.map((p) => p.field)).toEqual([
      'alarmLevel',
      'sceneConfig.trigger',
      'sceneConfig.action',
    ]);
    const added = await rig.cloud.invoke(...gw, 'AlarmRuleAddOrUpdate', rule);
    expect(added).toMatchObject({ code: 200, data: { alarmRuleId: expect.stringMatching(/^[0-9a-f]{32}$/) } });
    alarmRuleId = (added.data as { alarmRuleId: string }).alarmRuleId;
    const detail = await rig.cloud.rrpc(...gw, 'AlarmRuleDetailGet', { alarmRuleId });
    expect(detail).toMatchObject({
      code: 200,
      data: {
        alarmRuleId,
        alarmName: rule.alarmName,
        status: 1,
        content: rule.alarmContent,
        sceneConfig: rule.sceneConfig,
        runEnv: 'edge',
        timeWindow: 0,
        lowSceneConfig: '',
      },
    });
    expect((await rig.cloud.invoke(...gw, 'AlarmRuleDetailGet', { alarmRuleId: 'nope' })).code).toBe(28420);
    const page = await rig.cloud.invoke(...gw, 'AlarmRuleQuery', { nameLike: '温度', alarmMode: '1', pageNo: 1, pageSize: 10 });
    expect(page).toMatchObject({
      code: 200,
      data: { total: 1, pageNo: 1, pageSize: 10, data: [{ alarmRuleId, content: rule.alarmContent }] },
    });
    expect((await rig.cloud.invoke(...gw, 'AlarmRuleStatusUpdate', { alarmRuleIds: [alarmRuleId, 'nope'], operType: 1 })).data).toEqual({
      failAlarmIds: ['nope'],
    });
    expect((await rig.cloud.invoke(...gw, 'AlarmRuleDelete', { alarmRuleIds: ['nope'], clusterId: 'pVxFeNmZ8axogEnWCD9E' })).data).toEqual({
      failAlarmIds: ['nope'],
    });
  });

  it('raises an AlarmRecord when the value crosses: to the cloud as the gateway event, and on the local bus', async () => {
    expect((await box.runtime.host.setProperties('PEDemoThermo', 't1', { TargetTemperature: 34 })).code).toBe(200);
    const [up] = await waitFor(() => {
      const a = alarmsAtCloud(rig.cloud.posts);
      return a.length > 0 ? a : undefined;
    });
    expect(up).toMatchObject({
      form: 'event',
      sceneId: alarmRuleId,
      productKey: 'PEDemoThermo',
      deviceName: 't1',
      alarmName: rule.alarmName,
      alarmLevel: 1,
      auxiliaryLevel: 5,
      alarmContent: rule.alarmContent,
      alarmType: 1,
      alarmMode: 1,
      extConfig: rule.extConfig,
      recovery: 0,
      confirm: 0,
      alarmId: expect.any(String),
      time: expect.any(Number),
    });
    const open = await waitFor(() => onBus.filter((m) => m.topic === '/edge/alarms/open').find((m) => m.body.total === 1));
    expect((open.body.alarms as Array<{ alarmId: string }>)[0]!.alarmId).toBe(up!.alarmId);
    expect(onBus.find((m) => m.topic.endsWith('/AlarmRecord/post'))?.body).toMatchObject({
      method: 'thing.event.AlarmRecord.post',
      params: { value: { alarmId: up!.alarmId } },
    });
  });

  it('a recovery during a broker outage is stored at once and goes up after it; the retained list is current', async () => {
    await rig.broker.stop();
    await waitFor(() => box.runtime.cloud?.status().state !== 'online', 20_000);
    expect((await box.runtime.host.setProperties('PEDemoThermo', 't1', { TargetTemperature: 22 })).code).toBe(200);
    await waitFor(() => box.runtime.rules!.openAlarms(10).length === 0);
    await rig.broker.start();
    const rec = await waitFor(() => alarmsAtCloud(rig.cloud.posts).find((a) => a.recovery === 1), 30_000);
    expect(rec).toMatchObject({ form: 'history', sceneId: alarmRuleId, recovery: 1, recoveryTime: expect.any(Number) });
    expect(rec.alarmId).toBe(alarmsAtCloud(rig.cloud.posts)[0]!.alarmId);
    await waitFor(() => onBus.filter((m) => m.topic === '/edge/alarms/open').at(-1)?.body.total === 0);
  }, 60_000);

  it('a stopped rule raises nothing; deleting it answers no failures', async () => {
    expect((await rig.cloud.invoke(...gw, 'AlarmRuleStatusUpdate', { alarmRuleIds: [alarmRuleId], operType: 0 })).data).toEqual({
      failAlarmIds: [],
    });
    const before = box.runtime.rules!.history({ limit: 100 }).length;
    await box.runtime.host.setProperties('PEDemoThermo', 't1', { TargetTemperature: 35 });
    await waitFor(() => box.runtime.registry.get('PEDemoThermo', 't1')?.shadow.get('TargetTemperature')?.value === 35);
    expect(box.runtime.rules!.history({ limit: 100 })).toHaveLength(before);
    expect((await rig.cloud.invoke(...gw, 'AlarmRuleDelete', { alarmRuleIds: [alarmRuleId] })).data).toEqual({ failAlarmIds: [] });
    expect((await rig.cloud.invoke(...gw, 'AlarmRuleQuery', { pageNo: 1, pageSize: 20 })).data).toMatchObject({ total: 0 });
  });
});
