/**
 * One frame through the receiver's checks, cheapest first, to the answer DC-09 prescribes
 * (./message.ts): frame (LF, length, CRC, header) → id → account → key → data block →
 * timestamp window → events → the driver's handler (which stores them) → ACK.
 *
 * No answer at all where DC-09 gives none: a damaged frame (its conformance annex C.2.3.5: "an
 * incorrect CRC … confirm that it does not respond"), and a message the handler could not store —
 * the panel sends it again when no ACK comes. A retransmission (same account, sequence number
 * and data as one of the last messages taken, within a minute: the panel missed the ACK, or sent
 * 9995, 9996, 9995 as in annex C.2.3.7) is acknowledged again without being handed over twice.
 */
import { Dc09CryptoError } from './crypto.js';
import { Dc09EventError, type PanelEvent } from './events.js';
import { Dc09FrameError, parseFrame } from './frame.js';
import { ackFrame, Dc09ContentError, duhFrame, eventsOf, nakFrame, PANEL_IDS, readMessage, type Dc09Message } from './message.js';
import { withinSkew, type SkewWindow } from './timestamp.js';

export interface AccountEntry {
  /** AES key: the account must send encrypted messages; absent: plain ones. */
  key?: Buffer;
}

export interface ReceiverHandlers {
  /** Whether the address may report at all; false: no answer (and a TCP connection is closed). */
  acceptsSource(source: string): boolean;
  /** The account if the box serves it for this source; undefined: DUH. */
  account(account: string, source: string): AccountEntry | undefined;
  /** A message taken: store what it says. Resolving answers ACK; throwing answers NAK (send again). */
  message(m: Dc09Message, events: PanelEvent[], source: string): Promise<void>;
  /** A frame refused, for the log (the receiver calls it at most once per source and reason per interval). */
  refused(source: string, reason: string, detail: string): void;
}

export interface HandleContext {
  handlers: ReceiverHandlers;
  skew: SkewWindow;
  now: () => number;
  /** The refusal is reported now (once per source and reason per interval). */
  due(source: string, reason: string): boolean;
  /** The last messages taken per account: `seq|data` and when, for retransmissions. */
  lastTaken: Map<string, Array<{ key: string; at: number }>>;
}

const RETRANSMIT_MS = 60_000;
/** Messages remembered per account for retransmissions. */
const REMEMBERED = 16;

export type Outcome = { answer: string; verdict: 'ACK' | 'NAK' | 'DUH' } | { answer: undefined; verdict: 'none' };

function silent(ctx: HandleContext, source: string, reason: string, detail: string): Outcome {
  if (ctx.due(source, reason)) ctx.handlers.refused(source, reason, detail);
  return { answer: undefined, verdict: 'none' };
}

function refuse(ctx: HandleContext, source: string, reason: string, detail: string, answer: string, verdict: 'NAK' | 'DUH'): Outcome {
  if (ctx.due(source, reason)) ctx.handlers.refused(source, reason, detail);
  return { answer, verdict };
}

/** The answer to one frame from `source` (rate and source checks are the caller's). */
export async function handleFrame(ctx: HandleContext, raw: string, source: string): Promise<Outcome> {
  const now = ctx.now();
  let h: ReturnType<typeof parseFrame>;
  try {
    h = parseFrame(raw);
  } catch (err) {
    if (err instanceof Dc09FrameError) return silent(ctx, source, `frame ${err.problem}`, err.message);
    throw err;
  }
  const duh = (reason: string, detail: string) => refuse(ctx, source, reason, detail, duhFrame(h), 'DUH');
  if (!(PANEL_IDS as readonly string[]).includes(h.id)) return duh('unknown id', `id "${h.id}"`);
  const acct = ctx.handlers.account(h.account, source);
  if (!acct) return duh('unknown account', `account ${h.account} is not configured for this address`);
  if (h.encrypted !== (acct.key !== undefined))
    return duh('encryption mismatch', acct.key ? 'the account has a key: plain messages are refused' : 'the account has no key');
  let m: Dc09Message;
  let events: PanelEvent[];
  try {
    m = readMessage(h, acct.key);
    events = eventsOf(m);
  } catch (err) {
    if (err instanceof Dc09CryptoError || err instanceof Dc09ContentError || err instanceof Dc09EventError)
      return duh('unreadable data', err.message);
    throw err;
  }
  if (m.timestamp !== undefined && !withinSkew(m.timestamp, now, ctx.skew))
    return refuse(
      ctx,
      source,
      'timestamp',
      `message time ${new Date(m.timestamp).toISOString()} is outside the window`,
      nakFrame(now),
      'NAK',
    );
  const ack = { answer: ackFrame(h, acct.key, now), verdict: 'ACK' as const };
  const key = `${h.seq}|${m.data}|${m.extended.join('][')}`;
  const account = h.account.toUpperCase();
  const taken = (ctx.lastTaken.get(account) ?? []).filter((t) => now - t.at < RETRANSMIT_MS);
  if (taken.some((t) => t.key === key)) return ack;
  try {
    await ctx.handlers.message(m, events, source);
  } catch (err) {
    return silent(ctx, source, 'not stored', (err as Error).message);
  }
  ctx.lastTaken.set(account, [...taken.slice(1 - REMEMBERED), { key, at: now }]);
  return ack;
}
