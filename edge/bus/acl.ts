/**
 * Topic rights of a local-bus user: the MQTT topic filters it may read (subscribe) and write
 * (publish). A subscription is granted only when one of the user's read filters covers every
 * topic it could ever match — checked once at SUBSCRIBE, so delivery costs nothing per message.
 */

export interface BusRights {
  read: readonly string[];
  write: readonly string[];
}

/** A user the config names without rights had all of them before rights existed: keep that. */
export const ALL_RIGHTS: BusRights = { read: ['#'], write: ['#'] };

/** What the generated default user gets unless an installer grants more: watching, not acting. */
export const READ_ONLY: BusRights = { read: ['#'], write: [] };

/** Why a topic filter is not valid MQTT (3.1.1 §4.7), or undefined. */
export function filterProblem(filter: string): string | undefined {
  if (filter === '') return 'an empty topic filter';
  if (Buffer.byteLength(filter) > 1024) return 'a topic filter longer than 1024 bytes';
  if (filter.includes('\u0000')) return 'a NUL character in a topic filter';
  const levels = filter.split('/');
  for (const [i, l] of levels.entries()) {
    if (l.includes('#') && (l !== '#' || i !== levels.length - 1)) return `"${filter}": # must be a whole level and the last one`;
    if (l.includes('+') && l !== '+') return `"${filter}": + must be a whole level`;
  }
  return undefined;
}

/** Whether a concrete topic matches a filter; `$` topics are matched only by filters naming `$` (MQTT 4.7.2). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** Whether every topic `filter` can match is also matched by `right` (a right covers a subscription). */
export function filterCovers(right: string, filter: string): boolean {
  const r = right.split('/');
  const f = filter.split('/');
  if (filter.startsWith('$') && (r[0] === '+' || r[0] === '#')) return false;
  for (let i = 0; i < r.length; i++) {
    if (r[i] === '#') return true;
    if (i >= f.length) return false;
    if (f[i] === '#') return false; // the subscription reaches deeper than the right
    if (r[i] === '+') continue;
    if (r[i] !== f[i]) return false; // a literal right never covers a wildcard level
  }
  return r.length === f.length;
}

export const mayRead = (rights: BusRights, filter: string): boolean => rights.read.some((r) => filterCovers(r, filter));
export const mayWrite = (rights: BusRights, topic: string): boolean => rights.write.some((w) => topicMatches(w, topic));

/** `--read '/sys/#,/edge/#'` or repeated flags: the filters, each checked. */
export function parseFilterList(values: readonly string[]): { filters: string[]; problems: string[] } {
  const filters = values
    .flatMap((v) => v.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return { filters: [...new Set(filters)], problems: filters.map(filterProblem).filter((p): p is string => p !== undefined) };
}
