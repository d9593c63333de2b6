/**
 * The DC-09 frame (§5.5.1): `<LF><crc><0LLL>"<id>"<seq>[R<rcvr>]L<pref>#<acct>[<data>]…<CR>`.
 * `crc` (./crc.ts) and `0LLL` (the length, hex, four characters starting with 0) both cover the
 * bytes from the id's opening quote to the byte before the CR. Ids: `SIA-DCS`, `ADM-CID`, `NULL`
 * (link test) from panels, `ACK`, `NAK`, `DUH` from receivers; a `*` before the id marks an
 * encrypted message. The sequence number is four digits 0000-9999; the receiver number 1-6 hex
 * digits and optional; the line prefix 1-6 hex digits; the account 1-16 hex digits (the conformance annex C.2.3.8
 * tests `acct = 0`).
 */
import { crc16, hex4 } from './crc.js';

export const LF = 0x0a;
export const CR = 0x0d;
/** `0LLL` allows 0x0FFF bytes between the quote and the CR; with LF, CRC, length and CR: */
export const MAX_FRAME_BYTES = 0x0fff + 10;

export type FrameProblem = 'frame' | 'length' | 'crc' | 'header';

export class Dc09FrameError extends Error {
  constructor(
    readonly problem: FrameProblem,
    message: string,
  ) {
    super(message);
  }
}

export interface FrameHeader {
  /** The id token without its `*`, e.g. `SIA-DCS`. */
  id: string;
  encrypted: boolean;
  /** Four digits, as sent (echoed in the answer). */
  seq: string;
  /** Receiver number without its `R`; undefined when absent. */
  receiver?: string;
  /** Line prefix without its `L`. */
  prefix: string;
  account: string;
  /** Everything after the `[` that opens the data block: plain data or hex ciphertext. */
  rest: string;
}

const HEADER = /^"(\*?)([A-Z][A-Z0-9-]{1,15})"(\d{4})(?:R([0-9A-Fa-f]{1,6}))?L([0-9A-Fa-f]{1,6})#([0-9A-Fa-f]{1,16})\[([\x20-\x7e]*)$/;

/** Check one frame's envelope (LF to CR, both included): its length and CRC; returns the body between. */
export function frameBody(raw: string): string {
  if (raw.charCodeAt(0) !== LF || raw.charCodeAt(raw.length - 1) !== CR || raw.length < 11)
    throw new Dc09FrameError('frame', 'not a frame from LF to CR');
  const crcText = raw.slice(1, 5);
  const lenText = raw.slice(5, 9);
  if (!/^[0-9A-Fa-f]{4}$/.test(crcText) || !/^0[0-9A-Fa-f]{3}$/.test(lenText))
    throw new Dc09FrameError('frame', 'CRC and length must be 4 hex characters, the length starting with 0');
  const body = raw.slice(9, -1);
  if (Number.parseInt(lenText, 16) !== body.length)
    throw new Dc09FrameError('length', `length field says ${Number.parseInt(lenText, 16)}, the message has ${body.length}`);
  if (Number.parseInt(crcText, 16) !== crc16(body)) throw new Dc09FrameError('crc', 'CRC does not match');
  return body;
}

/** Check one frame and split its header; throws Dc09FrameError. */
export function parseFrame(raw: string): FrameHeader {
  const m = HEADER.exec(frameBody(raw));
  if (!m) throw new Dc09FrameError('header', 'header is not "id"seq[Rrcvr]Lpref#acct[');
  return {
    encrypted: m[1] === '*',
    id: m[2]!,
    seq: m[3]!,
    ...(m[4] !== undefined ? { receiver: m[4] } : {}),
    prefix: m[5]!,
    account: m[6]!,
    rest: m[7]!,
  };
}

/** Wrap a message body (from the id's quote on) as a frame: LF, CRC, length, body, CR. */
export function buildFrame(body: string): string {
  if (body.length > 0x0fff) throw new RangeError('a DC-09 message is at most 4095 bytes');
  return `\n${hex4(crc16(body))}0${body.length.toString(16).toUpperCase().padStart(3, '0')}${body}\r`;
}

/** The header part of a body: `"id"seq[Rrcvr]Lpref#acct`. */
export function headerText(h: Pick<FrameHeader, 'id' | 'encrypted' | 'seq' | 'receiver' | 'prefix' | 'account'>): string {
  return `"${h.encrypted ? '*' : ''}${h.id}"${h.seq}${h.receiver !== undefined ? `R${h.receiver}` : ''}L${h.prefix}#${h.account}`;
}
