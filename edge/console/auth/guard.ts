/**
 * The console's request guard, run on every /api request:
 * - a route is public only if it says so (`config: { public: true }`);
 * - every other route needs a live session cookie;
 * - every state-changing request needs the session's CSRF token in `x-csrf-token`, and, when
 *   the browser sends an Origin, an Origin equal to the console's own.
 * Login and setup have no session yet; they rely on SameSite=Strict, the Origin check and
 * on accepting only `application/json` bodies (a cross-site form cannot send those).
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { fail } from '../http-errors.js';
import type { Session, SessionStore } from './sessions.js';
import type { AccountStore } from './accounts.js';

export const SESSION_COOKIE = 'pe_console';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyRequest {
    consoleSession: Session | null;
  }
  interface FastifyContextConfig {
    public?: boolean;
  }
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function originMatches(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true; // non-browser clients (curl) send none; CSRF token still applies
  const host = req.headers.host;
  return origin === `${req.protocol}://${host}`;
}

export function makeGuard(deps: { sessions: SessionStore; accounts: AccountStore }) {
  return async function consoleGuard(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const unsafe = !SAFE_METHODS.has(req.method);
    if (unsafe && !originMatches(req)) {
      await fail(reply, 'EDGE_ERR_CONSOLE_CSRF');
      return;
    }
    const session = deps.sessions.get(req.cookies[SESSION_COOKIE]);
    req.consoleSession = session ?? null;
    if (req.routeOptions.config.public) return;
    if (!session) {
      await fail(reply, deps.accounts.hasAnyUser() ? 'EDGE_ERR_CONSOLE_AUTH_REQUIRED' : 'EDGE_ERR_CONSOLE_SETUP_REQUIRED');
      return;
    }
    if (unsafe) {
      const token = req.headers['x-csrf-token'];
      if (typeof token !== 'string' || !sameToken(token, session.csrf)) {
        await fail(reply, 'EDGE_ERR_CONSOLE_CSRF');
        return;
      }
    }
  };
}
