/** Common endpoints: remoteOpen, alarmEvent, keep-open, temperature rule (seed 001 L35101-35420). */
import { ParamError, asObj, int, optStr, type Obj } from '../validate.js';

/**
 * Alarm types (L35180-35195): 0 tamper, 1 tamper cleared, 2 invalid door card, 3 invalid BLE
 * card, 4 forced open, 5 forced open cleared, 6 door left open, 7 door-left-open cleared.
 */
export const ALARM_TYPES = [
  'tamper',
  'tamperCleared',
  'invalidCard',
  'invalidBleCard',
  'forcedOpen',
  'forcedOpenCleared',
  'doorOpenTimeout',
  'doorOpenTimeoutCleared',
] as const;

export interface AlarmEventRequest {
  alarmType: number;
  cardId?: string;
}

export function parseAlarmEvent(o: Obj): AlarmEventRequest {
  const alarmType = int(o, 'alarmType', { min: 0, max: 7 });
  const cardId = optStr(o, 'cardId', { min: 1, max: 64, lenient: true });
  // cardId is required when alarmType is 2 or 3 (L35197-35199).
  if ((alarmType === 2 || alarmType === 3) && cardId === undefined) throw new ParamError('cardId is required for alarmType 2 and 3');
  return cardId === undefined ? { alarmType } : { alarmType, cardId };
}

export interface KeepOpen {
  keepOpen: 0 | 1;
}

/** `data` is declared a JSONArray but the example is an object (L35254 vs L35281): the object wins. */
export function parseKeepOpenData(o: Obj): KeepOpen {
  return { keepOpen: int(asObj(o.data, 'data'), 'keepOpen', { min: 0, max: 1 }) as 0 | 1 };
}

export function parseKeepOpenReplyData(o: Obj): KeepOpen {
  return { keepOpen: int(o, 'keepOpen', { min: 0, max: 1 }) as 0 | 1 };
}

export interface TempCheckRule {
  isCheck: 0 | 1;
  maxThreshold?: string;
  minThreshold?: string;
}

const CELSIUS = /^\d{1,2}(\.\d{1,2})?$/;

export function parseTempCheckRule(o: Obj): TempCheckRule {
  const d = asObj(o.data, 'data');
  const isCheck = int(d, 'isCheck', { min: 0, max: 1 }) as 0 | 1;
  const maxThreshold = optStr(d, 'maxThreshold', { pattern: CELSIUS, lenient: true });
  const minThreshold = optStr(d, 'minThreshold', { pattern: CELSIUS, lenient: true });
  if (maxThreshold !== undefined && minThreshold !== undefined && Number(minThreshold) > Number(maxThreshold)) {
    throw new ParamError('minThreshold above maxThreshold');
  }
  return { isCheck, ...(maxThreshold !== undefined ? { maxThreshold } : {}), ...(minThreshold !== undefined ? { minThreshold } : {}) };
}
