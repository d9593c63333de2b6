/**
 * The trigger of a scene config (seed 001 L30483-31094, digest 001d §3.H H8): a property
 * comparison or a status change of the rule's product's devices, checked field by field, and the
 * comparison run on a reported value.
 */
import { type Bad, isNumber, isObject } from './field-problems.js';
import { compareValues, type CompareOp } from './recover-expr.js';

export const PROPERTY_URI = 'trigger/device/property';
export const STATUS_URI = 'trigger/device/statusChange';

export const COMPARE_TYPES = ['>', '>=', '<', '<=', '==', '!=', 'beyond', 'within'] as const;
export type CompareType = (typeof COMPARE_TYPES)[number];
/** Device status codes a statusChange trigger may name (spec 001c; 3 = offline). */
export const STATUS_CODES = [0, 1, 3, 8] as const;

export type Trigger =
  | {
      kind: 'property';
      productKey: string;
      deviceName?: string;
      property: string;
      compareType: CompareType;
      compareValue: number | string | boolean | readonly [number, number];
    }
  | { kind: 'status'; productKey: string; deviceName?: string; status: number };

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

type PropertyTrigger = Extract<Trigger, { kind: 'property' }>;
type TriggerDevice = { productKey: string; deviceName?: string };

export function parseTrigger(raw: unknown, bad: Bad, ctx: { productKey: string | undefined; multiDevice: boolean }): Trigger | undefined {
  if (!isObject(raw)) {
    bad('trigger', 'required: {uri, params}');
    return undefined;
  }
  const params = raw.params;
  if (raw.uri !== PROPERTY_URI && raw.uri !== STATUS_URI) {
    bad('trigger.uri', `must be "${PROPERTY_URI}" or "${STATUS_URI}"`);
    return undefined;
  }
  if (!isObject(params)) {
    bad('trigger.params', 'required: an object');
    return undefined;
  }
  let ok = true;
  const fail: Bad = (path, message) => {
    ok = false;
    bad(`trigger.params.${path}`, message);
  };
  const productKey = params.productKey;
  if (typeof productKey !== 'string' || productKey === '') fail('productKey', 'required: the productKey of the devices');
  else if (ctx.productKey !== undefined && productKey !== ctx.productKey)
    fail('productKey', `must be the rule's productKey ${ctx.productKey}`);
  const deviceName = params.deviceName;
  if (deviceName !== undefined && (typeof deviceName !== 'string' || deviceName === '' || deviceName.length > 64))
    fail('deviceName', 'must be a deviceName (1-64 characters)');
  if (!ctx.multiDevice && deviceName === undefined) fail('deviceName', 'required when multiDevice is 0 (the rule watches one device)');
  const device: TriggerDevice = {
    productKey: productKey as string,
    ...(typeof deviceName === 'string' && !ctx.multiDevice ? { deviceName } : {}),
  };

  if (raw.uri === STATUS_URI) {
    const status = params.status;
    if (!STATUS_CODES.includes(status as (typeof STATUS_CODES)[number]))
      fail('status', `must be one of ${STATUS_CODES.join(', ')} (3 = offline)`);
    return ok ? { kind: 'status', ...device, status: status as number } : undefined;
  }
  const trigger = parsePropertyTrigger(params, device, fail);
  return ok ? trigger : undefined;
}

/** The comparison of a property trigger: `propertyName`, `compareType` and a `compareValue` that fits it. */
function parsePropertyTrigger(params: Record<string, unknown>, device: TriggerDevice, fail: Bad): PropertyTrigger | undefined {
  const property = params.propertyName;
  if (typeof property !== 'string' || !IDENT.test(property)) fail('propertyName', 'required: a thing-model property identifier');
  const compareType = params.compareType;
  if (!COMPARE_TYPES.includes(compareType as CompareType)) fail('compareType', `must be one of ${COMPARE_TYPES.join(' ')}`);
  const value = params.compareValue;
  let compareValue: PropertyTrigger['compareValue'] | undefined;
  if (compareType === 'beyond' || compareType === 'within') {
    if (!Array.isArray(value) || value.length !== 2 || !isNumber(value[0]) || !isNumber(value[1]))
      fail('compareValue', `${String(compareType)} needs [low, high], two numbers`);
    else if ((value[0] as number) > (value[1] as number)) fail('compareValue', 'low must not be above high');
    else compareValue = [value[0] as number, value[1] as number] as const;
  } else if (compareType === '==' || compareType === '!=') {
    if (!isNumber(value) && typeof value !== 'string' && typeof value !== 'boolean')
      fail('compareValue', 'must be a number, text or boolean');
    else compareValue = value;
  } else if (COMPARE_TYPES.includes(compareType as CompareType)) {
    if (!isNumber(value)) fail('compareValue', `${String(compareType)} needs a number`);
    else compareValue = value;
  }
  if (compareValue === undefined) return undefined;
  return { kind: 'property', ...device, property: property as string, compareType: compareType as CompareType, compareValue };
}

/** Whether a property value satisfies the trigger's comparison. */
export function propertyMatches(t: PropertyTrigger, value: unknown): boolean {
  const cv = t.compareValue;
  if (t.compareType === 'beyond' || t.compareType === 'within') {
    const [low, high] = cv as readonly [number, number];
    const v = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
    if (!Number.isFinite(v)) return false;
    const inside = v >= low && v <= high;
    return t.compareType === 'within' ? inside : !inside;
  }
  return compareValues(t.compareType as CompareOp, value, cv);
}
