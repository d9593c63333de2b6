/**
 * The two event formats DC-09 carries, read into one shape, and what each code means to the box.
 *
 * - `ADM-CID` (Ademco Contact ID, SIA DC-05): `#acct|QEEE GG ZZZ` — qualifier Q (1 new event or
 *   opening, 3 restore or closing, 6 previously reported, still present), event code EEE, group
 *   (partition) GG, zone or user ZZZ; digits may be hex (B-F) as in DC-05.
 * - `SIA-DCS` (SIA DC-03 blocks): `#acct|N` then fields separated by `/`: lower-case modifiers
 *   with a numeric value (`ri1` area, `id12` user, `ti10:00` time, `pi` …) and events, two
 *   upper-case letters and an address of up to 6 digits (`BA001`, burglary alarm zone 1), with
 *   an optional `^text^`. `Nri1/BA001/BA002` is two events of area 1.
 *
 * The category tables below list the codes the box acts on; any other code is `other` and its
 * event is logged, not mapped.
 */

export type EventKind = 'alarm' | 'restore' | 'arm' | 'disarm' | 'test' | 'status' | 'other';

/** What an alarm or restore is about. */
export type AlarmCategory =
  | 'burglary'
  | 'perimeter'
  | 'tamper'
  | 'fire'
  | 'panic'
  | 'medical'
  | 'loopOpen'
  | 'loopShort'
  | 'trouble'
  | 'nonBurglary';

export interface PanelEvent {
  format: 'CID' | 'SIA';
  /** `130` (CID) or `BA` (SIA). */
  code: string;
  kind: EventKind;
  category?: AlarmCategory;
  /** Partition or area as sent ('' when the message names none). */
  area: string;
  /** Zone (alarms) or user (openings and closings) as sent ('' when none). */
  zone: string;
  text?: string;
}

export class Dc09EventError extends Error {}

// Contact ID event codes (SIA DC-05 list) by the category the box maps.
const CID_CATEGORY: Readonly<Record<string, AlarmCategory>> = {
  ...Object.fromEntries(['100', '101', '102'].map((c) => [c, 'medical' as const])),
  ...Object.fromEntries(['110', '111', '112', '113', '114', '115', '116', '117', '118'].map((c) => [c, 'fire' as const])),
  ...Object.fromEntries(['120', '121', '122', '123', '124', '125', '126'].map((c) => [c, 'panic' as const])),
  ...Object.fromEntries(['130', '132', '133', '134', '135', '136', '138', '139', '146'].map((c) => [c, 'burglary' as const])),
  131: 'perimeter',
  137: 'tamper',
  140: 'nonBurglary',
  141: 'loopOpen',
  142: 'loopShort',
  143: 'trouble',
  144: 'tamper',
  145: 'tamper',
  147: 'trouble',
  ...Object.fromEntries(
    ['150', '151', '152', '153', '154', '155', '156', '157', '158', '159', '161', '162'].map((c) => [c, 'nonBurglary' as const]),
  ),
  371: 'loopOpen',
  372: 'loopShort',
  383: 'tamper',
};
/** Openings and closings (arm/disarm): qualifier 1 opening = disarm, 3 closing = arm. */
const CID_OPEN_CLOSE = new Set(['400', '401', '402', '403', '404', '405', '406', '407', '408', '409', '441', '442']);
/** Periodic and manual test reports. */
const CID_TEST = new Set(['601', '602', '603']);

const CID = /^([136])([0-9A-Fa-f]{3}) ([0-9A-Fa-f]{2}) ([0-9A-Fa-f]{3})$/;

