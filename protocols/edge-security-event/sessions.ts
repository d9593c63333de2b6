/**
 * Adapter tokens (L41488-41490): appAuthentication issues one; the box accepts requests that
 * carry it, and the adapter accepts the box's requests that carry the same token. One token per
 * adapter address, bound to it; a new authentication replaces the old token. The seed sets no
 * lifetime (A10): a token lives until the adapter authenticates again or the box restarts, and an
 * adapter that meets 802 authenticates again (L41479).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Manufacture } from './messages.js';

export interface AdapterSession {
  token: string;
  /** The adapter's address: the request's source, which is also its `ip`. */
  ip: string;
  mac: string;
  manufacture: Manufacture;
  /** Where the box calls the adapter (`alarmAdapterPort`). */
  port: number;
  issuedAt: number;
}

export class AdapterSessions {
  readonly #byIp = new Map<string, AdapterSession>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  issue(s: Omit<AdapterSession, 'token' | 'issuedAt'>): AdapterSession {
    const session: AdapterSession = { ...s, token: randomBytes(16).toString('hex'), issuedAt: this.#now() };
    this.#byIp.set(s.ip, session);
    return session;
  }

  /** The session of `token` when it was issued to `source`. */
  use(token: string, source: string): AdapterSession | undefined {
    const s = this.#byIp.get(source);
    if (!s || s.token.length !== token.length) return undefined;
    return timingSafeEqual(Buffer.from(s.token), Buffer.from(token)) ? s : undefined;
  }

  byIp(ip: string): AdapterSession | undefined {
    return this.#byIp.get(ip);
  }

  revoke(ip: string): void {
    this.#byIp.delete(ip);
  }
}
