/**
 * The SDP of GB/T 28181-2016 media sessions (§9.2, Annex F): the box's offer in its INVITE and the
 * device's answer. GB adds two lines RFC 4566 does not have: `y=` (the 10-digit SSRC, Annex F)
 * and `f=` (media format hints, left empty: the device chooses). The offer lists PS (96), MPEG-4
 * (98) and H.264 (97) as the standard's example does; the box relays PS only, so an answer
 * without 96 is refused by the caller. The answer is read with sdp-transform, and `y=` by hand
 * (sdp-transform drops unknown lines).
 */
import { parse } from 'sdp-transform';

export type MediaTransport = 'udp' | 'tcp-passive' | 'tcp-active';

export interface Offer {
  /** The box's id (o= username) and the address the device sends media to. */
  serverId: string;
  address: string;
  port: number;
  ssrc: string;
  transport: MediaTransport;
  /** Live: `Play`. Playback: `Playback` with the channel and a time range (Unix seconds). */
  playback?: { channelId: string; start: number; end: number };
}

export function buildOffer(o: Offer): Buffer {
  const proto = o.transport === 'udp' ? 'RTP/AVP' : 'TCP/RTP/AVP';
  const lines = [
    'v=0',
    `o=${o.serverId} 0 0 IN IP4 ${o.address}`,
    `s=${o.playback ? 'Playback' : 'Play'}`,
    ...(o.playback ? [`u=${o.playback.channelId}:0`] : []),
    `c=IN IP4 ${o.address}`,
    `t=${o.playback ? `${o.playback.start} ${o.playback.end}` : '0 0'}`,
    `m=video ${o.port} ${proto} 96 98 97`,
    'a=recvonly',
    'a=rtpmap:96 PS/90000',
    'a=rtpmap:98 MPEG4/90000',
    'a=rtpmap:97 H264/90000',
    // RFC 4145: the box listens (passive) and the device connects, or the reverse.
    ...(o.transport === 'tcp-passive' ? ['a=setup:passive', 'a=connection:new'] : []),
    ...(o.transport === 'tcp-active' ? ['a=setup:active', 'a=connection:new'] : []),
    `y=${o.ssrc}`,
    'f=',
  ];
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'latin1');
}

export interface Answer {
  address: string;
  port: number;
  transport: MediaTransport;
  /** The device's SSRC (`y=`); GB devices echo the offer's, some send their own. */
  ssrc?: string;
  payloads: Array<{ payload: number; codec: string }>;
  name: string;
}

export type AnswerResult = { ok: true; value: Answer } | { ok: false; reason: string };

/** The device's SDP from its 200 OK; a reason when it cannot carry the session. */
export function parseAnswer(body: string): AnswerResult {
  let sdp: ReturnType<typeof parse>;
  try {
    sdp = parse(body);
  } catch (err) {
    return { ok: false, reason: `unreadable SDP: ${(err as Error).message}` };
  }
  const m = sdp.media?.find((x) => x.type === 'video');
  if (!m) return { ok: false, reason: 'the answer has no video media line' };
  const address = m.connection?.ip ?? sdp.connection?.ip;
  if (!address) return { ok: false, reason: 'the answer has no c= address' };
  if (!Number.isInteger(m.port) || m.port < 0 || m.port > 65_535) return { ok: false, reason: 'the answer has no usable media port' };
  const tcp = /^TCP\//i.test(m.protocol);
  const transport: MediaTransport = !tcp ? 'udp' : m.setup === 'active' ? 'tcp-active' : 'tcp-passive';
  const ssrc = /^y=(\d{1,10})\s*$/m.exec(body)?.[1];
  return {
    ok: true,
    value: {
      address,
      port: m.port,
      transport,
      ...(ssrc ? { ssrc } : {}),
      payloads: (m.rtp ?? []).map((r) => ({ payload: r.payload, codec: r.codec })),
      name: sdp.name ?? '',
    },
  };
}

/** What a device reads from the box's offer (the simulator's side). */
export interface OfferSeen {
  address: string;
  port: number;
  tcp: boolean;
  /** `setup:` of the offer: passive means the box listens. */
  setup?: string;
  ssrc: string;
  playback: boolean;
}

export function parseOffer(body: string): OfferSeen | undefined {
  let sdp: ReturnType<typeof parse>;
  try {
    sdp = parse(body);
  } catch {
    return undefined;
  }
  const m = sdp.media?.find((x) => x.type === 'video');
  const address = m?.connection?.ip ?? sdp.connection?.ip;
  const ssrc = /^y=(\d{1,10})\s*$/m.exec(body)?.[1];
  if (!m || !address || !ssrc) return undefined;
  return {
    address,
    port: m.port,
    tcp: /^TCP\//i.test(m.protocol),
    ...(m.setup ? { setup: m.setup } : {}),
    ssrc,
    playback: sdp.name === 'Playback',
  };
}
