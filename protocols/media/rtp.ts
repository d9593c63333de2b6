/**
 * RTP fixed header (RFC 3550 §5.1) and the RFC 4571 framing of RTP over TCP (a 2-byte big-endian
 * length before each packet), as GB/T 28181-2016 Annex C uses both for PS streams. Parsing never
 * throws: a packet that is not RTP version 2 or whose CSRC list, extension or padding overruns it
 * comes back undefined.
 */
export interface RtpPacket {
  payloadType: number;
  marker: boolean;
  seq: number;
  timestamp: number;
  /** Unsigned 32-bit SSRC. */
  ssrc: number;
  payload: Buffer;
}

export const RTP_HEADER = 12;

export function parseRtp(b: Buffer): RtpPacket | undefined {
  if (b.length < RTP_HEADER || b[0]! >> 6 !== 2) return undefined;
  const cc = b[0]! & 0x0f;
  let at = RTP_HEADER + cc * 4;
  if (at > b.length) return undefined;
  if (b[0]! & 0x10) {
    if (at + 4 > b.length) return undefined;
    at += 4 + b.readUInt16BE(at + 2) * 4;
    if (at > b.length) return undefined;
  }
  let end = b.length;
  if (b[0]! & 0x20) {
    const pad = b[b.length - 1]!;
    if (pad === 0 || at + pad > end) return undefined;
    end -= pad;
  }
  return {
    payloadType: b[1]! & 0x7f,
    marker: (b[1]! & 0x80) !== 0,
    seq: b.readUInt16BE(2),
    timestamp: b.readUInt32BE(4),
    ssrc: b.readUInt32BE(8),
    payload: b.subarray(at, end),
  };
}

export function buildRtp(p: Omit<RtpPacket, 'payload'>, payload: Buffer): Buffer {
  const h = Buffer.alloc(RTP_HEADER);
  h[0] = 0x80;
  h[1] = (p.marker ? 0x80 : 0) | (p.payloadType & 0x7f);
  h.writeUInt16BE(p.seq & 0xffff, 2);
  h.writeUInt32BE(p.timestamp >>> 0, 4);
  h.writeUInt32BE(p.ssrc >>> 0, 8);
  return Buffer.concat([h, payload]);
}

/** RFC 4571: the length prefix of one packet. */
export function frame4571(packet: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(packet.length);
  return Buffer.concat([len, packet]);
}

/** Cuts a TCP byte stream into RFC 4571 packets; a zero length is a broken stream. */
export class Rfc4571Framer {
  #buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): { packets: Buffer[]; broken: boolean } {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    const packets: Buffer[] = [];
    while (this.#buf.length >= 2) {
      const len = this.#buf.readUInt16BE(0);
      if (len === 0) return { packets, broken: true };
      if (this.#buf.length < 2 + len) break;
      packets.push(this.#buf.subarray(2, 2 + len));
      this.#buf = this.#buf.subarray(2 + len);
    }
    return { packets, broken: false };
  }
}

/** The GB SSRC (10 decimal digits, `y=`) as the RTP header's 32-bit number. */
export function ssrcNumber(y: string): number {
  return Number(y) >>> 0;
}
