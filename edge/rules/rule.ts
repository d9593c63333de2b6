/**
 * An EBA alarm rule as `/alarm/rule/addorupdate` defines it (seed 001 L29629-29801, digest 001d
 * H1), checked field by field. The same check serves the cloud (`AlarmRuleAddOrUpdate`), the
 * console and the rules file in the box config, so every way in refuses the same things with the
 * same per-field messages.
 */
import { randomUUID } from 'node:crypto';
import { type Bad, type FieldProblem, isObject } from './field-problems.js';
import { parseSceneConfig, type Scene } from './scene-config.js';

/** The stored rule: every field of H1 plus `status`; scene configs kept as the JSON text given. */
export interface AlarmRule {
  alarmRuleId: string;
  alarmName: string;
  alarmLevel: number;
  auxiliaryLevel?: number;
  alarmContent: string;
  productKey: string;
  sceneConfig: string;
  lowSceneConfig?: string;
  extConfig?: string;
  receivers?: Array<{ type: 'EMAIL'; email: string }>;
  alarmType: number;
  alarmMode: number;
  timeWindow?: number;
  runEnv: 'edge';
  multiDevice: number;
  /** 1 enabled, 0 stopped. */
  status: number;
}

/** A rule ready to run: its high (or only) side and, in limit mode, its low side. */
export interface CompiledRule {
  rule: AlarmRule;
  /** restrictAlarmType: 1 high limit (also the only side of a threshold rule), 2 low limit. */
  sides: Array<{ side: 1 | 2; scene: Scene }>;
}

export type RuleCheck =
  | { ok: true; rule: AlarmRule; compiled: CompiledRule; warnings: FieldProblem[] }
  | { ok: false; problems: FieldProblem[] };

const ID = /^[A-Za-z0-9_.:-]{1,64}$/;
const PRODUCT_KEY = /^[A-Za-z0-9_-]{1,64}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}$/;

/** The protocol's integers, also when sent as numeric text (the seed's own query example sends `"alarmMode": "2"`). */
export function intOf(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d{1,9}$/.test(v.trim())) return Number(v.trim());
  return undefined;
}

/** A new rule id in the seed's style (a UUID without dashes, L29871). */
export const newRuleId = (): string => randomUUID().replace(/-/g, '');

/** Readers of one request's fields that report what is wrong with them and give the value only when it is right. */
function fieldReaders(r: Record<string, unknown>, bad: Bad) {
  const present = (field: string, required: boolean): boolean => {
    if (r[field] !== undefined && r[field] !== null) return true;
    if (required) bad(field, 'required');
    return false;
  };
  const text = (field: string, max: number, required: boolean): string | undefined => {
    if (!present(field, required)) return undefined;
    const v = r[field];
    if (typeof v !== 'string') bad(field, 'must be text');
    else if (required && v.trim() === '') bad(field, 'must not be empty');
    else if (v.length > max) bad(field, `longer than ${max} characters`);
    else return v;
    return undefined;
  };
  const int = (field: string, min: number, max: number, required: boolean, allowed?: readonly number[]): number | undefined => {
    if (!present(field, required)) return undefined;
    const n = intOf(r[field]);
    if (n === undefined) bad(field, 'must be an integer');
    else if (allowed ? !allowed.includes(n) : n < min || n > max)
      bad(field, allowed ? `must be one of ${allowed.join(', ')}` : `must be ${min}-${max}`);
    else return n;
    return undefined;
  };
  return { text, int };
}

/**
 * Check an add-or-update request. `existing` is the stored rule when `alarmRuleId` names one
 * (update: fields absent from the request keep their stored value only for `status`; the rest
 * of H1 is required as on add, because the protocol sends the whole rule).
 */
export function checkRule(input: unknown, existing?: AlarmRule): RuleCheck {
  const problems: FieldProblem[] = [];
  const bad: Bad = (field, message) => void problems.push({ field, message });
  if (!isObject(input)) return { ok: false, problems: [{ field: '', message: 'the rule must be an object of the addorupdate fields' }] };
  const r = input;

  const id = r.alarmRuleId;
  if (id !== undefined && id !== null && id !== '' && (typeof id !== 'string' || !ID.test(id)))
    bad('alarmRuleId', 'must be 1-64 characters of letters, digits, _ . : -');
  const { text, int } = fieldReaders(r, bad);
  const alarmName = text('alarmName', 128, true);
  const alarmLevel = int('alarmLevel', 0, 3, true);
  const auxiliaryLevel = int('auxiliaryLevel', 0, 999, false);
  const alarmContent = text('alarmContent', 1024, true);
  const productKey = text('productKey', 64, true);
  if (productKey !== undefined && !PRODUCT_KEY.test(productKey)) bad('productKey', 'must be a productKey (letters, digits, _ -)');
  const extConfig = text('extConfig', 4096, false);
  const alarmType = int('alarmType', 1, 2, true, [1, 2]);
  const alarmMode = int('alarmMode', 1, 2, true, [1, 2]);
  const timeWindow = int('timeWindow', 0, 86_400, false);
  const multiDevice = int('multiDevice', 0, 1, true, [0, 1]);
  const status = int('status', 0, 1, false, [0, 1]);
  checkRunEnv(r.runEnv, bad);
  const receivers = parseReceivers(r.receivers, bad);
  const scenes = compileSides(r, alarmMode, { productKey, multiDevice: multiDevice === 1 }, problems);

  if (problems.length > 0) return { ok: false, problems };
  const rule: AlarmRule = {
    alarmRuleId: typeof id === 'string' && id !== '' ? id : newRuleId(),
    alarmName: alarmName!,
    alarmLevel: alarmLevel!,
    ...(auxiliaryLevel !== undefined ? { auxiliaryLevel } : {}),
    alarmContent: alarmContent!,
    productKey: productKey!,
    sceneConfig: scenes.sceneText!,
    ...(scenes.lowText !== undefined ? { lowSceneConfig: scenes.lowText } : {}),
    ...(extConfig !== undefined ? { extConfig } : {}),
    ...(receivers && receivers.length > 0 ? { receivers } : {}),
    alarmType: alarmType!,
    alarmMode: alarmMode!,
    ...(timeWindow !== undefined && timeWindow > 0 ? { timeWindow } : {}),
    runEnv: 'edge',
    multiDevice: multiDevice!,
    status: status ?? existing?.status ?? 1,
  };
  return { ok: true, rule, compiled: { rule, sides: scenes.sides }, warnings: scenes.warnings };
}

