/**
 * DC-09 messages above the frame: the data block read (decrypted where the id has a `*`), the
 * events in it, and the receiver's three answers (DC-09-2013 §5.5.3):
 *
 * - `ACK`: the message was taken. It echoes the sequence number, receiver, line prefix and
 *   account, with an empty data block `[]`; answering an encrypted message it is `*ACK` and its
 *   data block is encrypted with the same key: pad, `|`, `]` and the receiver's timestamp.
 * - `NAK`: the message's timestamp is outside the receiver's window. It is always plain and always
 *   `"NAK"0000R0L0A0[]` with the receiver's timestamp, so a panel can set its clock from it and
 *   send again. (A damaged frame gets no answer at all: ./handle.ts.)
 * - `DUH`: understood as a frame, but not acceptable, and repeating will not help (an id,
 *   account or key the box does not serve). Plain, echoing sequence, receiver, prefix, account.
 */
import { decryptBody, encryptBody } from './crypto.js';
import { Dc09EventError, parseContactId, parseSiaBlock, type PanelEvent } from './events.js';
import { buildFrame, Dc09FrameError, frameBody, headerText, parseFrame, type FrameHeader } from './frame.js';
import { formatTimestamp, parseTimestamp } from './timestamp.js';

/** Ids a panel sends that the box reads. */
export const PANEL_IDS = ['SIA-DCS', 'ADM-CID', 'NULL'] as const;
export type PanelId = (typeof PANEL_IDS)[number];

export interface Dc09Message extends Omit<FrameHeader, 'rest' | 'id'> {
  id: PanelId;
  /** Inside the data block, brackets removed (`#1234|Nri1/BA001`, or '' for NULL). */
  data: string;
  /** Further blocks (`[X…]`, `[Y…]`, `[M…]`, …), brackets removed. */
  extended: string[];
  /** UTC ms of the timestamp, when the message has one. */
  timestamp?: number;
}

export class Dc09ContentError extends Error {}

const CONTENT = /^([^[\]]*)\]((?:\[[^[\]]*\])*)(_[0-9:,-]+)?$/;

/** Read the data block of a checked frame (`key`: the account's, when the id is encrypted). */
export function readMessage(h: FrameHeader, key?: Buffer): Dc09Message {
  if (!(PANEL_IDS as readonly string[]).includes(h.id)) throw new Dc09ContentError(`id "${h.id}" is not one a panel sends`);
  if (h.encrypted && !key) throw new Dc09ContentError('encrypted message for an account without a key');
  const text = h.encrypted ? decryptBody(key!, h.rest) : h.rest;
  const m = CONTENT.exec(text);
  if (!m) throw new Dc09ContentError('data is not [data][extended]…_timestamp');
  let timestamp: number | undefined;
  if (m[3] !== undefined) {
    timestamp = parseTimestamp(m[3]);
    if (timestamp === undefined) throw new Dc09ContentError('timestamp is not _HH:MM:SS,MM-DD-YYYY');
  } else if (h.encrypted) throw new Dc09ContentError('an encrypted message must carry a timestamp');
  const extended = m[2] ? m[2].slice(1, -1).split('][') : [];
  const { rest: _rest, ...header } = h;
  return { ...header, id: h.id as PanelId, data: m[1]!, extended, ...(timestamp !== undefined ? { timestamp } : {}) };
}

const DATA_ACCOUNT = /^#([0-9A-Fa-f]{1,16})\|(.*)$/;

/** The events of a message; NULL has none. Throws Dc09EventError on data it cannot read. */
export function eventsOf(m: Dc09Message): PanelEvent[] {
  if (m.id === 'NULL') return [];
  const a = DATA_ACCOUNT.exec(m.data);
  if (a && a[1]!.toUpperCase() !== m.account.toUpperCase()) throw new Dc09EventError('the data names another account than the header');
  const body = a ? a[2]! : m.data;
  return m.id === 'ADM-CID' ? [parseContactId(body)] : parseSiaBlock(body);
}

type Echo = Pick<FrameHeader, 'seq' | 'receiver' | 'prefix' | 'account'>;

export function ackFrame(h: Echo & { encrypted: boolean }, key: Buffer | undefined, nowMs: number): string {
  if (!h.encrypted) return buildFrame(`${headerText({ ...h, id: 'ACK', encrypted: false })}[]`);
  return buildFrame(`${headerText({ ...h, id: 'ACK', encrypted: true })}[${encryptBody(key!, `]${formatTimestamp(nowMs)}`)}`);
}

export function nakFrame(nowMs: number): string {
  return buildFrame(`"NAK"0000R0L0A0[]${formatTimestamp(nowMs)}`);
}

export function duhFrame(h: Echo): string {
  return buildFrame(`${headerText({ ...h, id: 'DUH', encrypted: false })}[]`);
}

/** What a panel builds: one message as a frame. */
export interface PanelMessage extends Echo {
  id: PanelId;
  data: string;
  extended?: string[];
  /** UTC ms; required with `key` (encrypted), optional otherwise. */
  timestamp?: number;
  key?: Buffer;
  /** Fixed pad for test vectors. */
  pad?: string;
}

export function buildMessage(p: PanelMessage): string {
  const ts = p.timestamp !== undefined ? formatTimestamp(p.timestamp) : '';
  const tail = `${p.data}]${(p.extended ?? []).map((x) => `[${x}]`).join('')}${ts}`;
  if (!p.key) return buildFrame(`${headerText({ ...p, encrypted: false })}[${tail}`);
  if (p.timestamp === undefined) throw new Dc09ContentError('an encrypted message must carry a timestamp');
  return buildFrame(`${headerText({ ...p, encrypted: true })}[${encryptBody(p.key, tail, p.pad)}`);
}

export type Answer =
  | { kind: 'ACK'; seq: string; account: string; encrypted: boolean; timestamp?: number }
  | { kind: 'DUH'; seq: string; account: string }
  | { kind: 'NAK'; timestamp: number };

const NAK = /^"NAK"0000R0L0A0\[\](_[0-9:,-]+)$/;

/** A receiver's answer as a panel reads it (`key`: the account's, for `*ACK`). */
export function parseAnswer(raw: string, key?: Buffer): Answer {
  const nak = NAK.exec(frameBody(raw));
  if (nak) {
    const timestamp = parseTimestamp(nak[1]!);
    if (timestamp === undefined) throw new Dc09FrameError('header', 'NAK timestamp unreadable');
    return { kind: 'NAK', timestamp };
  }
  const h = parseFrame(raw);
  if (h.id === 'DUH') return { kind: 'DUH', seq: h.seq, account: h.account };
  if (h.id !== 'ACK') throw new Dc09FrameError('header', `"${h.id}" is no answer`);
  if (!h.encrypted) return { kind: 'ACK', seq: h.seq, account: h.account, encrypted: false };
  if (!key) throw new Dc09ContentError('encrypted ACK without a key');
  const ts = /^\](_[0-9:,-]+)$/.exec(decryptBody(key, h.rest));
  const timestamp = ts ? parseTimestamp(ts[1]!) : undefined;
  if (timestamp === undefined) throw new Dc09ContentError('encrypted ACK carries no timestamp');
  return { kind: 'ACK', seq: h.seq, account: h.account, encrypted: true, timestamp };
}
