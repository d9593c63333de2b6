/**
 * The engine beyond the nine examples: limit mode, multiDevice, restarts in the middle of a
 * duration and with an alarm open, a device going offline during a count window, a rule edited
 * while an episode is open, stopping and deleting, and the local-bus output.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { H8, ruleOf } from './fixtures/h8-examples.js';
import { startRig, type Rig } from './helpers.js';

let rig: Rig;
let dir: string;
const T0 = Date.parse('2024-03-01T04:00:00Z');

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'], now: T0 });
  dir = mkdtempSync(join(tmpdir(), 'pe-rules-'));
  rig = await startRig(join(dir, 'edge.db'), ['MyDevice', 'Other']);
});

afterEach(async () => {
  await rig.close();
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

const add = (scene: unknown, extra: Record<string, unknown> = {}) => rig.add(ruleOf(scene, extra));
const raised = () => rig.changes('raised');
const recovered = () => rig.changes('recovered');
const withDevice = <T extends { trigger: { params: object } }>(scene: T, params: Record<string, unknown>): T => ({
  ...scene,
  trigger: { ...scene.trigger, params: { ...scene.trigger.params, ...params } },
});

describe('limit mode (alarmMode 2)', () => {
  it('evaluates the high side as restrictAlarmType 1 and the low side as 2, each with its own episode', () => {
    const low = withDevice(H8[1], { compareType: '<', compareValue: 10 });
    const lowScene = {
      ...low,
      features: { supportPauseRule: { ...H8[1].features.supportPauseRule, recoverCondition: 'event.level.value >= 10' } },
    };
    add(H8[1], { alarmMode: 2, lowSceneConfig: JSON.stringify(lowScene) });
    const dev = rig.device('MyDevice');
    dev.report({ level: 50 });
    dev.report({ level: 90 });
    dev.report({ level: 5 }); // high recovers, low raises
    expect(raised().map((a) => a.record.restrictAlarmType)).toEqual([1, 2]);
    expect(recovered().map((a) => a.record.restrictAlarmType)).toEqual([1]);
    expect(raised()[0]!.record.alarmMode).toBe(2);
  });

  it('refuses a limit rule without its low config, field by field', () => {
    const r = rig.engine.addOrUpdate(ruleOf(H8[1], { alarmMode: 2 }), 'cloud');
    expect(r).toEqual({ ok: false, problems: [{ field: 'lowSceneConfig', message: expect.stringContaining('required in limit mode') }] });
  });
});

describe('multiDevice', () => {
  it('one rule watches every device of the product, with a state per device', () => {
    add(withDevice(H8[6], { deviceName: undefined }), { multiDevice: 1 });
    const a = rig.device('MyDevice');
    const b = rig.device('Other');
    for (let i = 0; i < 4; i++) {
      a.report({ level: 90 });
      b.report({ level: 90 });
    }
    b.report({ level: 10 }); // only b's run breaks
    a.report({ level: 90 });
    b.report({ level: 90 });
    expect(raised().map((x) => x.record.deviceName)).toEqual(['MyDevice']);
  });

  it('a single-device rule ignores the other devices of the product', () => {
    add(H8[1]);
    rig.device('Other').report({ level: 99 });
    expect(raised()).toHaveLength(0);
  });
});

describe('restarts', () => {
  it('a duration in progress continues after a restart, and fires at its original end', async () => {
    add(H8[2]);
    const dev = rig.device('MyDevice');
    dev.report({ temp: 85 });
    vi.advanceTimersByTime(600_000);
    rig.engine.flush();
    await rig.restart();
    vi.advanceTimersByTime(60_000);
    dev.report({ temp: 86 }); // 11 minutes in: still holding
    expect(raised()).toHaveLength(0);
    vi.advanceTimersByTime(240_000);
    expect(raised()).toHaveLength(1);
    expect(raised()[0]!.record.time).toBe(T0 + 900_000);
  });

  it('a deadline after a restart does not fire on a value from before it', async () => {
    add(H8[2]);
    rig.device('MyDevice').report({ temp: 85 });
    rig.engine.flush();
    await rig.restart();
    vi.advanceTimersByTime(1_000_000);
    expect(raised()).toHaveLength(0);
    rig.device('MyDevice').report({ temp: 85 }); // seen again, still holding: the duration is long done
    expect(raised()).toHaveLength(1);
  });

  it('an alarm open before a restart is not raised twice, and recovers after it', async () => {
    add(H8[1]);
    const dev = rig.device('MyDevice');
    dev.report({ level: 90 });
    expect(raised()).toHaveLength(1);
    await rig.restart();
    dev.report({ level: 95 });
    dev.report({ level: 99 });
    expect(raised()).toHaveLength(1);
    dev.report({ level: 10 });
    expect(recovered()).toHaveLength(1);
    expect(rig.engine.openAlarms(10)).toEqual([]);
  });

  it('a count in progress continues after a restart', async () => {
    add(H8[6]);
    const dev = rig.device('MyDevice');
    for (let i = 0; i < 3; i++) dev.report({ level: 90 });
    rig.engine.flush();
    await rig.restart();
    dev.report({ level: 90 });
    expect(raised()).toHaveLength(0);
    dev.report({ level: 90 });
    expect(raised()).toHaveLength(1);
  });
});

describe('devices going away', () => {
  it('a device going offline during a count window starts the count again; an open alarm stays open', () => {
    add(H8[6]);
    const dev = rig.device('MyDevice');
    for (let i = 0; i < 4; i++) dev.report({ level: 90 });
    dev.offline();
    dev.online();
    for (let i = 0; i < 4; i++) dev.report({ level: 90 });
    expect(raised()).toHaveLength(0);
    dev.report({ level: 90 });
    expect(raised()).toHaveLength(1);
    dev.offline();
    dev.online();
    expect(recovered()).toHaveLength(0);
    expect(rig.engine.openAlarms(10)).toHaveLength(1);
  });

  it('a device going offline during a duration cancels it', () => {
    add(H8[2]);
    const dev = rig.device('MyDevice');
    dev.report({ temp: 90 });
    vi.advanceTimersByTime(600_000);
    dev.offline();
    vi.advanceTimersByTime(600_000);
    expect(raised()).toHaveLength(0);
  });
});

describe('editing rules', () => {
  it('a rule edited while an episode is open keeps it (no second alarm) and recovers by the new recovery', () => {
    const { alarmRuleId } = add(H8[1]);
    const dev = rig.device('MyDevice');
    dev.report({ level: 90 });
    const edited = {
      ...H8[1],
      features: { supportPauseRule: { ...H8[1].features.supportPauseRule, recoverCondition: 'event.level.value <= 50' } },
    };
    const r = rig.engine.addOrUpdate(ruleOf(edited, { alarmRuleId, alarmName: 'edited' }), 'console');
    expect(r).toMatchObject({ ok: true, created: false, alarmRuleId });
    dev.report({ level: 95 });
    dev.report({ level: 70 });
    expect(raised()).toHaveLength(1);
    expect(recovered()).toHaveLength(0);
    dev.report({ level: 40 });
    expect(recovered()).toHaveLength(1);
    dev.report({ level: 90 });
    expect(raised()[1]!.record.alarmName).toBe('edited');
  });

  it('a stopped rule evaluates nothing; started again it does', () => {
    const { alarmRuleId } = add(H8[1]);
    expect(rig.engine.setStatus([alarmRuleId, 'nope'], 0)).toEqual(['nope']);
    const dev = rig.device('MyDevice');
    dev.report({ level: 90 });
    expect(raised()).toHaveLength(0);
    rig.engine.setStatus([alarmRuleId], 1);
    dev.report({ level: 91 });
    expect(raised()).toHaveLength(1);
  });

  it('a deleted rule is gone after a restart; its records stay as history', async () => {
    const { alarmRuleId } = add(H8[1]);
    rig.device('MyDevice').report({ level: 90 });
    expect(rig.engine.delete([alarmRuleId, 'x'])).toEqual(['x']);
    await rig.restart();
    expect(rig.engine.rule(alarmRuleId)).toBeUndefined();
    expect(rig.engine.history({ limit: 10 })).toHaveLength(1);
  });

  it('timeWindow (seconds) holds the condition before firing, also for a transition rule', () => {
    add(H8[1], { timeWindow: 30 });
    const dev = rig.device('MyDevice');
    dev.report({ level: 90 });
    vi.advanceTimersByTime(29_999);
    expect(raised()).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(raised()).toHaveLength(1);
  });
});

describe('alarms', () => {
  it('acknowledging records confirm, confirmType, confirmComment and the operator', () => {
    add(H8[1]);
    rig.device('MyDevice').report({ level: 90 });
    const id = raised()[0]!.record.alarmId;
    vi.setSystemTime(T0 + 1234);
    expect(rig.engine.confirm(id, { confirmType: 2, comment: '误报：传感器校准', operator: 'admin' })).toMatchObject({
      alarmId: id,
      confirm: 1,
      confirmType: 2,
      confirmComment: '误报：传感器校准',
      operator: 'admin',
      confirmTime: T0 + 1234,
    });
    expect(rig.engine.confirm('unknown', { confirmType: 1 })).toBeUndefined();
  });

  it('publishes every change on the gateway event topic and keeps the retained open list current', async () => {
    add(H8[1]);
    const dev = rig.device('MyDevice');
    dev.report({ level: 90 });
    await new Promise((r) => setImmediate(r));
    const events = rig.published.filter((p) => p.topic === '/sys/PEGateway/box-01/thing/event/AlarmRecord/post');
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.payload)).toMatchObject({
      method: 'thing.event.AlarmRecord.post',
      params: { value: { recovery: 0, deviceName: 'MyDevice' }, time: T0 },
    });
    const open = rig.published.filter((p) => p.topic === '/edge/alarms/open').at(-1)!;
    expect(open.retain).toBe(true);
    expect(JSON.parse(open.payload)).toMatchObject({ total: 1, alarms: [{ deviceName: 'MyDevice' }] });
    dev.report({ level: 10 });
    await new Promise((r) => setImmediate(r));
    expect(JSON.parse(rig.published.filter((p) => p.topic === '/edge/alarms/open').at(-1)!.payload)).toMatchObject({
      total: 0,
      alarms: [],
    });
  });
});

describe('rules of the box config', () => {
  it('a rule applied before start (the rules file) is evaluated once and keeps its open episode across restarts', async () => {
    const { alarmRuleId } = add(H8[1], { alarmRuleId: 'from-file' });
    rig.device('MyDevice').report({ level: 90 });
    await rig.engine.stop();
    const { RulesEngine } = await import('../../edge/rules/engine.js');
    const { silentLogger } = await import('../../edge/log.js');
    rig.engine = new RulesEngine({
      db: rig.db,
      events: rig.events,
      registry: rig.registry,
      log: silentLogger(),
      gateway: { productKey: 'PEGateway', deviceName: 'box-01' },
    });
    expect(rig.engine.addOrUpdate(ruleOf(H8[1], { alarmRuleId }), 'file')).toMatchObject({ ok: true, created: false });
    await rig.engine.start();
    rig.device('MyDevice').report({ level: 95 });
    expect(raised()).toHaveLength(1);
    rig.device('MyDevice').report({ level: 10 });
    rig.device('MyDevice').report({ level: 95 });
    expect(raised()).toHaveLength(2);
  });
});
