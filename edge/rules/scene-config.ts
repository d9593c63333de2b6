/**
 * `sceneConfig` / `lowSceneConfig` of an EBA alarm rule: the IFTTT JSON of seed 001 L30483-31094
 * (digest 001d §3.H H8), checked field by field and compiled into what the evaluator runs.
 * Every problem names its path (`sceneConfig.trigger.params.compareType`), so the cloud, the
 * console and the rules file all get the same per-field answer. docs/rules.md has the format and
 * every judgement call.
 */
import { type Bad, type FieldProblem, isObject } from './field-problems.js';
import { ExprError, parseRecoverCondition, propertiesOf, rebind, type Expr } from './recover-expr.js';
import { parseTrigger, type Trigger } from './scene-trigger.js';
import { isTimezone, parseHms, type TimeRange } from './time-range.js';

export const TIME_RANGE_URI = 'condition/timeRange';
export const SCENE_INFO_ACTION = 'action/mqtt/pub/sceneInfo';

export type Pause =
  | { type: 'time'; stateDurationS: number }
  | { type: 'count'; windowIntervalMin: number; conditionMatchNum: number; continuousMatch: boolean; executeOnce: boolean };

export interface Scene {
  trigger: Trigger;
  timeRanges: TimeRange[];
  pause: Pause;
  /** Recovery as evaluated (rebound to the trigger's property when the text named another one). */
  recover: Expr | undefined;
  /** The property the trigger watches (`status` for a statusChange trigger): what recovery reads. */
  watched: string;
}

export interface SceneResult {
  scene?: Scene;
  problems: FieldProblem[];
  /** Accepted, but worth telling the author (a recovery rebound to the trigger's property). */
  warnings: FieldProblem[];
}

const MAX_SCENE_BYTES = 64 * 1024;

/**
 * Parse and check one scene config. `raw` is the JSON string of the protocol (an object is taken
 * as already parsed: the rules file and the console may write it inline). `ruleProductKey` must
 * match the trigger's; `multiDevice` decides whether the trigger must name a device.
 */
export function parseSceneConfig(raw: unknown, field: string, ctx: { productKey: string | undefined; multiDevice: boolean }): SceneResult {
  const problems: FieldProblem[] = [];
  const warnings: FieldProblem[] = [];
  const bad = (path: string, message: string): void => void problems.push({ field: path ? `${field}.${path}` : field, message });
  let json: unknown = raw;
  if (typeof raw === 'string') {
    if (Buffer.byteLength(raw) > MAX_SCENE_BYTES) {
      bad('', `longer than ${MAX_SCENE_BYTES} bytes`);
      return { problems, warnings };
    }
    try {
      json = JSON.parse(raw);
    } catch (err) {
      bad('', `not valid JSON: ${(err as Error).message}`);
      return { problems, warnings };
    }
  }
  if (!isObject(json)) {
    bad('', 'must be a JSON object (as a string)');
    return { problems, warnings };
  }
  if (json.type !== 'IFTTT') bad('type', 'must be "IFTTT"');

  const trigger = parseTrigger(json.trigger, bad, ctx);
  const timeRanges = parseConditions(json.condition, bad);
  parseActions(json.action, bad);
  const features = parseFeatures(json.features, bad);

  const recover = features.recoverText === undefined ? undefined : parseRecover(features.recoverText, trigger, field, bad, warnings);
  if (problems.length > 0 || !trigger) return { problems, warnings };
  return {
    scene: { trigger, timeRanges, pause: features.pause, recover, watched: trigger.kind === 'property' ? trigger.property : 'status' },
    problems,
    warnings,
  };
}

/**
 * The recovery expression. The seed: "Must be the opposite of the condition in trigger." Its
 * examples 4 and 6 name another property (level for state, temp for level); the recovery is bound
 * to the watched one, with a warning.
 */
function parseRecover(text: string, trigger: Trigger | undefined, field: string, bad: Bad, warnings: FieldProblem[]): Expr | undefined {
  let expr: Expr;
  try {
    expr = parseRecoverCondition(text);
  } catch (err) {
    if (err instanceof ExprError) bad('features.supportPauseRule.recoverCondition', err.message);
    else throw err;
    return undefined;
  }
  const watched = trigger ? (trigger.kind === 'property' ? trigger.property : 'status') : undefined;
  const others = propertiesOf(expr).filter((p) => p !== watched);
  if (watched === undefined || others.length === 0) return expr;
  warnings.push({
    field: `${field}.features.supportPauseRule.recoverCondition`,
    message: `names ${others.map((p) => `event.${p}.value`).join(', ')} but the trigger watches ${watched}: evaluated as event.${watched}.value (the recovery must be the opposite of the trigger)`,
  });
  return rebind(expr, watched);
}

