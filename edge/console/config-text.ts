/**
 * The console's form edits of the box config text: one driver (with its devices) replaced,
 * added or removed in the YAML document (comments elsewhere in the file survive), each
 * problem of a check placed on the line it is about, and a line diff of old and new text for
 * the preview before a deploy.
 */
import { Document, isMap, isNode, isSeq, LineCounter, parseDocument, type Node, type Tags, type YAMLMap, type YAMLSeq } from 'yaml';
import { ZERO_PADDED } from '../config/load.js';
import type { ConfigProblem } from '../config/sections.js';

// As the config loader reads it: `deviceId: 0012` stays the text 0012 (edge/config/load.ts).
export const YAML_OPTIONS = { customTags: (tags: Tags) => [ZERO_PADDED, ...tags] };

/** A driver as the form sends it: the config schema's shape (checked again by the deploy). */
export interface DriverForm {
  name: string;
  type?: string | undefined;
  module?: string | undefined;
  config?: Record<string, unknown> | undefined;
  devices: Array<{
    productKey: string;
    deviceName: string;
    alias?: string | undefined;
    disabled?: boolean | undefined;
    custom?: Record<string, unknown> | undefined;
  }>;
}

/** `of`: the name of the driver to replace or remove (absent: add); `driver`: the new one (absent: remove). */
export interface DriverEdit {
  of?: string | undefined;
  driver?: DriverForm | undefined;
}

export class EditError extends Error {}

/**
 * The config text with one driver replaced, added or removed. Only that driver's lines change:
 * the rest of the file is kept byte for byte (re-printing the whole document would restyle
 * lines the installer never touched, and the diff preview would show them).
 */