function checkRunEnv(v: unknown, bad: Bad): void {
  if (v === undefined || v === null) bad('runEnv', 'required');
  else if (v !== 'edge')
    bad('runEnv', v === 'cloud' ? 'a cloud rule runs on the platform, not on this box: send runEnv "edge"' : 'must be "edge" or "cloud"');
}

function parseReceivers(v: unknown, bad: Bad): AlarmRule['receivers'] {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.length > 50) {
    bad('receivers', 'must be a list of at most 50 {type, email}');
    return undefined;
  }
  const receivers: NonNullable<AlarmRule['receivers']> = [];
  v.forEach((x: unknown, i) => {
    if (!isObject(x) || x.type !== 'EMAIL') bad(`receivers[${i}].type`, 'required: "EMAIL"');
    else if (typeof x.email !== 'string' || !EMAIL.test(x.email)) bad(`receivers[${i}].email`, 'required: an e-mail address');
    else receivers.push({ type: 'EMAIL', email: x.email });
  });
  return receivers;
}

const isBlank = (v: unknown): boolean => v === undefined || v === null || v === '';

/** The scene configs as stored text and compiled into the rule's sides; their problems added to `problems`. */
function compileSides(
  r: Record<string, unknown>,
  alarmMode: number | undefined,
  ctx: { productKey: string | undefined; multiDevice: boolean },
  problems: FieldProblem[],
): { sceneText: string | undefined; lowText: string | undefined; sides: CompiledRule['sides']; warnings: FieldProblem[] } {
  const sceneText = sceneString(r.sceneConfig);
  const lowText = sceneString(r.lowSceneConfig);
  if (isBlank(r.sceneConfig)) problems.push({ field: 'sceneConfig', message: 'required: the rule (IFTTT JSON as a string)' });
  if (alarmMode === 2 && isBlank(r.lowSceneConfig))
    problems.push({ field: 'lowSceneConfig', message: 'required in limit mode (alarmMode 2): the low-limit rule' });
  const warnings: FieldProblem[] = [];
  const sides: CompiledRule['sides'] = [];
  const compile = (side: 1 | 2, field: 'sceneConfig' | 'lowSceneConfig'): void => {
    const result = parseSceneConfig(r[field], field, ctx);
    problems.push(...result.problems);
    warnings.push(...result.warnings);
    if (result.scene) sides.push({ side, scene: result.scene });
  };
  if (sceneText !== undefined) compile(1, 'sceneConfig');
  // In threshold mode the low config is not part of the rule (kept as sent, not evaluated).
  if (alarmMode === 2 && lowText !== undefined) compile(2, 'lowSceneConfig');
  return { sceneText, lowText, sides, warnings };
}

/** Compile a stored rule (it passed `checkRule` when it was stored). */
export function compileStored(rule: AlarmRule): CompiledRule | undefined {
  const r = checkRule(rule);
  return r.ok ? { rule, sides: r.compiled.sides } : undefined;
}

function sceneString(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (isObject(v)) return JSON.stringify(v);
  return undefined;
}

/** `/alarm/rule/detail/get` (H4 shape; the seed names the content `content` there). */
export function ruleDetail(rule: AlarmRule): Record<string, unknown> {
  return {
    alarmRuleId: rule.alarmRuleId,
    alarmName: rule.alarmName,
    status: rule.status,
    sceneConfig: rule.sceneConfig,
    extConfig: rule.extConfig ?? '',
    alarmLevel: rule.alarmLevel,
    auxiliaryLevel: rule.auxiliaryLevel ?? 0,
    content: rule.alarmContent,
    productKey: rule.productKey,
    receivers: rule.receivers ?? [],
    alarmType: rule.alarmType,
    lowSceneConfig: rule.lowSceneConfig ?? '',
    runEnv: rule.runEnv,
    multiDevice: rule.multiDevice,
    alarmMode: rule.alarmMode,
    timeWindow: rule.timeWindow ?? 0,
  };
}

/** One row of `/alarm/rule/query` (H3). */
export function ruleSummary(rule: AlarmRule): Record<string, unknown> {
  return {
    alarmRuleId: rule.alarmRuleId,
    alarmName: rule.alarmName,
    status: rule.status,
    alarmLevel: rule.alarmLevel,
    auxiliaryLevel: rule.auxiliaryLevel ?? 0,
    content: rule.alarmContent,
    productKey: rule.productKey,
    alarmType: rule.alarmType,
    runEnv: rule.runEnv,
    multiDevice: rule.multiDevice,
    alarmMode: rule.alarmMode,
    timeWindow: rule.timeWindow ?? 0,
  };
}
