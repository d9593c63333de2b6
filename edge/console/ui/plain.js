// Plain language for what the box, drivers and devices report: states, alarm kinds, answers,
// protocol codes inside driver messages, value labels. Every text comes from the catalogue
// (msg-codes.js, msg-errors.js, msg-eba.js); anything not recognised is shown as it came.
import { t, has } from './i18n.js';

/** A catalogue text for `key`, or `fallback` when the catalogue has none. */
const known = (key, fallback, vars) => (has(key) ? t(key, vars) : fallback);

export const driverStateText = (state) => known(`driverState.${state}`, String(state));

export const passKindText = (kind) => known(`passKind.${kind}`, String(kind));

/**
 * An alarm's kind: the box's own (device.offline, driver.failed…), a refused pass
 * (refused.<passKind>), else a device event — named by its thing model when the box sent the name.
 */
export function alarmKindText(kind, title) {
  if (kind.startsWith('refused.')) return t('alarmKind.refused', { kind: passKindText(kind.slice(8)) });
  return known(`alarmKind.${kind}`, title || kind);
}

/**
 * What a recent alarm says: a device event's parameters with their names and value labels (the
 * box sends them as `fields`), a refused pass's result code, else the reason in words.
 */
export function alarmDetail(a) {
  if (a.fields) return a.fields.map((f) => `${f.name}: ${f.label ? `${f.label} (${f.value})` : f.value}`).join(' · ');
  return a.kind.startsWith('refused.') ? passResultLine(a.message) : plainReason(a.message);
}

/** A door pass result: the seed's code in words ("103 QR code does not exist" → 二维码不存在). */
export function passResultText(code, message) {
  if (code === 0) return t('pass.code.0');
  return `${known(`pass.code.${code}`, message ?? '')} (${code})`;
}

/** The same for a result given as one text "<code> <message>" (access records and alarms). */
export function passResultLine(text) {
  const m = /^(\d{1,5}) (.*)$/.exec(String(text ?? ''));
  return m ? passResultText(Number(m[1]), m[2]) : String(text ?? '');
}

const bacnet = (cls, code) =>
  t('bacnet.error', {
    cls: known(`bacnet.class.${cls}`, String(cls)),
    code: known(`bacnet.code.${code}`, t('bacnet.code.other', { n: code })),
  });

// The formats are the drivers' and protocols' own messages: drivers/bacnet-v3 (point-results.ts,
// read-now.ts), protocols/bacnet/errors.ts, protocols/modbus/frames.ts, protocols/door-standard/errors.ts.
const PROTOCOL_PATTERNS = [
  [/device error class (\d+) code (\d+)/g, (_, c, n) => bacnet(Number(c), Number(n))],
  [/BACnet error [\w-]+\/[\w-]+ \(class (\d+), code (\d+)\)/g, (_, c, n) => bacnet(Number(c), Number(n))],
  [
    /modbus exception (\d+) \([^)]*\)(?: to function 0x[0-9a-f]+)?/gi,
    (_, n) => t('modbus.exception', { n, text: known(`modbus.exception.${Number(n)}`, t('modbus.exception.other')) }),
  ],
  [/answered code (1|4|5|6|7|99): [^;()]*/g, (_, n) => t('door.code', { code: n, text: t(`door.code.${n}`) })],
];

// The box's own reasons for a device going offline (edge/host/reports.ts, edge/thing, the runtime)
// and a driver process's exit (edge/host/driver-process.ts).
const BOX_REASONS = [
  [/^driver stopped by the box \(redeploy or restart\)$/, () => t('reason.driverStopped')],
  [/^enabled; waiting for its driver$/, () => t('reason.waitingDriver')],
  [/^box stopping$/, () => t('reason.boxStopping')],
  [/exited with code (\d+)/g, (_, n) => t('reason.exited', { n })],
  [/^driver down: (.*)$/s, (_, reason) => t('reason.driverDown', { reason })],
];

/** A driver's or device's message with the protocol codes and the box's own reasons in it put into words. */
export function plainReason(text) {
  let s = String(text ?? '');
  for (const [re, fn] of [...PROTOCOL_PATTERNS, ...BOX_REASONS]) s = s.replace(re, fn);
  return s;
}

export const cloudStateText = (state) => known(`cloudState.${state}`, String(state));

