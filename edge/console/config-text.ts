/**
 * The console's form edits of the box config text: one driver (with its devices) replaced,
 * added or removed in the YAML document (comments elsewhere in the file survive), each
 * problem of a check placed on the line it is about, and a line diff of old and new text for
 * the preview before a deploy.
 */
import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { ConfigProblem } from '../config/sections.js';

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

/** The config text with one driver replaced, added or removed. */
export function applyDriverEdit(text: string, edit: DriverEdit): string {
  const doc = parseDocument(text);
  if (doc.errors.length) throw new EditError(`the config file is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  let drivers = doc.get('drivers');
  if (!isSeq(drivers)) {
    doc.set('drivers', doc.createNode([]));
    drivers = doc.get('drivers');
  }
  const seq = drivers as { items: unknown[]; flow?: boolean };
  seq.flow = false;
  const at = edit.of === undefined ? -1 : seq.items.findIndex((d) => isMap(d) && d.get('name') === edit.of);
  if (edit.of !== undefined && at < 0) throw new EditError(`no driver ${edit.of} in the config`);
  if (!edit.driver) {
    seq.items.splice(at, 1);
    return textOf(doc);
  }
  const node = driverNode(doc, edit.driver);
  if (at >= 0) seq.items[at] = node;
  else seq.items.push(node);
  return textOf(doc);
}

// No folding: a device written on one line stays on one line, so the diff shows only what changed.
const textOf = (doc: Document): string => doc.toString({ lineWidth: 0 });

/** Keys in the config's usual order, devices one per line (flow style) as `edge import points` writes them. */
function driverNode(doc: Document, d: DriverForm): unknown {
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
  const node = doc.createNode(plain);
  const devices = (node as { get(k: string): unknown }).get('devices') as { items: Array<{ flow?: boolean }> };
  for (const item of devices.items) item.flow = true;
  return node;
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