export function applyDriverEdit(text: string, edit: DriverEdit): string {
  const doc = parseDocument(text, YAML_OPTIONS);
  if (doc.errors.length) throw new EditError(`the config file is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  const drivers = doc.get('drivers');
  const items: unknown[] = isSeq(drivers) ? drivers.items : [];
  const at = edit.of === undefined ? -1 : items.findIndex((d) => isMap(d) && d.get('name') === edit.of);
  if (edit.of !== undefined && at < 0) throw new EditError(`no driver ${edit.of} in the config`);
  const old = items[at];
  const node = !edit.driver ? undefined : isMap(old) ? updateDriverNode(doc, old, edit.driver) : doc.createNode(plainDriver(edit.driver));
  if (node) for (const item of devicesOf(node)) if (!item.range) item.flow = true; // new devices one per line
  // A block list of drivers: splice the driver's lines. Otherwise (no list, `drivers: []`) print the document.
  const block = isSeq(drivers) && !drivers.flow && items.length > 0;
  if (!block) {
    if (at >= 0) items.splice(at, 1, ...(node ? [node] : []));
    else if (isSeq(drivers)) drivers.items.push(node);
    else doc.set('drivers', doc.createNode([node]));
    const seq = doc.get('drivers');
    if (isSeq(seq)) seq.flow = false;
    return textOf(doc);
  }
  const { start, end, indent } = itemLines(text, items[at >= 0 ? at : items.length - 1] as Node);
  const lines = node ? indentLines(itemText(node), indent) : '';
  return at >= 0 ? text.slice(0, start) + lines + text.slice(end) : text.slice(0, end) + lines + text.slice(end);
}

/** Where a block list item's lines start and end in the text, and the column of its dash. */
function itemLines(text: string, item: Node): { start: number; end: number; indent: number } {
  const [from, valueEnd] = item.range!;
  const dash = text.lastIndexOf('-', from);
  const start = text.lastIndexOf('\n', dash) + 1;
  let last = valueEnd;
  while (last > from && /\s/.test(text[last - 1]!)) last--;
  const nl = text.indexOf('\n', last);
  return { start, end: nl < 0 ? text.length : nl + 1, indent: dash - start };
}

function itemText(node: unknown): string {
  const single = new Document([]);
  (single.contents as YAMLSeq).items.push(node);
  return textOf(single);
}

const indentLines = (s: string, n: number): string =>
  s
    .split('\n')
    .map((l) => (l ? ' '.repeat(n) + l : l))
    .join('\n');

// No folding: a device written on one line stays on one line, so the diff shows only what changed.
const textOf = (doc: Document): string => doc.toString({ lineWidth: 0 });

/** Keys in the config's usual order; empty config and custom left out. */
function plainDriver(d: DriverForm): Record<string, unknown> {
  const plain: Record<string, unknown> = { name: d.name };
  if (d.type) plain.type = d.type;
  if (d.module) plain.module = d.module;
  if (d.config && Object.keys(d.config).length) plain.config = d.config;
  plain.devices = d.devices.map((dev) => ({
    productKey: dev.productKey,
    deviceName: dev.deviceName,
    ...(dev.alias ? { alias: dev.alias } : {}),
    ...(dev.disabled ? { disabled: true } : {}),
    ...(dev.custom && Object.keys(dev.custom).length ? { custom: dev.custom } : {}),
  }));
  return plain;
}

/** The same data whatever the key order and style. */
function sameValue(node: unknown, value: unknown): boolean {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, x]) => [k, canonical(x)]),
          )
        : v;
  const js: unknown = isNode(node) ? node.toJSON() : node;
  return JSON.stringify(canonical(js)) === JSON.stringify(canonical(value));
}

/**
 * Change a driver in place: a value the form did not change keeps its node (style, comments),
 * so the diff shows only what changed; keys the form does not edit (heapMb, transport…) stay.
 */
function updateDriverNode(doc: Document, node: YAMLMap, d: DriverForm): YAMLMap {
  const plain = plainDriver(d);
  for (const key of ['type', 'module', 'config']) if (!(key in plain) && node.has(key)) node.delete(key);
  for (const [key, value] of Object.entries(plain)) {
    if (key === 'devices' || sameValue(node.get(key, true), value)) continue;
    node.set(key, doc.createNode(value));
  }
  const oldDevices = node.get('devices', true);
  const before: unknown[] = isSeq(oldDevices) ? [...oldDevices.items] : [];
  const items = (plain.devices as unknown[]).map((dev) => {
    const i = before.findIndex((x) => sameValue(x, dev));
    return i >= 0 ? before.splice(i, 1)[0] : doc.createNode(dev);
  });
  if (isSeq(oldDevices)) {
    oldDevices.items = items;
    if (items.length) oldDevices.flow = false;
  } else node.set('devices', doc.createNode(items));
  return node;
}

function devicesOf(driver: unknown): Array<{ flow?: boolean; range?: unknown }> {
  const devices = isMap(driver) ? driver.get('devices', true) : undefined;
  return isSeq(devices) ? (devices.items as Array<{ flow?: boolean; range?: unknown }>) : [];
}

export interface PlacedProblem extends ConfigProblem {
  /** 1-based line of the text the problem is about; absent when it is about the whole file. */
  line?: number;
}

/**
 * Each problem with the line of the node its path names (or of the nearest parent that
 * exists: a missing key is reported on its object). YAML syntax errors carry their own line.
 */
export function placeProblems(text: string, problems: readonly ConfigProblem[]): PlacedProblem[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const syntax = doc.errors.map((e) => ({ line: e.linePos?.[0].line, message: e.message.split('\n')[0]! }));
  return problems.map((p) => {
    if (!p.path.startsWith('/')) {
      // Not a path in the document: the parse failed; the parser knows where.
      const s = syntax[0];
      return s?.line ? { ...p, line: s.line } : { ...p };
    }
    const keys = p.path
      .split('/')
      .slice(1)
      .map((k) => (/^\d+$/.test(k) ? Number(k) : k.replace(/~1/g, '/').replace(/~0/g, '~')));
    for (let n = keys.length; n > 0; n--) {
      const node = doc.getIn(keys.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && node.range) return { ...p, line: lineCounter.linePos(node.range[0]).line };
    }
    return { ...p };
  });
}

export type DiffLine = [op: ' ' | '+' | '-', text: string];

/**
 * A line diff (longest common subsequence; the common head and tail are cut first, so the
 * table stays small for a form edit of a long file).
 */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before.split('\n');
  const b = after.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  // lcs[i][j]: length of the common subsequence of x[i..] and y[j..].
  const lcs = Array.from({ length: x.length + 1 }, () => new Uint32Array(y.length + 1));
  for (let i = x.length - 1; i >= 0; i--)
    for (let j = y.length - 1; j >= 0; j--)
      lcs[i]![j] = x[i] === y[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: DiffLine[] = a.slice(0, head).map((l) => [' ', l]);
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) {
      out.push([' ', x[i++]!]);
      j++;
    } else if (i < x.length && (j === y.length || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) out.push(['-', x[i++]!]);
    else out.push(['+', y[j++]!]);
  }
  for (const l of a.slice(a.length - tail)) out.push([' ', l]);
  return out;
}
