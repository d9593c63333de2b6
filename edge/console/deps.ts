/** What every console route plugin receives: the box context plus the console's own parts. */
import type { FastifyRequest } from 'fastify';
import type { ConsoleContext } from './context.js';
import type { ConsoleOptions } from './options.js';
import type { AccountStore } from './auth/accounts.js';
import type { SessionStore } from './auth/sessions.js';
import type { Lockout } from './auth/lockout.js';
import type { Audit } from './audit.js';
import type { LiveHub } from './live.js';

export interface ConsoleDeps {
  ctx: ConsoleContext;
  options: ConsoleOptions;
  accounts: AccountStore;
  sessions: SessionStore;
  /** Random per start; in `/api/session` and the live stream's `hello`. */
  bootId: string;
  lockout: Lockout;
  audit: Audit;
  live: LiveHub;
  secure: boolean;
  /** The one-time setup token while no password is set; cleared once used. */
  setup: { token: string | undefined };
}

/** Record a console action for the request's user. */
export function auditOf(
  deps: ConsoleDeps,
  req: FastifyRequest,
  action: string,
  target: string | undefined,
  ok: boolean,
  detail?: string,
): void {
  deps.audit.record({ user: req.consoleSession?.user ?? '-', ip: req.ip, action, target, ok, detail });
}
