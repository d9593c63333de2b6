/**
 * The rules of the rules benchmark: the nine shapes of the seed's appendix (L30487-31094) and a
 * tenth, spread over the devices of the EBA Modbus scenario, 1 in 100 of them `multiDevice`.
 */

/** A point of the given layout kind (0 uint16 0..999, 1 int16 -100..99, 2 float 0..250, 3 uint32 × 0.01 0..100000). */
const pointOf = (points: number, kind: number, n: number): string => `P${(n % (points / 4)) * 4 + kind}`;

const ACTION = [{ uri: 'action/mqtt/pub/sceneInfo', params: { env: 'edge' } }];

const pauseRule = (pauseType: 'time' | 'count', pauseParams: object, recoverCondition: string) => ({
  supportPauseRule: { pauseType, pauseParams, scope: 'device', recoverCondition, notifyTypeOnRecover: 'MQTT' },
});
const timePause = (stateDuration: number | undefined, recover: string) =>
  pauseRule('time', stateDuration ? { stateDuration } : {}, recover);
const countPause = (windowInterval: number, conditionMatchNum: number, recover: string) =>
  pauseRule('count', { windowInterval, conditionMatchNum, continuousMatch: true, executeOnce: true }, recover);

/** A property shape: the point kind it watches, its comparison, and the scene's other parts given the property. */
interface PropertyShape {
  kind: number;
  compareType: string;
  compareValue: unknown;
  features: (p: string) => object;
  condition?: object;
}

const SHAPES: PropertyShape[] = [
  { kind: 0, compareType: '>', compareValue: 990, features: (p) => timePause(undefined, `event.${p}.value <= 990`) },
  { kind: 2, compareType: '>', compareValue: 249, features: (p) => timePause(900, `event.${p}.value <= 249`) },
  { kind: 0, compareType: '>', compareValue: 980, features: (p) => timePause(undefined, `event.${p}.value <= 980`) },
  { kind: 0, compareType: '==', compareValue: 500, features: (p) => timePause(undefined, `event.${p}.value != 500`) },
  {
    kind: 2,
    compareType: 'beyond',
    compareValue: [1, 249],
    features: (p) => timePause(300, `event.${p}.value >= 1 and event.${p}.value <= 249`),
  },
  { kind: 1, compareType: '>', compareValue: 90, features: (p) => countPause(60, 5, `event.${p}.value <= 90`) },
  {
    kind: 0,
    compareType: '==',
    compareValue: 7,
    features: (p) => timePause(undefined, `event.${p}.value != 7`),
    condition: {
      uri: 'condition/timeRange',
      params: { beginDate: '00:00:01', endDate: '00:00:00', format: 'HH:mm:ss', timezoneID: 'Asia/Shanghai' },
    },
  },
  { kind: 1, compareType: '>', compareValue: 95, features: (p) => countPause(1, 10, `event.${p}.value <= 95`) },
];
/** Shape 8 is the status trigger; 9 and above this one. */
const LAST: PropertyShape = {
  kind: 3,
  compareType: '>',
  compareValue: 99_000,
  features: (p) => timePause(undefined, `event.${p}.value <= 99000`),
};

/** One of the shapes on device `dn` (undefined: multiDevice). */
function sceneOf(pk: string, points: number, shape: number, n: number, dn: string | undefined): Record<string, unknown> {
  const device = { productKey: pk, ...(dn ? { deviceName: dn } : {}) };
  if (shape === 8)
    return {
      type: 'IFTTT',
      trigger: { uri: 'trigger/device/statusChange', params: { ...device, status: 3 } },
      action: ACTION,
      features: timePause(undefined, 'event.status.value != 3'),
    };
  const s = SHAPES[shape] ?? LAST;
  const propertyName = pointOf(points, s.kind, n);
  const trigger = {
    uri: 'trigger/device/property',
    params: { ...device, propertyName, compareType: s.compareType, compareValue: s.compareValue },
  };
  return { type: 'IFTTT', trigger, ...(s.condition ? { condition: s.condition } : {}), action: ACTION, features: s.features(propertyName) };
}

/** How many of `count` rules are multiDevice: 1 in 100, at most 100. */
export const multiDeviceOf = (count: number): number => Math.min(100, Math.floor(count / 100));

/** `count` rules over `devices` devices of product `pk` with `points` points each. */
export function benchRules(count: number, pk: string, devices: number, points: number): unknown[] {
  const multi = multiDeviceOf(count);
  const out: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const isMulti = i < multi;
    const dn = isMulti ? undefined : `dev-${i % devices}`;
    const shape = i % 10;
    out.push({
      alarmRuleId: `bench-${i}`,
      alarmName: `bench ${i}`,
      alarmLevel: i % 4,
      alarmContent: `shape ${shape}`,
      productKey: pk,
      sceneConfig: JSON.stringify(sceneOf(pk, points, shape, Math.floor(i / 10) + i, dn)),
      alarmType: 1,
      alarmMode: 1,
      runEnv: 'edge',
      multiDevice: isMulti ? 1 : 0,
    });
  }
  return out;
}