export function parseContactId(text: string): PanelEvent {
  const m = CID.exec(text);
  if (!m) throw new Dc09EventError('Contact ID data is not "QEEE GG ZZZ"');
  const [q, code, area, zone] = [m[1]!, m[2]!.toUpperCase(), m[3]!, m[4]!];
  const base = { format: 'CID' as const, code, area, zone };
  let category = CID_CATEGORY[code];
  if (!category && code.startsWith('3')) category = 'trouble';
  if (category) {
    if (q === '6') return { ...base, kind: 'status', category };
    return { ...base, kind: q === '1' ? 'alarm' : 'restore', category };
  }
  if (CID_OPEN_CLOSE.has(code)) return { ...base, kind: q === '1' ? 'disarm' : q === '3' ? 'arm' : 'status' };
  if (CID_TEST.has(code)) return { ...base, kind: 'test' };
  return { ...base, kind: 'other' };
}

// SIA DC-03 event codes: alarm code → [restore code, category].
const SIA_PAIRS: ReadonlyArray<readonly [string, string, AlarmCategory]> = [
  ['BA', 'BR', 'burglary'],
  ['TA', 'TR', 'tamper'],
  ['ES', 'EJ', 'tamper'],
  ['FA', 'FR', 'fire'],
  ['KA', 'KR', 'fire'],
  ['PA', 'PR', 'panic'],
  ['HA', 'HR', 'panic'],
  ['MA', 'MR', 'medical'],
  ['GA', 'GR', 'nonBurglary'],
  ['WA', 'WR', 'nonBurglary'],
  ['QA', 'QR', 'nonBurglary'],
  ['UA', 'UR', 'nonBurglary'],
  ['BT', 'BJ', 'trouble'],
  ['FT', 'FJ', 'trouble'],
  ['UT', 'UJ', 'trouble'],
  ['AT', 'AR', 'trouble'],
  ['YT', 'YR', 'trouble'],
];
const SIA_ALARM = new Map(SIA_PAIRS.map(([a, , c]) => [a, c]));
const SIA_RESTORE = new Map(SIA_PAIRS.map(([, r, c]) => [r, c]));
const SIA_ARM = new Set(['CL', 'CA', 'CG', 'CS', 'NL']);
const SIA_DISARM = new Set(['OP', 'OA', 'OG', 'OS', 'OR']);
const SIA_TEST = new Set(['RP', 'RX']);

function siaEvent(code: string, area: string, zone: string, text: string | undefined): PanelEvent {
  const base = { format: 'SIA' as const, code, area, zone, ...(text !== undefined ? { text } : {}) };
  const alarm = SIA_ALARM.get(code);
  if (alarm) return { ...base, kind: 'alarm', category: alarm };
  const restore = SIA_RESTORE.get(code);
  if (restore) return { ...base, kind: 'restore', category: restore };
  if (SIA_ARM.has(code)) return { ...base, kind: 'arm' };
  if (SIA_DISARM.has(code)) return { ...base, kind: 'disarm' };
  if (SIA_TEST.has(code)) return { ...base, kind: 'test' };
  return { ...base, kind: 'other' };
}

const SIA_FIELD = /\/?(?:([a-z]{2})([0-9:]*)|([A-Z]{2})(\d{0,6})(?:\^([^^]*)\^)?)/y;

/** The events of one SIA DCS block (the part after `#acct|`). */
export function parseSiaBlock(text: string): PanelEvent[] {
  if (text[0] !== 'N' && text[0] !== 'O') throw new Dc09EventError('SIA data must start with N (new event) or O (old event)');
  const old = text[0] === 'O';
  const events: PanelEvent[] = [];
  let area = '';
  SIA_FIELD.lastIndex = 1;
  while (SIA_FIELD.lastIndex < text.length) {
    const at = SIA_FIELD.lastIndex;
    const m = SIA_FIELD.exec(text);
    if (!m || SIA_FIELD.lastIndex === at) throw new Dc09EventError(`SIA data: cannot read from position ${at}`);
    if (m[1] === 'ri') area = m[2]!;
    else if (m[3]) {
      const e = siaEvent(m[3], area, m[4]!, m[5]);
      events.push(old && (e.kind === 'alarm' || e.kind === 'restore') ? { ...e, kind: 'status' } : e);
    }
  }
  if (events.length === 0) throw new Dc09EventError('SIA data names no event');
  return events;
}