function parseConditions(raw: unknown, bad: Bad): TimeRange[] {
  if (raw === undefined || raw === null) return [];
  // The seed shows one condition object; a list (all must hold) is accepted for several.
  const list = Array.isArray(raw) ? raw : [raw];
  const out: TimeRange[] = [];
  list.forEach((c, i) => {
    const at = Array.isArray(raw) ? `condition[${i}]` : 'condition';
    if (!isObject(c) || c.uri !== TIME_RANGE_URI) {
      bad(`${at}.uri`, `must be "${TIME_RANGE_URI}" (the only condition the format defines)`);
      return;
    }
    const p = c.params;
    if (!isObject(p)) {
      bad(`${at}.params`, 'required: {beginDate, endDate, format, timezoneID}');
      return;
    }
    const begin = parseHms(p.beginDate);
    const end = parseHms(p.endDate);
    if (begin === undefined) bad(`${at}.params.beginDate`, 'must be HH:mm:ss (00:00:00-23:59:59)');
    if (end === undefined) bad(`${at}.params.endDate`, 'must be HH:mm:ss (00:00:00-23:59:59)');
    if (p.format !== undefined && p.format !== 'HH:mm:ss') bad(`${at}.params.format`, 'must be "HH:mm:ss"');
    if (!isTimezone(p.timezoneID)) bad(`${at}.params.timezoneID`, 'must be an IANA time zone such as Asia/Shanghai');
    if (begin !== undefined && end !== undefined && isTimezone(p.timezoneID)) out.push({ begin, end, timezone: p.timezoneID });
  });
  return out;
}

function parseActions(raw: unknown, bad: Bad): void {
  if (!Array.isArray(raw) || raw.length === 0) {
    bad('action', `required: [{uri: "${SCENE_INFO_ACTION}", params: {env: "edge"}}]`);
    return;
  }
  raw.forEach((a, i) => {
    if (!isObject(a) || a.uri !== SCENE_INFO_ACTION)
      bad(`action[${i}].uri`, `must be "${SCENE_INFO_ACTION}" (the only action the box runs: the alarm record)`);
    else if (
      a.params !== undefined &&
      (!isObject(a.params) || (a.params.env !== undefined && a.params.env !== 'edge' && a.params.env !== 'cloud'))
    )
      bad(`action[${i}].params.env`, 'must be "edge" or "cloud"');
  });
}

interface Features {
  pause: Pause;
  recoverText: string | undefined;
}

function parseFeatures(raw: unknown, bad: Bad): Features {
  const dflt: Features = { pause: { type: 'time', stateDurationS: 0 }, recoverText: undefined };
  if (raw === undefined || raw === null) return dflt;
  if (!isObject(raw)) {
    bad('features', 'must be an object');
    return dflt;
  }
  const spr = raw.supportPauseRule;
  if (spr === undefined) return dflt;
  const at = 'features.supportPauseRule';
  if (!isObject(spr)) {
    bad(at, 'must be an object');
    return dflt;
  }
  const params = spr.pauseParams ?? {};
  if (!isObject(params)) bad(`${at}.pauseParams`, 'must be an object');
  const p = isObject(params) ? params : {};
  let pause: Pause = dflt.pause;
  if (spr.pauseType === 'time') {
    const d = p.stateDuration;
    if (d !== undefined && (!Number.isInteger(d) || (d as number) < 1 || (d as number) > 3600))
      bad(`${at}.pauseParams.stateDuration`, 'must be whole seconds, 1-3600');
    else pause = { type: 'time', stateDurationS: (d as number | undefined) ?? 0 };
  } else if (spr.pauseType === 'count') {
    const w = p.windowInterval;
    const n = p.conditionMatchNum;
    if (!Number.isInteger(w) || (w as number) < 1 || (w as number) > 60)
      bad(`${at}.pauseParams.windowInterval`, 'required: whole minutes, 1-60');
    if (!Number.isInteger(n) || (n as number) < 1 || (n as number) > 1000)
      bad(`${at}.pauseParams.conditionMatchNum`, 'required: a count, 1-1000');
    for (const k of ['continuousMatch', 'executeOnce'] as const)
      if (p[k] !== undefined && typeof p[k] !== 'boolean') bad(`${at}.pauseParams.${k}`, 'must be true or false');
    if (Number.isInteger(w) && Number.isInteger(n)) {
      pause = {
        type: 'count',
        windowIntervalMin: w as number,
        conditionMatchNum: n as number,
        continuousMatch: p.continuousMatch === true,
        executeOnce: p.executeOnce !== false,
      };
    }
  } else bad(`${at}.pauseType`, 'must be "time" or "count"');
  if (spr.scope !== undefined && spr.scope !== 'device') bad(`${at}.scope`, 'must be "device"');
  if (spr.notifyTypeOnRecover !== undefined && spr.notifyTypeOnRecover !== 'MQTT') bad(`${at}.notifyTypeOnRecover`, 'must be "MQTT"');
  if (spr.notifyTopicOnRecover !== undefined && typeof spr.notifyTopicOnRecover !== 'string')
    bad(`${at}.notifyTopicOnRecover`, 'must be text (it is ignored: the box chooses the topic)');
  const rc = spr.recoverCondition;
  if (rc !== undefined && typeof rc !== 'string') bad(`${at}.recoverCondition`, 'must be an expression over event.<property>.value');
  return { pause, recoverText: typeof rc === 'string' ? rc : undefined };
}
