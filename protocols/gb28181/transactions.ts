/**
 * Server transactions for non-INVITE requests (RFC 3261 §17.2.2). A request is matched to its
 * transaction by the top Via's branch, sent-by and the method (§17.2.3), and its Call-ID and CSeq; a retransmission of a
 * request still being handled is absorbed, one already answered gets the last response again.
 * An answered transaction is kept for Timer J (64·T1 = 32 s over UDP; a reliable transport does
 * not retransmit, the entry is dropped at once), and the table is bounded.
 */
import { header, type SipRequest } from './message.js';

export const T1_MS = 500;
export const TIMER_J_MS = 64 * T1_MS;

interface Entry {
  response?: Buffer;
  at: number;
}

export type Seen = { state: 'new' } | { state: 'pending' } | { state: 'answered'; response: Buffer };

export class ServerTransactions {
  readonly #table = new Map<string, Entry>();
  readonly #max: number;
  readonly #now: () => number;

  constructor(max = 4096, now: () => number = Date.now) {
    this.#max = max;
    this.#now = now;
  }

  /** The key of a request's transaction; undefined without an RFC 3261 branch (z9hG4bK, §8.1.1.7). */
  static keyOf(req: SipRequest, source: string): string | undefined {
    const via = header(req, 'via') ?? '';
    const top = via.split(',')[0] ?? '';
    const branch = /;\s*branch=([^;,\s]+)/i.exec(top)?.[1];
    if (!branch?.startsWith('z9hG4bK')) return undefined;
    const sentBy = /^SIP\/2\.0\/[A-Za-z]+\s+([^;\s]+)/i.exec(top.trim())?.[1] ?? '';
    // Call-ID and CSeq too: clients that reuse a branch for a new request (sipp in a loop and in its
    // out-of-call scenarios, some cameras) must not be answered with the previous request's response.
    const method = req.method === 'ACK' ? 'INVITE' : req.method;
    return `${source}|${branch}|${sentBy}|${method}|${header(req, 'call-id') ?? ''}|${header(req, 'cseq') ?? ''}`;
  }

  /** What is known of `key`; a new key is recorded as pending. */
  seen(key: string): Seen {
    this.#sweep();
    const e = this.#table.get(key);
    if (!e) {
      this.#table.set(key, { at: this.#now() });
      if (this.#table.size > this.#max) this.#table.delete(this.#table.keys().next().value!);
      return { state: 'new' };
    }
    return e.response ? { state: 'answered', response: e.response } : { state: 'pending' };
  }

  answered(key: string, response: Buffer, reliable: boolean): void {
    if (reliable) this.#table.delete(key);
    else if (this.#table.delete(key)) this.#table.set(key, { response, at: this.#now() }); // to the end: the table stays in time order
  }

  get size(): number {
    return this.#table.size;
  }

  #sweep(): void {
    const now = this.#now();
    for (const [k, e] of this.#table) {
      if (now - e.at <= TIMER_J_MS) break;
      this.#table.delete(k);
    }
  }
}