/**
 * A device answer {code, message, errorCode?} as "OK" or "failed: <reason>". `errorCode` is the
 * catalogue code the console adds to failed answers; the driver's own message follows it when it
 * says more than the code's text.
 */
export function answerText(r) {
  if (r.code === 200) return t('answer.ok');
  const reason = plainReason(r.message);
  const named = r.errorCode ? known(`err.${r.errorCode}`, '') : '';
  return t('answer.failed', { reason: named ? (reason ? `${named} — ${reason}` : named) : reason || String(r.code) });
}

/** A value with its label from the thing model: bool and enum specs name their values. */
export function valueText(dataType, v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'object') return JSON.stringify(v);
  const label = (dataType?.type === 'bool' || dataType?.type === 'enum') && dataType.specs?.[String(v)];
  return label ? `${label} (${v})` : String(v);
}

// A service that only reads (its identifier starts with a reading verb, or names a query) runs at
// once; every other service changes or resets something (open, reset, reboot, set, sync, clear…)
// and asks first. A list of reading verbs, not of writing ones: an unknown service asks.
const READS = /^(get|query|fetch|list|search|find|read|check)|Query$|Detail$|Search$/i;

export const needsConfirm = (service) => !READS.test(service.identifier);

// EBA import row reasons (edge/eba/table-schema.ts, validate.ts, profiles): the known forms in words.
const EBA_REASONS = [
  [/^required$/, 'eba.why.required'],
  [/^required column is missing$/, 'eba.why.columnMissing'],
  [/^sheet (?<sheet>.+) is missing$/, 'eba.why.sheetMissing'],
  [/^longer than (?<n>\d+) characters$/, 'eba.why.tooLong'],
  [/^must be a whole number (?<min>-?\d+)\.\.(?<max>-?\d+)$/, 'eba.why.integer'],
  [/^must be a number$/, 'eba.why.number'],
  [/^must be a hexadecimal register address/, 'eba.why.hex'],
  [/^must be an IPv4 address$/, 'eba.why.ipv4'],
  [/^unknown (?<what>[^;]+); use one of: (?<list>.*)$/, 'eba.why.oneOf'],
  [/^use 1-(?<n>\d+) letters, digits/, 'eba.why.name'],
  [/^duplicate: already used on row (?<row>\d+)$/, 'eba.why.duplicate'],
  [/^unknown channel: not in the channel sheet$/, 'eba.why.unknownChannel'],
  [/^unknown point: not in the point sheet/, 'eba.why.unknownPoint'],
  [/^no thing model with this productKey on the box$/, 'eba.why.noModel'],
  [/^property not in the thing model (?<pk>.+)$/, 'eba.why.noProperty'],
  [/^device already has category (?<pk>.+) on row (?<row>\d+)$/, 'eba.why.otherCategory'],
  [/^property already mapped for this device on row (?<row>\d+)$/, 'eba.why.mappedTwice'],
  [/^a (?<type>\S+) point feeds (only )?a text property, (?<prop>\S+) is (?<is>\S+)$/, 'eba.why.textOnly'],
  [/^a (?<type>\S+) point feeds a number, bool or enum property, (?<prop>\S+) is (?<is>\S+)$/, 'eba.why.numberOnly'],
];

/** The first pattern that matches, as its catalogue text with the named groups; else the text as it came. */
function byPatterns(patterns, text) {
  for (const [re, key, vars] of patterns) {
    const m = re.exec(text);
    if (m) return t(key, vars ? vars(m.groups) : m.groups);
  }
  return text;
}

/** An EBA row problem's reason in the user's language (the server's English when not recognised). */
export const ebaReason = (reason) => byPatterns(EBA_REASONS, reason);

