/**
 * `condition/timeRange` (seed 001 L30905-30913): a daily window `beginDate`–`endDate` in
 * `HH:mm:ss`, read in the rule's `timezoneID` (IANA name, e.g. `Asia/Shanghai`). A window whose
 * end is before its begin crosses midnight (22:00:00–06:00:00 is the night). The begin is inside,
 * the end outside; begin equal to end is the whole day.
 */

export interface TimeRange {
  /** Seconds after local midnight. */
  begin: number;
  end: number;
  timezone: string;
}

const HMS = /^([01]\d|2[0-3]):([0-5]\d):([0-5]\d)$/;

/** `HH:mm:ss` → seconds after midnight, or undefined. */
export function parseHms(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = HMS.exec(text);
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : undefined;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Whether Intl knows the zone (the only zone data the box has). */
export function isTimezone(name: unknown): name is string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 64) return false;
  try {
    formatterOf(name);
    return true;
  } catch {
    return false;
  }
}

function formatterOf(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timezone, f);
  }
  return f;
}

/** Seconds after local midnight in `timezone` at UTC ms `t` (DST handled by Intl's zone data). */
export function secondsOfDay(t: number, timezone: string): number {
  let h = 0;
  let m = 0;
  let s = 0;
  for (const p of formatterOf(timezone).formatToParts(t)) {
    if (p.type === 'hour') h = Number(p.value);
    else if (p.type === 'minute') m = Number(p.value);
    else if (p.type === 'second') s = Number(p.value);
  }
  return h * 3600 + m * 60 + s;
}

export function inTimeRange(range: TimeRange, t: number): boolean {
  if (range.begin === range.end) return true;
  const now = secondsOfDay(t, range.timezone);
  return range.begin < range.end ? now >= range.begin && now < range.end : now >= range.begin || now < range.end;
}
