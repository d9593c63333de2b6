/**
 * WS-Discovery (ONVIF Core, device discovery; WS-Discovery 2005/04): a Probe for NetworkVideoTransmitter sent as
 * UDP unicast to given targets and, when an interface address is given, to the multicast group
 * 239.255.255.250:3702 from that interface; ProbeMatches collected until the wait ends. Only
 * answers that relate to this probe's MessageID are kept, parsed defensively and bounded in count.
 */
import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { XMLParser } from 'fast-xml-parser';

export const WSD_PORT = 3702;
export const WSD_MULTICAST = '239.255.255.250';
const MAX_FOUND = 1024;
const MAX_DATAGRAM = 65_507;

export interface DiscoveredCamera {
  /** The endpoint reference (`urn:uuid:…`), the camera's stable identity. */
  urn: string;
  /** Device service addresses (XAddrs). */
  xaddrs: string[];
  /** Host and port of the first http XAddr: what a device's `ip` and `port` are set to. */
  ip?: string;
  port?: number;
  /** From the `onvif://www.onvif.org/name/…` and `…/hardware/…` scopes. */
  name?: string;
  hardware?: string;
  scopes: string[];
  /** Where the answer came from. */
  from: string;
}

export function probeMessage(messageId: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing">' +
    '<s:Header><a:Action s:mustUnderstand="1">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action>' +
    `<a:MessageID>${messageId}</a:MessageID>` +
    '<a:ReplyTo><a:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>' +
    '<a:To s:mustUnderstand="1">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To></s:Header>' +
    '<s:Body><Probe xmlns="http://schemas.xmlsoap.org/ws/2005/04/discovery">' +
    '<d:Types xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dp0="http://www.onvif.org/ver10/network/wsdl">dp0:NetworkVideoTransmitter</d:Types>' +
    '</Probe></s:Body></s:Envelope>'
  );
}

const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false, processEntities: false });

const text = (v: unknown): string | undefined =>
  typeof v === 'string'
    ? v.trim()
    : typeof v === 'object' && v !== null && typeof (v as { '#text'?: unknown })['#text'] === 'string'
      ? (v as { '#text': string })['#text'].trim()
      : undefined;
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** The probe match(es) of one datagram answering `messageId`; [] for anything else. */
export function parseProbeMatches(xml: string, messageId: string, from: string): DiscoveredCamera[] {
  let doc: unknown;
  try {
    doc = parser.parse(xml);
  } catch {
    return [];
  }
  const env = obj(obj(doc).Envelope);
  if (text(obj(env.Header).RelatesTo) !== messageId) return [];
  const out: DiscoveredCamera[] = [];
  for (const m of list(obj(obj(env.Body).ProbeMatches).ProbeMatch)) {
    const match = obj(m);
    const urn = text(obj(match.EndpointReference).Address);
    const xaddrs = (text(match.XAddrs) ?? '').split(/\s+/).filter((x) => /^https?:\/\//.test(x));
    if (!urn || xaddrs.length === 0) continue;
    const scopes = (text(match.Scopes) ?? '').split(/\s+/).filter(Boolean);
    const scope = (kind: string) => {
      const s = scopes.find((x) => x.startsWith(`onvif://www.onvif.org/${kind}/`));
      return s ? decodeURIComponent(s.slice(`onvif://www.onvif.org/${kind}/`.length)) : undefined;
    };
    const cam: DiscoveredCamera = { urn, xaddrs, scopes, from };
    try {
      const u = new URL(xaddrs.find((x) => x.startsWith('http://')) ?? xaddrs[0]!);
      cam.ip = u.hostname;
      cam.port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
    } catch {
      // An XAddr that is no URL leaves ip/port out; the installer sees the raw XAddrs.
    }
    const name = scope('name');
    const hardware = scope('hardware');
    if (name) cam.name = name;
    if (hardware) cam.hardware = hardware;
    out.push(cam);
  }
  return out;
}

export interface ProbeOptions {
  /** Unicast targets `ip[:port]` (port default 3702). */
  targets: string[];
  /** An IPv4 address of the NIC to send the multicast probe from; no multicast without it. */
  multicastInterface?: string;
  /** Local address to bind (default any). */
  bind?: string;
  waitMs: number;
}

/** Send the probe and collect the cameras that answer within `waitMs`, one per endpoint reference. */
export async function probe(o: ProbeOptions): Promise<DiscoveredCamera[]> {
  const messageId = `uuid:${randomUUID()}`;
  const msg = Buffer.from(probeMessage(messageId));
  const found = new Map<string, DiscoveredCamera>();
  const sock = createSocket({ type: 'udp4', reuseAddr: true });
  sock.on('message', (buf, rinfo) => {
    if (buf.length > MAX_DATAGRAM || found.size >= MAX_FOUND) return;
    for (const c of parseProbeMatches(buf.toString('utf8'), messageId, `${rinfo.address}:${rinfo.port}`))
      if (!found.has(c.urn)) found.set(c.urn, c);
  });
  const failed: Error[] = [];
  sock.on('error', (err) => failed.push(err));
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(0, o.bind, () => {
      sock.off('error', reject);
      resolve();
    });
  });
  try {
    const sends = o.targets.map((t) => {
      const [host, port] = t.split(':');
      return { host: host!, port: port ? Number(port) : WSD_PORT };
    });
    if (o.multicastInterface) {
      sock.setMulticastInterface(o.multicastInterface);
      sock.setMulticastTTL(1);
      sends.push({ host: WSD_MULTICAST, port: WSD_PORT });
    }
    for (const s of sends) sock.send(msg, s.port, s.host, (err) => err && failed.push(err));
    await new Promise((r) => setTimeout(r, o.waitMs));
  } finally {
    sock.close();
  }
  return [...found.values()];
}
