/**
 * SIP messages (RFC 3261 §7, the subset GB/T 28181-2016 uses): request and status lines, headers
 * (compact forms expanded, §7.3.3; names compared case-insensitively), one body framed by
 * Content-Length. Parsing never throws: a message that is not SIP, has a line or header past the
 * caps, or lacks a mandatory header (§8.1.1: To, From, CSeq, Call-ID, Via) comes back as an error
 * with the status to answer (400, or 413 for size) when it was a request.
 */

/** RFC 3261 §7.3.3 compact header forms. */
const COMPACT: Readonly<Record<string, string>> = {
  i: 'call-id',
  m: 'contact',
  e: 'content-encoding',
  l: 'content-length',
  c: 'content-type',
  f: 'from',
  s: 'subject',
  k: 'supported',
  t: 'to',
  v: 'via',
};

export const MAX_HEADERS = 64;
export const MAX_HEADER_BYTES = 4096;

export interface SipRequest {
  kind: 'request';
  method: string;
  uri: string;
  /** Lower-case name → values in order (a comma-joined header is one value). */
  headers: Map<string, string[]>;
  body: Buffer;
}

export interface SipResponse {
  kind: 'response';
  status: number;
  reason: string;
  headers: Map<string, string[]>;
  body: Buffer;
}

export type SipMessage = SipRequest | SipResponse;

export type ParseResult =
  | { ok: true; message: SipMessage }
  | { ok: false; reason: string /** Status to answer when the head is a readable request. */; status?: 400 | 413; request?: SipRequest };

const MANDATORY = ['to', 'from', 'cseq', 'call-id', 'via'];
const TOKEN = /^[A-Za-z0-9.!%*_+`'~-]+$/;

export function headerName(name: string): string {
  const n = name.trim().toLowerCase();
  return COMPACT[n] ?? n;
}

/** The first value of a header. */
export function header(m: Pick<SipMessage, 'headers'>, name: string): string | undefined {
  return m.headers.get(headerName(name))?.[0];
}

function parseStartLine(line: string): Omit<SipRequest, 'headers' | 'body'> | Omit<SipResponse, 'headers' | 'body'> | undefined {
  const status = /^SIP\/2\.0 ([1-6]\d\d) ?(.*)$/.exec(line);
  if (status) return { kind: 'response', status: Number(status[1]), reason: status[2] ?? '' };
  const req = /^([A-Za-z]+) (\S+) SIP\/2\.0$/.exec(line);
  if (req && TOKEN.test(req[1]!)) return { kind: 'request', method: req[1]!.toUpperCase(), uri: req[2]! };
  return undefined;
}

/** Header lines (folded continuation lines joined, §7.3.1) into the map; a reason when they break a cap or the grammar. */
function parseHeaders(lines: string[], into: Map<string, string[]>): string | undefined {
  if (lines.length > MAX_HEADERS * 2) return 'too many header lines';
  const joined: string[] = [];
  for (const l of lines) {
    if (/^[ \t]/.test(l) && joined.length > 0) joined[joined.length - 1] += ` ${l.trim()}`;
    else joined.push(l);
  }
  if (joined.length > MAX_HEADERS) return 'too many headers';
  for (const l of joined) {
    const colon = l.indexOf(':');
    if (colon <= 0 || l.length > MAX_HEADER_BYTES) return 'malformed header line';
    const name = headerName(l.slice(0, colon));
    if (!TOKEN.test(name)) return 'malformed header name';
    const list = into.get(name) ?? [];
    list.push(l.slice(colon + 1).trim());
    into.set(name, list);
  }
  return undefined;
}

/** Where the head ends (index of the blank line's CRLFCRLF or LFLF) and its length, or undefined. */
export function headEnd(buf: Buffer): { at: number; sep: number } | undefined {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf < 0 && lf < 0) return undefined;
  if (crlf >= 0 && (lf < 0 || crlf <= lf)) return { at: crlf, sep: 4 };
  return { at: lf, sep: 2 };
}

/** The Content-Length of a head, or undefined when absent; NaN when unreadable. */
export function contentLength(headers: Map<string, string[]>): number | undefined {
  const v = headers.get('content-length')?.[0];
  if (v === undefined) return undefined;
  return /^\d{1,9}$/.test(v) ? Number(v) : Number.NaN;
}

/**
 * One message from one datagram (or one frame cut by ./framing.ts). `maxBody` caps the body;
 * a UDP message without Content-Length takes the rest of the datagram as body (§18.3).
 */
export function parseMessage(buf: Buffer, maxBody: number): ParseResult {
  const end = headEnd(buf);
  if (!end) return { ok: false, reason: 'no end of headers' };
  const lines = buf.subarray(0, end.at).toString('latin1').split(/\r?\n/);
  const start = parseStartLine(lines[0] ?? '');
  if (!start) return { ok: false, reason: 'not a SIP request or status line' };
  const headers = new Map<string, string[]>();
  const bad = parseHeaders(lines.slice(1), headers);
  const rest = buf.subarray(end.at + end.sep);
  const asRequest = start.kind === 'request' ? { ...start, headers, body: Buffer.alloc(0) } : undefined;
  const refuse = (reason: string, status: 400 | 413): ParseResult => ({
    ok: false,
    reason,
    ...(asRequest ? { status, request: asRequest } : {}),
  });
  if (bad) return refuse(bad, 400);
  const missing = MANDATORY.find((h) => !headers.has(h));
  if (missing) return refuse(`missing ${missing} header`, 400);
  const len = contentLength(headers);
  if (len !== undefined && Number.isNaN(len)) return refuse('unreadable Content-Length', 400);
  const size = len ?? rest.length;
  if (size > maxBody) return refuse(`body of ${size} bytes is over the cap of ${maxBody}`, 413);
  if (size > rest.length) return refuse('body shorter than its Content-Length', 400);
  const body = Buffer.from(rest.subarray(0, size));
  return { ok: true, message: { ...start, headers, body } as SipMessage };
}

/** The wire form: start line, headers in insertion order, Content-Length always last and exact. */
export function serialize(m: SipMessage): Buffer {
  const start = m.kind === 'request' ? `${m.method} ${m.uri} SIP/2.0` : `SIP/2.0 ${m.status} ${m.reason}`;
  const lines = [start];
  for (const [name, values] of m.headers) {
    if (name === 'content-length') continue;
    for (const v of values) lines.push(`${canonical(name)}: ${v}`);
  }
  lines.push(`Content-Length: ${m.body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), m.body]);
}

const CANONICAL: Readonly<Record<string, string>> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
};

function canonical(name: string): string {
  return CANONICAL[name] ?? name.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => `${d}${c.toUpperCase()}`);
}

/** A tag= parameter of a From/To value. */
export function tagOf(value: string | undefined): string | undefined {
  return value ? /;\s*tag=([^;>\s]+)/i.exec(value)?.[1] : undefined;
}

/** The user part of the SIP URI in a From/To/Contact value or a request URI (the GB device id). */
export function userOf(value: string | undefined): string | undefined {
  return value ? /sips?:([^@;>\s]+)@/i.exec(value)?.[1] : undefined;
}

/** CSeq number and method. */
export function cseqOf(m: Pick<SipMessage, 'headers'>): { seq: number; method: string } | undefined {
  const r = /^(\d{1,10})\s+([A-Za-z]+)$/.exec(header(m, 'cseq') ?? '');
  return r ? { seq: Number(r[1]), method: r[2]!.toUpperCase() } : undefined;
}
