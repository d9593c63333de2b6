/**
 * Checks of the box's requests to an adapter before they are sent (R28, R29, R31, R32), with the
 * adapter API's own 804 naming the failing parameter. The cloud's requests reach these through the
 * adapter device's services; a request that fails here never reaches the adapter.
 */
import { paramError } from './codes.js';
import { isObj, optInt, optStr, reqBase64, reqInt, reqNum, reqOneOf, reqPicType, reqSeconds, reqStr, type Obj } from './fields.js';
import { checkCameraAddress, MAX_PICTURE_CHARS } from './messages.js';

export const WEEK_DAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'] as const;
/** Event types that can be armed (setRule, L42520-42540): 1-8 and 100; 9-13 only report (A13). */
export const ARMABLE_EVENT_TYPES = [1, 2, 3, 4, 5, 6, 7, 8, 100] as const;

const HM = '([01]?\\d|2[0-3]):[0-5]\\d';
/** A time range, `0:00-2:00` or `00:00-23:59` (both spellings are the seed's, A12). */
const TIME_RANGE = new RegExp(`^${HM}-${HM}$`);
const HHMM = new RegExp(`^${HM}$`);
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

function reqArray(o: Obj, key: string, max = 1000): unknown[] {
  const v = o[key];
  if (!Array.isArray(v) || v.length === 0 || v.length > max) throw paramError(key);
  return v;
}

function elements(o: Obj, key: string, max?: number): Obj[] {
  return reqArray(o, key, max).map((e) => {
    if (!isObj(e)) throw paramError(key);
    return e;
  });
}

function weekDay(o: Obj): void {
  if (!(WEEK_DAYS as readonly unknown[]).includes(o.weekDay)) throw paramError('weekDay');
}

/** alarmDeploy/setRule (L42468-42598): the rule is what the box keeps and sends again after a re-authentication. */
export function checkSetRule(o: Obj): void {
  checkCameraAddress(o, [2, 3]);
  reqOneOf(o, 'eventType', ARMABLE_EVENT_TYPES);
  for (const rule of elements(o, 'alarmRule', 7 * 4)) {
    weekDay(rule);
    for (const slot of elements(rule, 'timeSlot', 96)) {
      if (typeof slot.time !== 'string' || !TIME_RANGE.test(slot.time)) throw paramError('time');
      reqInt(slot, 'interval', 0, 86_400);
      optStr(slot, 'timeExtInfo', 1024);
    }
    // bindGroup: the face libraries of a face recognition rule (L42550, "valid when eventType == 1").
    // The table marks it required, but the seed's own example (a type-1 rule, L42570-42590) has
    // none: it is checked when given, and its absence is passed on.
    if (rule.bindGroup !== undefined) for (const g of elements(rule, 'bindGroup', 64)) reqStr(g, 'groupId', 63);
    optStr(rule, 'extInfo', 1024);
  }
}

/** alarmDeploy/getRule (L42600-42730). */
export function checkGetRule(o: Obj): void {
  checkCameraAddress(o, [2, 3]);
  reqOneOf(o, 'eventType', ARMABLE_EVENT_TYPES);
}

/** captureTime as the table's List of `hh:mm`, also read from the example's comma string (A14). */
export function captureTimes(v: unknown): string[] {
  const list = typeof v === 'string' ? v.split(',').map((s) => s.trim()) : v;
  if (!Array.isArray(list) || list.length === 0 || list.length > 1440) throw paramError('captureTime');
  for (const t of list) if (typeof t !== 'string' || !HHMM.test(t)) throw paramError('captureTime');
  return list as string[];
}

/** capture/setTask (L43152-43296): exactly one of captureWeekDay and cron; dates `YYYY-MM-DD`. */
export function checkSetTask(o: Obj): void {
  reqStr(o, 'taskId', 64);
  for (const d of elements(o, 'deviceList', 1000)) checkCameraAddress(d, [2, 3]);
  for (const k of ['startDate', 'endDate']) if (typeof o[k] !== 'string' || !DATE.test(o[k] as string)) throw paramError(k);
  if ((o.startDate as string) > (o.endDate as string)) throw paramError('endDate');
  const byWeek = o.captureWeekDay !== undefined;
  if (byWeek === (o.cron !== undefined)) throw paramError(byWeek ? 'cron' : 'captureWeekDay');
  if (byWeek)
    for (const w of elements(o, 'captureWeekDay', 7)) {
      weekDay(w);
      captureTimes(w.captureTime);
    }
  else for (const c of reqArray(o, 'cron', 100)) if (typeof c !== 'string' || c.length === 0 || c.length > 128) throw paramError('cron');
  reqOneOf(o, 'status', [0, 1] as const);
  optStr(o, 'extInfo', 1024);
}

/** record/get (L43553-43700): at most 24 h, 0 < minSimilarity < maxSimilarity < 1, pageSize in (1, 20]. */
export function checkRecordGet(o: Obj, paged = true): void {
  reqBase64(o, 'picBase64', MAX_PICTURE_CHARS);
  reqPicType(o, 'picType');
  reqInt(o, 'recordLimit', 1, 100_000);
  const start = reqSeconds(o, 'startTime');
  const end = reqSeconds(o, 'endTime');
  if (end < start || end - start > 86_400) throw paramError('endTime');
  const min = reqNum(o, 'minSimilarity', 0, 1, true);
  const max = reqNum(o, 'maxSimilarity', 0, 1, true);
  if (max <= min) throw paramError('maxSimilarity');
  if (!paged) return;
  optInt(o, 'pageNo', 1, 1_000_000);
  // "pageSize>1&pageSize<=20" (L43600): read as written (A16).
  optInt(o, 'pageSize', 2, 20);
}

/** The face library's length limits (R28): groupName, groupId ≤ 63, faceId ≤ 31, name ≤ 63. */
export function checkFaceFields(o: Obj): void {
  const limits: Record<string, number> = { groupName: 63, groupId: 63, faceId: 31, name: 63, facePicUrl: 2048, extInfo: 1024 };
  for (const [k, max] of Object.entries(limits)) if (o[k] !== undefined) reqStr(o, k, max);
  optInt(o, 'pageNo', 1, 1_000_000);
  optInt(o, 'pageSize', 1, 1000);
}
