/**
 * Responses to a request (RFC 3261 §8.2.6): Via, From, Call-ID and CSeq copied, To copied with
 * the box's tag added when it has none. The tag is derived from the Call-ID so a retransmitted
 * request that reaches the handler again gets the same To tag.
 */
import { createHash } from 'node:crypto';
import { header, tagOf, type SipRequest, type SipResponse } from './message.js';

export const REASONS: Readonly<Record<number, string>> = {
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  423: 'Interval Too Brief',
  481: 'Call/Transaction Does Not Exist',
  488: 'Not Acceptable Here',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};

export const SERVER_NAME = 'Property-Edge GB28181';

export function localTag(callId: string): string {
  return createHash('sha1').update(callId).digest('hex').slice(0, 10);
}

export function responseTo(
  req: Pick<SipRequest, 'headers'>,
  status: number,
  extra: Array<[string, string]> = [],
  body: Buffer = Buffer.alloc(0),
): SipResponse {
  const headers = new Map<string, string[]>();
  const via = req.headers.get('via');
  if (via) headers.set('via', [...via]);
  for (const name of ['from', 'to', 'call-id', 'cseq']) {
    const v = header(req, name);
    if (v !== undefined) headers.set(name, [v]);
  }
  const to = header(req, 'to');
  if (to !== undefined && !tagOf(to) && status > 100) headers.set('to', [`${to};tag=${localTag(header(req, 'call-id') ?? '')}`]);
  headers.set('user-agent', [SERVER_NAME]);
  for (const [k, v] of extra) headers.set(k.toLowerCase(), [...(headers.get(k.toLowerCase()) ?? []), v]);
  return { kind: 'response', status, reason: REASONS[status] ?? 'Unknown', headers, body };
}
