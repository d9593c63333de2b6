/** The rule format at the boundary: per-field problems, the recovery grammar, time ranges. */
import { describe, expect, it } from 'vitest';
import { checkRule } from '../../edge/rules/rule.js';
import { evaluate, parseRecoverCondition } from '../../edge/rules/recover-expr.js';
import { inTimeRange, secondsOfDay } from '../../edge/rules/time-range.js';
import { H8, ruleOf } from './fixtures/h8-examples.js';

const problemsOf = (input: unknown) => {
  const r = checkRule(input);
  return r.ok ? [] : r.problems;
};

describe('rule fields (addorupdate, H1)', () => {
  it('accepts every one of the nine examples as a rule', () => {
    for (const scene of Object.values(H8)) expect(problemsOf(ruleOf(scene))).toEqual([]);
  });

  it('names every wrong field at once', () => {
    const problems = problemsOf({
      alarmName: '',
      alarmLevel: 4,
      auxiliaryLevel: 1000,
      alarmContent: 7,
      productKey: 'My Product',
      sceneConfig: '{',
      alarmType: 3,
      alarmMode: '2',
      runEnv: 'cloud',
      multiDevice: 2,
      timeWindow: 'long',
      receivers: [{ type: 'SMS' }],
    });
    expect(problems.map((p) => p.field).sort()).toEqual([
      'alarmContent',
      'alarmLevel',
      'alarmName',
      'alarmType',
      'auxiliaryLevel',
      'lowSceneConfig',
      'multiDevice',
      'productKey',
      'receivers[0].type',
      'runEnv',
      'sceneConfig',
      'timeWindow',
    ]);
    expect(problems.find((p) => p.field === 'runEnv')?.message).toContain('cloud rule runs on the platform');
  });

  it('reports missing required fields', () => {
    expect(problemsOf({}).map((p) => p.field)).toEqual([
      'alarmName',
      'alarmLevel',
      'alarmContent',
      'productKey',
      'alarmType',
      'alarmMode',
      'multiDevice',
      'runEnv',
      'sceneConfig',
    ]);
  });

  it('takes integers sent as numeric text, as the seed does ("alarmMode": "2")', () => {
    const r = checkRule(ruleOf(H8[1], { alarmLevel: '2', alarmMode: '1' }));
    expect(r.ok && r.rule.alarmLevel).toBe(2);
  });

  it('checks the scene config field by field with its path', () => {
    const bad = {
      ...H8[5],
      type: 'ECA',
      trigger: {
        uri: 'trigger/device/property',
        params: { productKey: 'Other', propertyName: '1x', compareType: 'beyond', compareValue: [1.2, 0.9] },
      },
      condition: { uri: 'condition/timeRange', params: { beginDate: '24:00:00', endDate: '06:00', timezoneID: 'Mars/Base' } },
      action: [{ uri: 'action/sms' }],
      features: {
        supportPauseRule: { pauseType: 'count', pauseParams: { windowInterval: 0 }, recoverCondition: 'event.pressure.value >' },
      },
    };
    expect(problemsOf(ruleOf(bad)).map((p) => p.field)).toEqual([
      'sceneConfig.type',
      'sceneConfig.trigger.params.productKey',
      'sceneConfig.trigger.params.deviceName',
      'sceneConfig.trigger.params.propertyName',
      'sceneConfig.trigger.params.compareValue',
      'sceneConfig.condition.params.beginDate',
      'sceneConfig.condition.params.endDate',
      'sceneConfig.condition.params.timezoneID',
      'sceneConfig.action[0].uri',
      'sceneConfig.features.supportPauseRule.pauseParams.windowInterval',
      'sceneConfig.features.supportPauseRule.pauseParams.conditionMatchNum',
      'sceneConfig.features.supportPauseRule.recoverCondition',
    ]);
  });

  it('refuses stateDuration outside 1-3600 s and the PDF-broken "t ime"', () => {
    const long = { ...H8[2], features: { supportPauseRule: { ...H8[2].features.supportPauseRule, pauseParams: { stateDuration: 3601 } } } };
    expect(problemsOf(ruleOf(long)).map((p) => p.field)).toEqual(['sceneConfig.features.supportPauseRule.pauseParams.stateDuration']);
    const broken = { ...H8[1], features: { supportPauseRule: { ...H8[1].features.supportPauseRule, pauseType: 't ime' } } };
    expect(problemsOf(ruleOf(broken)).map((p) => p.field)).toEqual(['sceneConfig.features.supportPauseRule.pauseType']);
  });

  it('the seed examples as printed (comments, trailing commas) are not JSON', () => {
    const printed = '{"type":"IFTTT","features":{"supportPauseRule":{"pauseParams":{"stateDuration": 900, //the continuous time\n}}}}';
    expect(problemsOf(ruleOf({}, { sceneConfig: printed }))[0]).toMatchObject({
      field: 'sceneConfig',
      message: expect.stringContaining('not valid JSON'),
    });
  });
});

