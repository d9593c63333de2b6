/**
 * MANSCDP bodies (GB/T 28181-2016 Annex A, `Application/MANSCDP+xml`): the XML of MESSAGE
 * requests. Cameras send GB2312/GB18030 (most Chinese vendors) or UTF-8; the declared encoding of
 * the XML prolog (or the Content-Type charset) decides, and a body that is not valid UTF-8 is read
 * as GB18030 (a superset of GB2312). Only the commands this slice serves are typed; the rest come
 * back as `other` with their CmdType so the caller can answer 200 and log them.
 */
import { XMLBuilder, XMLParser } from 'fast-xml-parser';

export type Root = 'Query' | 'Notify' | 'Response' | 'Control';

export interface CatalogItem {
  deviceId: string;
  name: string;
  manufacturer?: string;
  model?: string;
  parentId?: string;
  civilCode?: string;
  address?: string;
  /** `ON` / `OFF` as the device says (Annex A.2.4: "ON"/"OFF"; some send "ONLINE"). */
  status?: string;
}

export type Manscdp =
  | { root: 'Notify'; cmd: 'Keepalive'; sn: number; deviceId: string; status: string }
  | { root: 'Response'; cmd: 'Catalog'; sn: number; deviceId: string; sumNum: number; items: CatalogItem[] }
  | { root: 'Response'; cmd: 'DeviceInfo' | 'DeviceStatus'; sn: number; deviceId: string; info: Record<string, string> }
  | { root: Root; cmd: string; sn: number; deviceId: string; other: true; fields: Record<string, unknown> };

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  processEntities: true,
  isArray: (name) => name === 'Item',
});

/** The text of a body in its declared encoding. */
export function decodeBody(body: Buffer, contentType?: string): string {
  const head = body.subarray(0, 100).toString('latin1');
  const declared = /encoding\s*=\s*["']([^"']+)["']/i.exec(head)?.[1] ?? /charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1];
  if (declared && /^gb/i.test(declared)) return new TextDecoder('gb18030').decode(body);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return new TextDecoder('gb18030').decode(body);
  }
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : undefined);

function items(list: unknown): CatalogItem[] {
  const raw = (list as { Item?: unknown[] } | undefined)?.Item ?? [];
  const out: CatalogItem[] = [];
  for (const it of raw.slice(0, 1000)) {
    if (typeof it !== 'object' || it === null) continue;
    const r = it as Record<string, unknown>;
    const deviceId = text(r.DeviceID);
    if (!deviceId || !/^\d{20}$/.test(deviceId)) continue;
    const opt = (k: string) => text(r[k]);
    out.push({
      deviceId,
      name: (opt('Name') ?? '').slice(0, 64),
      ...(opt('Manufacturer') ? { manufacturer: opt('Manufacturer')!.slice(0, 64) } : {}),
      ...(opt('Model') ? { model: opt('Model')!.slice(0, 64) } : {}),
      ...(opt('ParentID') ? { parentId: opt('ParentID')!.slice(0, 64) } : {}),
      ...(opt('CivilCode') ? { civilCode: opt('CivilCode')!.slice(0, 32) } : {}),
      ...(opt('Address') ? { address: opt('Address')!.slice(0, 128) } : {}),
      ...(opt('Status') ? { status: opt('Status')!.toUpperCase().slice(0, 16) } : {}),
    });
  }
  return out;
}

function flat(r: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(r)) {
    const t = text(v);
    if (t !== undefined && !['CmdType', 'SN', 'DeviceID'].includes(k)) out[k] = t.slice(0, 256);
  }
  return out;
}

/**
 * A Keepalive written the usual way (A.2.5.2's element order, ASCII, no more than a short
 * `Info`), read without the XML parser and without decoding the body to a string first: at
 * 1,000 cameras it is most of what the box receives (16.7 a second at 60 s intervals), and the
 * full parse was most of the driver's steady CPU (docs/video.md, benchmark). Anything else —
 * another order, attributes, comments, a long body — is left to `parseManscdp`.
 */
const KEEPALIVE =
  /^\s*(?:<\?xml[^>]{0,80}\?>)?\s*<Notify>\s*<CmdType>Keepalive<\/CmdType>\s*<SN>(\d{1,10})<\/SN>\s*<DeviceID>(\d{20})<\/DeviceID>\s*<Status>\s*([A-Za-z]{1,16})\s*<\/Status>\s*(?:<Info>[^<]{0,200}(?:<[^<>]{1,40}>[^<]{0,200}){0,8}<\/Info>\s*)?<\/Notify>\s*$/;

export function quickKeepalive(body: Buffer): Extract<Manscdp, { cmd: 'Keepalive' }> | undefined {
  if (body.length > 1024) return undefined;
  const m = KEEPALIVE.exec(body.toString('latin1'));
  if (!m) return undefined;
  return { root: 'Notify', cmd: 'Keepalive', sn: Number(m[1]), deviceId: m[2]!, status: m[3]! };
}

/** A MANSCDP body, or a reason it is not one. */
export function parseManscdp(xml: string): { ok: true; value: Manscdp } | { ok: false; reason: string } {
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml, true) as Record<string, unknown>;
  } catch (err) {
    return { ok: false, reason: `not XML: ${(err as Error).message.slice(0, 120)}` };
  }
  const root = (['Notify', 'Response', 'Query', 'Control'] as const).find((r) => typeof doc[r] === 'object' && doc[r] !== null);
  if (!root) return { ok: false, reason: 'no Notify, Response, Query or Control element' };
  const r = doc[root] as Record<string, unknown>;
  const cmd = text(r.CmdType);
  const sn = Number(text(r.SN));
  const deviceId = text(r.DeviceID);
  if (!cmd || !Number.isInteger(sn) || !deviceId) return { ok: false, reason: 'CmdType, SN or DeviceID missing' };
  if (root === 'Notify' && cmd === 'Keepalive') return { ok: true, value: { root, cmd, sn, deviceId, status: text(r.Status) ?? '' } };
  if (root === 'Response' && cmd === 'Catalog') {
    const sumNum = Number(text(r.SumNum) ?? 0);
    return { ok: true, value: { root, cmd, sn, deviceId, sumNum: Number.isInteger(sumNum) ? sumNum : 0, items: items(r.DeviceList) } };
  }
  if (root === 'Response' && (cmd === 'DeviceInfo' || cmd === 'DeviceStatus'))
    return { ok: true, value: { root, cmd, sn, deviceId, info: flat(r) } };
  return { ok: true, value: { root, cmd, sn, deviceId, other: true, fields: r } };
}

const builder = new XMLBuilder({ format: true, suppressEmptyNode: false });

/** A Query the box sends (Catalog, DeviceInfo, DeviceStatus; Annex A.2.4), declared GB2312 as cameras expect; its content is ASCII. */
export function buildQuery(cmd: 'Catalog' | 'DeviceInfo' | 'DeviceStatus', sn: number, deviceId: string): Buffer {
  const xml = builder.build({ Query: { CmdType: cmd, SN: sn, DeviceID: deviceId } }) as string;
  return Buffer.from(`<?xml version="1.0" encoding="GB2312"?>\n${xml}`, 'latin1');
}

/** A body in the shape devices send, UTF-8 (for tests and simulators). */
export function buildDeviceXml(root: Root, fields: Record<string, unknown>): Buffer {
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [root]: fields }) as string}`, 'utf8');
}
