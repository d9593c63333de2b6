/**
 * DC-09 timestamps: `_HH:MM:SS,MM-DD-YYYY`, always UTC. Mandatory in encrypted messages, optional
 * in plain ones; a receiver refuses a message whose time is outside its window (the standard's
 * +20 s / -40 s around the receiver's clock; the test of DC-09-2013 §5.5.1.8) with a NAK that
 * carries the receiver's own time, so the panel can set its clock and send again.
 */
const PATTERN = /^_(\d{2}):(\d{2}):(\d{2}),(\d{2})-(\d{2})-(\d{4})$/;

const two = (n: number): string => String(n).padStart(2, '0');

export function formatTimestamp(ms: number): string {
  const d = new Date(ms);
  return `_${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())},${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}-${d.getUTCFullYear()}`;
}

/** UTC ms of a timestamp field (with its `_`), or undefined when it is not one or names no real time. */
export function parseTimestamp(text: string): number | undefined {
  const m = PATTERN.exec(text);
  if (!m) return undefined;
  const [hh, mi, ss, mo, dd, yyyy] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  if (hh > 23 || mi > 59 || ss > 59 || mo < 1 || mo > 12 || dd < 1 || dd > 31) return undefined;
  const ms = Date.UTC(yyyy, mo - 1, dd, hh, mi, ss);
  return new Date(ms).getUTCDate() === dd ? ms : undefined; // 02-30 is no day
}

export interface SkewWindow {
  /** How far a message's time may be ahead of the receiver's clock, s (standard: 20). */
  aheadS: number;
  /** How far it may be behind, s (standard: 40). */
  behindS: number;
}

export const STANDARD_SKEW: SkewWindow = { aheadS: 20, behindS: 40 };

export function withinSkew(messageMs: number, nowMs: number, w: SkewWindow): boolean {
  return messageMs <= nowMs + w.aheadS * 1000 && messageMs >= nowMs - w.behindS * 1000;
}