describe('recoverCondition grammar', () => {
  const values = (v: Record<string, unknown>) => (p: string) => v[p];
  it('evaluates comparisons with and/or and parentheses, and binding tighter than or', () => {
    const e = parseRecoverCondition('event.p.value >= 0.9 and event.p.value <= 1.2');
    expect(evaluate(e, values({ p: 1 }))).toBe(true);
    expect(evaluate(e, values({ p: 1.3 }))).toBe(false);
    const f = parseRecoverCondition('event.a.value == 1 or event.b.value == 1 and event.c.value == 1');
    expect(evaluate(f, values({ a: 1, b: 0, c: 0 }))).toBe(true);
    const g = parseRecoverCondition('(event.a.value == 1 OR event.b.value == 1) && event.c.value != 1');
    expect(evaluate(g, values({ a: 1, b: 0, c: 1 }))).toBe(false);
    expect(evaluate(parseRecoverCondition("event.mode.value == 'auto'"), values({ mode: 'auto' }))).toBe(true);
  });

  it('an unknown value never recovers', () => {
    expect(evaluate(parseRecoverCondition('event.t.value != 3'), values({}))).toBe(false);
  });

  it('refuses anything that is not the grammar, with the position', () => {
    for (const [text, msg] of [
      ['event.t.value <', 'expected event.<property>.value or a value but found the end'],
      ['process.exit(1)', "unknown word 'process'"],
      ['event.t.value <= 80 and', 'found the end'],
      ['(event.t.value <= 80', "expected ')'"],
      ['1 < 2', 'needs event.<property>.value on one side'],
      ['event.t.value = 1', "unexpected '='"],
      ['event.t.val > 1', 'expected event.<property>.value'],
    ] as const)
      expect(() => parseRecoverCondition(text), text).toThrow(msg);
    expect(() => parseRecoverCondition(`${'('.repeat(40)}event.a.value > 1${')'.repeat(40)}`)).toThrow('nested parentheses');
  });
});

describe('time ranges', () => {
  const night = { begin: 22 * 3600, end: 6 * 3600, timezone: 'Asia/Shanghai' };
  it('crosses midnight in Asia/Shanghai (UTC+8, no DST): begin inside, end outside', () => {
    expect(inTimeRange(night, Date.parse('2024-03-01T13:59:59Z'))).toBe(false); // 21:59:59
    expect(inTimeRange(night, Date.parse('2024-03-01T14:00:00Z'))).toBe(true); // 22:00:00
    expect(inTimeRange(night, Date.parse('2024-03-01T16:00:00Z'))).toBe(true); // 00:00:00
    expect(inTimeRange(night, Date.parse('2024-03-01T21:59:59Z'))).toBe(true); // 05:59:59
    expect(inTimeRange(night, Date.parse('2024-03-01T22:00:00Z'))).toBe(false); // 06:00:00
  });

  it('a day range in UTC and an equal begin and end (the whole day)', () => {
    const day = { begin: 8 * 3600, end: 18 * 3600, timezone: 'UTC' };
    expect(inTimeRange(day, Date.parse('2024-07-01T08:00:00Z'))).toBe(true);
    expect(inTimeRange(day, Date.parse('2024-07-01T18:00:00Z'))).toBe(false);
    expect(inTimeRange({ begin: 0, end: 0, timezone: 'UTC' }, Date.parse('2024-07-01T03:00:00Z'))).toBe(true);
  });

  it('follows a zone with summer time (Europe/Berlin) on both sides of the change', () => {
    // 07:30 local: 06:30Z in winter (UTC+1), 05:30Z in summer (UTC+2).
    expect(secondsOfDay(Date.parse('2024-03-30T06:30:00Z'), 'Europe/Berlin')).toBe(7.5 * 3600);
    expect(secondsOfDay(Date.parse('2024-04-02T05:30:00Z'), 'Europe/Berlin')).toBe(7.5 * 3600);
    // And Asia/Shanghai the same UTC instants: always UTC+8.
    expect(secondsOfDay(Date.parse('2024-03-30T06:30:00Z'), 'Asia/Shanghai')).toBe(14.5 * 3600);
    expect(secondsOfDay(Date.parse('2024-04-02T06:30:00Z'), 'Asia/Shanghai')).toBe(14.5 * 3600);
  });
});

describe('the gateway thing model', () => {
  it('declares the AlarmRecord event with the H7 fields and the AlarmRule* services, and parses as TSL', async () => {
    const { readFileSync } = await import('node:fs');
    const { parseThingModel } = await import('../../edge/thing/tsl.js');
    const tsl = parseThingModel(JSON.parse(readFileSync(new URL('../../config/gateway/PEGateway.json', import.meta.url), 'utf8')));
    expect(
      tsl.events
        .get('AlarmRecord')!
        .outputData.map((p) => p.identifier)
        .sort(),
    ).toEqual([
      'alarmContent',
      'alarmId',
      'alarmLevel',
      'alarmMode',
      'alarmName',
      'alarmType',
      'auxiliaryLevel',
      'confirm',
      'confirmComment',
      'confirmTime',
      'confirmType',
      'deviceName',
      'extConfig',
      'operator',
      'productKey',
      'productName',
      'recovery',
      'recoveryTime',
      'restrictAlarmType',
      'sceneId',
      'time',
    ]);
    expect([...tsl.services.keys()].sort()).toEqual([
      'AlarmRuleAddOrUpdate',
      'AlarmRuleDelete',
      'AlarmRuleDetailGet',
      'AlarmRuleQuery',
      'AlarmRuleStatusUpdate',
    ]);
  });
});

describe('the rules section of the box config', () => {
  it('reports every wrong field of an inline rule with its config path, as edge check shows it', async () => {
    const { rulesConfigProblems, parseRulesConfig } = await import('../../edge/rules/config.js');
    expect(
      rulesConfigProblems({ alarmRules: [ruleOf(H8[1]), ruleOf(H8[2], { alarmLevel: 5, sceneConfig: '{}' })] }).map((p) => p.path),
    ).toEqual([
      '/rules/alarmRules/1/alarmLevel',
      '/rules/alarmRules/1/sceneConfig.type',
      '/rules/alarmRules/1/sceneConfig.trigger',
      '/rules/alarmRules/1/sceneConfig.action',
    ]);
    expect(rulesConfigProblems({ colour: 'red' })[0]?.path).toBe('/rules/colour');
    expect(parseRulesConfig(undefined)).toMatchObject({ enabled: true, alarmRules: [], openListed: 200 });
  });
});
