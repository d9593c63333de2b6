/**
 * The box's connections with units: one token per unit address, issued at connect, bound to the
 * source address it was issued to, with the unit's AES key in encrypted mode. A token expires
 * when the unit sends nothing for `misses` keep-alive periods (digest A3: the seed gives only
 * the period), and a new connect from the address replaces the old one.
 */
import { randomUUID } from 'node:crypto';
import { tokenFor } from './messages.js';

export interface UnitSession {
  token: string;
  /** The source address (equal to the connect's `ip`). */
  ip: string;
  sn: string;
  vendor: string;
  model?: string;
  /** The unit's own port, -1: the box cannot call it. */
  port: number;
  /** The connect's `protocol`: the `version` of the box's own requests (L40768). */
  protocol: string;
  keepaliveS: number;
  /** AES-128 key of an encrypted connection. */
  aesKey?: Buffer;
  connectedAt: number;
  lastSeen: number;
}

export class SessionTable {
  readonly #byToken = new Map<string, UnitSession>();
  readonly #byIp = new Map<string, UnitSession>();
  readonly #misses: number;
  readonly #now: () => number;

  constructor(misses: number, now: () => number = Date.now) {
    this.#misses = misses;
    this.#now = now;
  }

  issue(s: Omit<UnitSession, 'token' | 'connectedAt' | 'lastSeen'>): UnitSession {
    this.revoke(s.ip);
    const at = this.#now();
    const session: UnitSession = { ...s, token: tokenFor(randomUUID(), s.ip), connectedAt: at, lastSeen: at };
    this.#byToken.set(session.token, session);
    this.#byIp.set(s.ip, session);
    return session;
  }

  /** The live session of `token` used from `source` (and marks it seen); undefined: "token invalid". */
  use(token: string, source: string): UnitSession | undefined {
    const s = this.#byToken.get(token);
    if (!s || s.ip !== source) return undefined;
    if (this.#expired(s, this.#now())) {
      this.revoke(s.ip);
      return undefined;
    }
    s.lastSeen = this.#now();
    return s;
  }

  byIp(ip: string): UnitSession | undefined {
    return this.#byIp.get(ip);
  }

  revoke(ip: string): UnitSession | undefined {
    const s = this.#byIp.get(ip);
    if (!s) return undefined;
    this.#byIp.delete(ip);
    this.#byToken.delete(s.token);
    return s;
  }

  /** Drop the sessions silent for too long; returns them (their units go offline). */
  sweep(): UnitSession[] {
    const now = this.#now();
    const gone = [...this.#byIp.values()].filter((s) => this.#expired(s, now));
    for (const s of gone) this.revoke(s.ip);
    return gone;
  }

  get size(): number {
    return this.#byIp.size;
  }

  #expired(s: UnitSession, now: number): boolean {
    return now - s.lastSeen > s.keepaliveS * 1000 * this.#misses;
  }
}
