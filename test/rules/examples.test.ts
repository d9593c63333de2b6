/**
 * The nine worked examples of the seed's sceneConfig appendix (seed 001 L30487-31094), each as a
 * rule of the box, driven through the real registry by a simulated device on a fake clock.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { H8, ruleOf } from './fixtures/h8-examples.js';
import { startRig, type Rig } from './helpers.js';

let rig: Rig;
const T0 = Date.parse('2024-03-01T04:00:00Z'); // 12:00 in Asia/Shanghai

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'], now: T0 });
  rig = await startRig();
});

afterEach(async () => {
  await rig.close();
  vi.useRealTimers();
});

const add = (scene: unknown, extra: Record<string, unknown> = {}) => rig.add(ruleOf(scene, extra));
const raised = () => rig.changes('raised');
const recovered = () => rig.changes('recovered');
const at = (ms: number) => vi.setSystemTime(T0 + ms);

describe('the nine sceneConfig examples of the seed', () => {
  it('1: level from <= 80 to > 80 raises an alarm, back to <= 80 recovers it; a repeat report does not raise twice', () => {
    const { alarmRuleId } = add(H8[1]);
    const dev = rig.device('MyDevice');
    dev.report({ level: 70 });
    dev.report({ level: 81 });
    dev.report({ level: 90 });
    expect(raised()).toHaveLength(1);
    const rec = raised()[0]!.record;
    expect(rec).toMatchObject({
      sceneId: alarmRuleId,
      productKey: 'MyProduct',
      deviceName: 'MyDevice',
      alarmName: '新增告警规则',
      alarmLevel: 0,
      auxiliaryLevel: 10,
      alarmContent: '设备产生告警',
      alarmType: 1,
      alarmMode: 1,
      recovery: 0,
      confirm: 0,
      time: T0,
    });
    expect(rec.restrictAlarmType).toBeUndefined();
    at(5_000);
    dev.report({ level: 80 });
    expect(recovered()).toHaveLength(1);
    expect(recovered()[0]!.record).toMatchObject({ alarmId: rec.alarmId, recovery: 1, recoveryTime: T0 + 5_000 });
    dev.report({ level: 85 });
    expect(raised()).toHaveLength(2);
    expect(raised()[1]!.record.alarmId).not.toBe(rec.alarmId);
  });

  it('2: temp > 80 raises only after holding 15 minutes; a dip below restarts the duration', () => {
    add(H8[2]);
    const dev = rig.device('MyDevice');
    dev.report({ temp: 85 });
    at(600_000);
    dev.report({ temp: 79 }); // 10 minutes in: the state breaks
    at(601_000);
    dev.report({ temp: 90 });
    vi.advanceTimersByTime(899_000); // 14:59 after the new start
    expect(raised()).toHaveLength(0);
    vi.advanceTimersByTime(1_000); // 15:00 of continuous state, with no new report needed
    expect(raised()).toHaveLength(1);
    expect(raised()[0]!.record.time).toBe(T0 + 601_000 + 900_000);
    dev.report({ temp: 80 });
    expect(recovered()).toHaveLength(1);
  });

  it('3: level from <= 20 to > 20 raises, back recovers', () => {
    add(H8[3]);
    const dev = rig.device('MyDevice');
    dev.report({ level: 20 });
    expect(raised()).toHaveLength(0);
    dev.report({ level: 20.5 });
    expect(raised()).toHaveLength(1);
    dev.report({ level: 19 });
    expect(recovered()).toHaveLength(1);
  });

  it('4 as written (state > 1, recovery on level): an action signal of 1 raises nothing; the recovery is bound to state', () => {
    const r = add(H8[4]);
    expect(r.warnings).toEqual([
      expect.objectContaining({
        field: 'sceneConfig.features.supportPauseRule.recoverCondition',
        message: expect.stringContaining('event.state.value'),
      }),
    ]);
    const dev = rig.device('MyDevice');
    dev.report({ state: 0 });
    dev.report({ state: 1 });
    expect(raised()).toHaveLength(0); // the trap of `> 1`: the box evaluates the operator as written
    dev.report({ state: 2 });
    expect(raised()).toHaveLength(1);
    dev.report({ state: 0, level: 1 }); // level plays no part
    expect(recovered()).toHaveLength(1);
  });

  it('4 with the documented fix (state == 1): action signal raises, non-action recovers', () => {
    add({ ...H8[4], trigger: { ...H8[4].trigger, params: { ...H8[4].trigger.params, compareType: '==' } } });
    const dev = rig.device('MyDevice');
    dev.report({ state: 0 });
    dev.report({ state: 1 });
    expect(raised()).toHaveLength(1);
    dev.report({ state: 1 });
    expect(raised()).toHaveLength(1);
    dev.report({ state: 2 });
    expect(recovered()).toHaveLength(1);
  });

  it('5: pressure outside [0.9, 1.2] for 5 minutes raises; inside again recovers', () => {
    add(H8[5]);
    const dev = rig.device('MyDevice');
    dev.report({ pressure: 1.0 });
    dev.report({ pressure: 0.85 });
    vi.advanceTimersByTime(120_000);
    dev.report({ pressure: 1.3 }); // still outside (the other side): the state holds
    vi.advanceTimersByTime(179_999);
    expect(raised()).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(raised()).toHaveLength(1);
    dev.report({ pressure: 1.25 });
    expect(recovered()).toHaveLength(0);
    dev.report({ pressure: 1.2 }); // the bounds are inside
    expect(recovered()).toHaveLength(1);
  });

  it('6 as written (recovery on temp): five level reports > 80 in a row raise once; the recovery is bound to level', () => {
    const r = add(H8[6]);
    expect(r.warnings[0]?.message).toContain('event.level.value');
    const dev = rig.device('MyDevice');
    for (const v of [81, 82, 83, 84]) dev.report({ level: v });
    dev.report({ level: 50 }); // the run breaks
    for (const v of [81, 82, 83, 84]) dev.report({ level: v });
    expect(raised()).toHaveLength(0);
    dev.report({ level: 85 });
    expect(raised()).toHaveLength(1);
    for (let i = 0; i < 10; i++) dev.report({ level: 90 }); // executeOnce: one alarm per episode
    expect(raised()).toHaveLength(1);
    dev.report({ level: 80, temp: 99 });
    expect(recovered()).toHaveLength(1);
  });

  it('7: the door opening between 22:00 and 06:00 Asia/Shanghai raises, not during the day; closing recovers', () => {
    add(H8[7]);
    const dev = rig.device('MyDevice');
    dev.report({ door: 1 }); // 12:00 local
    dev.report({ door: 0 });
    expect(raised()).toHaveLength(0);
    vi.setSystemTime(Date.parse('2024-03-01T14:30:00Z')); // 22:30 local
    dev.report({ door: 1 });
    expect(raised()).toHaveLength(1);
    dev.report({ door: 0 });
    expect(recovered()).toHaveLength(1);
    vi.setSystemTime(Date.parse('2024-03-01T21:59:59Z')); // 05:59:59 the next morning
    dev.report({ door: 1 });
    expect(raised()).toHaveLength(2);
    dev.report({ door: 0 });
    vi.setSystemTime(Date.parse('2024-03-01T22:00:00Z')); // 06:00:00: the end is outside
    dev.report({ door: 1 });
    expect(raised()).toHaveLength(2);
  });

  it('8: ten reports > 30 within a minute raise; ten spread over more than a minute do not', () => {
    add(H8[8]);
    const dev = rig.device('MyDevice');
    for (let i = 0; i < 10; i++) {
      at(i * 7_000); // 63 s from the first to the tenth
      dev.report({ temp: 31 });
    }
    expect(raised()).toHaveLength(0); // the oldest fell out of the window
    at(64_000);
    dev.report({ temp: 31 }); // the last ten are within 57 s
    expect(raised()).toHaveLength(1);
    dev.report({ temp: 30 });
    expect(recovered()).toHaveLength(1);
  });

  it('9: the device going offline raises, back online recovers', () => {
    add(H8[9]);
    const dev = rig.device('MyDevice');
    dev.offline();
    expect(raised()).toHaveLength(1);
    expect(raised()[0]!.record.deviceName).toBe('MyDevice');
    dev.online();
    expect(recovered()).toHaveLength(1);
    dev.offline();
    expect(raised()).toHaveLength(2);
  });
});
