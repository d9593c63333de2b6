/**
 * Console sessions: random 256-bit ids kept in memory (a restart logs everyone out, which is
 * what a box being serviced wants), each with its own CSRF token, an idle and an absolute
 * expiry. The cookie carries only the id.
 */
import { randomBytes } from 'node:crypto';

export interface Session {
  id: string;
  user: string;
  csrf: string;
  createdAt: number;
  lastSeen: number;
}

export class SessionStore {
  readonly #sessions = new Map<string, Session>();
  readonly #idleMs: number;
  readonly #maxMs: number;
  readonly #now: () => number;

  readonly #ended = new Set<(id: string) => void>();

  constructor(options: { idleMs: number; maxMs: number }, now: () => number = Date.now) {
    this.#idleMs = options.idleMs;
    this.#maxMs = options.maxMs;
    this.#now = now;
  }

  /** Called with the id of every session that ends (logout, password change, expiry seen). */
  onEnded(fn: (id: string) => void): void {
    this.#ended.add(fn);
  }

  /** Whether the session is still valid, without touching it (an open live stream is not activity). */
  valid(id: string): boolean {
    const s = this.#sessions.get(id);
    if (!s) return false;
    const now = this.#now();
    if (now - s.lastSeen > this.#idleMs || now - s.createdAt > this.#maxMs) {
      this.#end(id);
      return false;
    }
    return true;
  }

  #end(id: string): void {
    if (!this.#sessions.delete(id)) return;
    for (const fn of this.#ended) fn(id);
  }

  create(user: string): Session {
    const now = this.#now();
    const s: Session = {
      id: randomBytes(32).toString('base64url'),
      user,
      csrf: randomBytes(24).toString('base64url'),
      createdAt: now,
      lastSeen: now,
    };
    this.#sessions.set(s.id, s);
    return s;
  }

  /** The live session for this id, touched; undefined if unknown or expired. */
  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const s = this.#sessions.get(id);
    if (!s) return undefined;
    const now = this.#now();
    if (now - s.lastSeen > this.#idleMs || now - s.createdAt > this.#maxMs) {
      this.#end(id);
      return undefined;
    }
    s.lastSeen = now;
    return s;
  }

  destroy(id: string | undefined): void {
    if (id) this.#end(id);
  }

  /** Log every session of a user out (after a password change, except the one that changed it). */
  destroyUser(user: string, keep?: string): void {
    for (const [id, s] of this.#sessions) if (s.user === user && id !== keep) this.#end(id);
  }

  get size(): number {
    return this.#sessions.size;
  }
}
