/**
 * The console's rules page on a real runtime: rules of the box config listed, add/edit with the
 * cloud's per-field validation, dry run on the devices' last values, start/stop, delete; open
 * alarms on the dashboard, acknowledged with confirmType and comment, history.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsoleBox, waitFor, type ConsoleBox } from '../console/box.js';
import { ConsoleClient } from '../console/client.js';

const PASSWORD = 'rules-console-pw-1';
const scene = (value: number) =>
  JSON.stringify({
    type: 'IFTTT',
    trigger: {
      uri: 'trigger/device/property',
      params: {
        productKey: 'PEDemoThermo',
        deviceName: 'thermo-01',
        propertyName: 'TargetTemperature',
        compareType: '>',
        compareValue: value,
      },
    },
    action: [{ uri: 'action/mqtt/pub/sceneInfo', params: { env: 'edge' } }],
  });
const rule = {
  alarmRuleId: 'hall-too-warm',
  alarmName: '大厅目标温度过高',
  alarmLevel: 2,
  alarmContent: '目标温度超过30度',
  productKey: 'PEDemoThermo',
  sceneConfig: scene(30),
  alarmType: 1,
  alarmMode: 1,
  runEnv: 'edge',
  multiDevice: 0,
};

let box: ConsoleBox;
let c: ConsoleClient;

beforeAll(async () => {
  box = await startConsoleBox(`rules: ${JSON.stringify({ alarmRules: [rule] })}\n`);
  c = new ConsoleClient(box.runtime.http);
  expect((await c.setup(box.runtime.console!.setupToken!, PASSWORD)).statusCode).toBe(200);
  await c.get('/api/session');
}, 60_000);

afterAll(async () => {
  await box?.close();
});

describe('console: EBA alarm rules', () => {
  it('lists the rules of the box config and shows one in the detail shape', async () => {
    const list = (await c.get('/api/rules')).json() as { total: number; data: Array<{ alarmRuleId: string; status: number }> };
    expect(list).toMatchObject({ total: 1, data: [{ alarmRuleId: 'hall-too-warm', status: 1 }] });
    expect((await c.get('/api/rules/hall-too-warm')).json()).toMatchObject({
      alarmRuleId: 'hall-too-warm',
      content: rule.alarmContent,
      sceneConfig: rule.sceneConfig,
    });
    const missing = await c.get('/api/rules/nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 'EDGE_ERR_RULE_UNKNOWN' } });
  });

  it('refuses a broken rule with every wrong field, and saves a good one', async () => {
    const bad = await c.post('/api/rules', {
      rule: { ...rule, alarmRuleId: 'x', alarmLevel: 7, sceneConfig: scene(30).replace('"compareType":">"', '"compareType":"~"') },
    });
    expect(bad.statusCode).toBe(400);
    expect((bad.json() as { error: { code: string; problems: Array<{ field: string }> } }).error).toMatchObject({
      code: 'EDGE_ERR_RULE_INVALID',
      problems: [{ field: 'alarmLevel' }, { field: 'sceneConfig.trigger.params.compareType' }],
    });
    const ok = await c.post('/api/rules', {
      rule: { ...rule, alarmRuleId: 'hall-very-warm', alarmName: '大厅目标温度很高', sceneConfig: scene(33) },
    });
    expect(ok.json()).toMatchObject({ ok: true, alarmRuleId: 'hall-very-warm', created: true });
  });

  it("dry-runs a draft against the device's last value", async () => {
    await box.runtime.host.setProperties('PEDemoThermo', 'thermo-01', { TargetTemperature: 31 });
    await waitFor(() => box.runtime.registry.get('PEDemoThermo', 'thermo-01')?.shadow.get('TargetTemperature')?.value === 31);
    const r = (await c.post('/api/rules/dry-run', { rule: { ...rule, alarmRuleId: undefined, sceneConfig: scene(30.5) } })).json() as {
      devices: Array<Record<string, unknown>>;
    };
    expect(r.devices).toEqual([
      expect.objectContaining({
        device: 'PEDemoThermo/thermo-01',
        property: 'TargetTemperature',
        value: 31,
        triggerMatches: true,
        recovers: false,
      }),
    ]);
    const stored = (await c.post('/api/rules/dry-run', { alarmRuleId: 'hall-very-warm' })).json() as {
      devices: Array<Record<string, unknown>>;
    };
    expect(stored.devices[0]).toMatchObject({ triggerMatches: false });
  });

  it('shows the open alarm on the dashboard and acknowledges it with type and comment', async () => {
    const open = await waitFor(async () => {
      const d = (await c.get('/api/dashboard')).json() as {
        ruleAlarms: { total: number; alarms: Array<{ alarmId: string; sceneId: string; confirm: number }> };
      };
      return d.ruleAlarms.total === 1 ? d.ruleAlarms.alarms[0] : undefined;
    });
    expect(open).toMatchObject({ sceneId: 'hall-too-warm', confirm: 0 });
    const acked = await c.post(`/api/alarms/${open.alarmId}/confirm`, { confirmType: 2, confirmComment: '调试中' });
    expect(acked.json()).toMatchObject({
      alarmId: open.alarmId,
      confirm: 1,
      confirmType: 2,
      confirmComment: '调试中',
      operator: 'admin',
      confirmTime: expect.any(Number),
    });
    expect((await c.post('/api/alarms/nope/confirm', { confirmType: 1 })).statusCode).toBe(404);
    expect((await c.post(`/api/alarms/${open.alarmId}/confirm`, { confirmType: 4 })).statusCode).toBe(400);
    const history = (await c.get('/api/alarms?limit=10')).json() as Array<{ alarmId: string; confirm: number }>;
    expect(history[0]).toMatchObject({ alarmId: open.alarmId, confirm: 1 });
  });

  it('stops, starts and deletes rules', async () => {
    expect((await c.post('/api/rules/hall-very-warm/status', { status: 0 })).json()).toEqual({ ok: true });
    expect(((await c.get('/api/rules?status=0')).json() as { total: number }).total).toBe(1);
    expect((await c.post('/api/rules/nope/status', { status: 1 })).statusCode).toBe(404);
    const del = await box.runtime.http.inject({
      method: 'DELETE',
      url: '/api/rules/hall-very-warm',
      headers: { cookie: c.cookie, 'x-csrf-token': c.csrf },
    });
    expect(del.json()).toEqual({ ok: true });
    expect(((await c.get('/api/rules')).json() as { total: number }).total).toBe(1);
  });
});