// The config checker's messages: edge/config/load.ts's, TypeBox's (node_modules/@sinclair/typebox
// errors/function) and edge/config/driver-set.ts's.
const typeName = (g) => ({ ...g, type: t(`check.type.${g.type}`) });
const CONFIG_MESSAGES = [
  [/^not valid YAML\/JSON: (?<detail>.*)$/s, 'check.syntax'],
  [/^the config must be a mapping/, 'check.mapping'],
  [/^Expected required property$/, 'check.required'],
  [/^Unexpected property$/, 'check.unexpected'],
  [/^Expected (?<type>string|number|integer|boolean|object|array)$/, 'check.type', typeName],
  [/^Expected union value$/, 'check.union'],
  [/^expected a list$/, 'check.type', () => ({ type: t('check.type.array') })],
  [/^Expected (integer|number) to be greater or equal to (?<n>\S+)$/, 'check.min'],
  [/^Expected (integer|number) to be less or equal to (?<n>\S+)$/, 'check.max'],
  [/^Expected string length greater or equal to (?<n>\d+)$/, 'check.minLength'],
  [/^Expected string length less or equal to (?<n>\d+)$/, 'check.maxLength'],
  [/^Expected string to match '(?<pattern>.+)'$/, 'check.pattern'],
  [/^Expected array length to be greater or equal to (?<n>\d+)$/, 'check.minItems'],
  [/^Expected array length to be less or equal to (?<n>\d+)$/, 'check.maxItems'],
  [/^duplicate driver name (?<name>.+)$/, 'check.duplicateDriver'],
  [/^a bus driver needs busUser/, 'check.busUser'],
  [/^a driver needs a type or a module$/, 'check.driverType'],
  [/^driver (?<name>\S+) is not installed$/, 'check.notInstalled'],
  [/^device (?<key>\S+) already listed under driver (?<owner>\S+)$/, 'check.deviceTwice'],
  [/^no thing model for product (?<pk>\S+)$/, 'check.noModel'],
];

/** A config problem's message in the user's language (the checker's English when not recognised). */
export const configMessage = (message) => byPatterns(CONFIG_MESSAGES, message);

// The checkers' hints (edge/config/load.ts hintFor, driver-set.ts, edge/host/sdk/settings.ts
// hintOf, driver-settings.ts): their fixed forms in words; a setting's own description inside one
// stays as the driver wrote it.
const CONFIG_HINTS = [
  [/^see docs\/(?<doc>[\w.-]+\.md)(?<rest>.*)$/s, 'hint.seeDocs'],
  [/^remove (?<key>\S+) or check its spelling against docs\/config\.md$/, 'hint.spelling'],
  [/^add this field$/, 'hint.addField'],
  [/^write a whole number$/, 'hint.wholeNumber'],
  [/^allowed: (?<d>.*)$/s, 'hint.allowed'],
  [/^use a value in the allowed range$/, 'hint.range'],
  [/^must match (?<p>.*)$/s, 'hint.mustMatch'],
  [/^check the length limits in docs\/config\.md$/, 'hint.length'],
  [/^use one of the values listed in docs\/config\.md$/, 'hint.listed'],
  [/^one of (?<list>.*)$/s, 'hint.oneOf'],
  [/^an IPv4 address like 192\.168\.1\.20 or a host name(?<d>.*)$/s, 'hint.ipv4OrHost'],
  [/^an IPv4 address like 192\.168\.1\.20(?<d>.*)$/s, 'hint.ipv4'],
  [/^text or a whole number(?<d>.*)$/s, 'hint.textOrInt'],
  [/^a whole number from (?<min>\S+) to (?<max>\S+)(?<d>.*)$/s, 'hint.intRange'],
  [/^did you mean (?<guess>.+)\?$/, 'hint.didYouMean'],
  [/^remove it; known keys: (?<keys>.*)$/s, 'hint.knownKeys'],
  [/^write a YAML list \(- item\) or a JSON array$/, 'hint.list'],
  [/^fix the syntax at the line shown$/, 'hint.syntax'],
  [/^start from config\/box\.example\.yaml$/, 'hint.example'],
  [/^give every driver instance its own name$/, 'hint.driverName'],
  [/^add a user under bus\.users and name it here$/, 'hint.busUser'],
  [/^type: demo-sim \(a folder of drivers\/\) or module: \/path\/to\/driver$/, 'hint.driverType'],
  [/^check the name against the folders of drivers\/ or install the package$/, 'hint.installed'],
  [/^a device belongs to exactly one driver$/, 'hint.oneDriver'],
  [/^add a TSL JSON file with profile\.productKey (?<pk>\S+) to a thingModels folder$/, 'hint.addTsl'],
  [/^give each listener its own port$/, 'hint.ownPort'],
  [/^reinstall the driver$/, 'hint.reinstall'],
];

/** A config problem's hint in the user's language (the checker's English when not recognised). */
export const configHint = (hint) => byPatterns(CONFIG_HINTS, hint);
