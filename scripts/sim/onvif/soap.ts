/**
 * SOAP 1.2 pieces of the ONVIF camera simulator: reading a request (its action, its WS-Security
 * UsernameToken) and writing answers and faults in the shapes of the ONVIF specifications'
 * examples (Core: faults, device management, event handling; the Media and PTZ service specifications).
 */
import { XMLParser } from 'fast-xml-parser';
import type { UsernameToken } from '../../../protocols/onvif/wsse.js';

export const NS = {
  s: 'http://www.w3.org/2003/05/soap-envelope',
  tds: 'http://www.onvif.org/ver10/device/wsdl',
  trt: 'http://www.onvif.org/ver10/media/wsdl',
  tptz: 'http://www.onvif.org/ver20/ptz/wsdl',
  tev: 'http://www.onvif.org/ver10/events/wsdl',
  tt: 'http://www.onvif.org/ver10/schema',
  wsnt: 'http://docs.oasis-open.org/wsn/b-2',
  wsa: 'http://www.w3.org/2005/08/addressing',
  tns1: 'http://www.onvif.org/ver10/topics',
  ter: 'http://www.onvif.org/ver10/error',
} as const;

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
});

export type Node = Record<string, unknown>;
export const node = (v: unknown): Node => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Node) : {});
export const text = (v: unknown): string | undefined =>
  typeof v === 'string' ? v.trim() : typeof node(v)['#text'] === 'string' ? (node(v)['#text'] as string).trim() : undefined;

export interface SoapRequest {
  /** The body's first element, without prefix (`GetProfiles`). */
  action: string;
  body: Node;
  token?: UsernameToken;
}

/** The request, or undefined when it is not a SOAP envelope with a body element. */
export function parseRequest(xml: string): SoapRequest | undefined {
  let doc: unknown;
  try {
    doc = parser.parse(xml, true);
  } catch {
    return undefined;
  }
  const env = node(node(doc).Envelope);
  const body = node(env.Body);
  const action = Object.keys(body).find((k) => !k.startsWith('@') && k !== '#text');
  if (!action) return undefined;
  const ut = node(node(node(env.Header).Security).UsernameToken);
  const username = text(ut.Username);
  const digest = text(ut.Password);
  const nonce = text(ut.Nonce);
  const created = text(ut.Created);
  const token =
    username !== undefined && digest !== undefined && nonce !== undefined && created !== undefined
      ? { username, digest, nonce, created }
      : undefined;
  return { action, body: node(body[action]), ...(token ? { token } : {}) };
}

export const escapeXml = (s: string) =>
  s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

export function envelope(body: string): string {
  const xmlns = Object.entries(NS)
    .map(([k, v]) => `xmlns:${k}="${v}"`)
    .join(' ');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<s:Envelope ${xmlns}><s:Body>${body}</s:Body></s:Envelope>`;
}

/** A SOAP fault (ONVIF Core, error handling): `code` Sender/Receiver, `subcode` like `ter:NotAuthorized`. */
export function fault(code: 'Sender' | 'Receiver', subcode: string, reason: string, subsub?: string): string {
  const inner = subsub ? `<s:Subcode><s:Value>${subsub}</s:Value></s:Subcode>` : '';
  return envelope(
    `<s:Fault><s:Code><s:Value>s:${code}</s:Value><s:Subcode><s:Value>${subcode}</s:Value>${inner}</s:Subcode></s:Code>` +
      `<s:Reason><s:Text xml:lang="en">${escapeXml(reason)}</s:Text></s:Reason></s:Fault>`,
  );
}

export function utcDateTime(d: Date): string {
  return (
    `<tt:UTCDateTime><tt:Time><tt:Hour>${d.getUTCHours()}</tt:Hour><tt:Minute>${d.getUTCMinutes()}</tt:Minute><tt:Second>${d.getUTCSeconds()}</tt:Second></tt:Time>` +
    `<tt:Date><tt:Year>${d.getUTCFullYear()}</tt:Year><tt:Month>${d.getUTCMonth() + 1}</tt:Month><tt:Day>${d.getUTCDate()}</tt:Day></tt:Date></tt:UTCDateTime>`
  );
}

/** ISO 8601 duration `PT…` in ms (PT1M, PT10S, PT0.5S); undefined for anything else. */
export function durationMs(s: string | undefined): number | undefined {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$/.exec(s ?? '');
  if (!m || (!m[1] && !m[2] && !m[3])) return undefined;
  return ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
}
