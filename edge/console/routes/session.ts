/**
 * First-run setup, login, logout, password change. There is no default password: while the
 * account has none, only `POST /api/setup` with the one-time token printed by the daemon
 * (in its console URL) can set it. [spec 001a R37 / note 23: admin/admin must not survive]
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { ADMIN } from '../auth/accounts.js';
import { SESSION_COOKIE } from '../auth/guard.js';
import { hashPassword, passwordProblems, verifyPassword } from '../auth/password.js';
import { auditOf, type ConsoleDeps } from '../deps.js';
import { fail } from '../http-errors.js';

const SetupBody = Type.Object({ token: Type.String({ maxLength: 200 }), password: Type.String({ maxLength: 200 }) }, { additionalProperties: false });
const LoginBody = Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ maxLength: 200 }) }, { additionalProperties: false });
const PasswordBody = Type.Object({ current: Type.String({ maxLength: 200 }), next: Type.String({ maxLength: 200 }) }, { additionalProperties: false });

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export async function sessionRoutes(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const { accounts, sessions, lockout, options } = deps;

  function startSession(reply: FastifyReply, user: string): { user: string; csrf: string } {
    const s = sessions.create(user);
    void reply.setCookie(SESSION_COOKIE, s.id, { httpOnly: true, sameSite: 'strict', secure: deps.secure, path: '/', maxAge: options.sessionMaxHours * 3600 });
    return { user: s.user, csrf: s.csrf };
  }

  app.get('/session', { config: { public: true } }, async (req) => {
    const s = req.consoleSession;
    const id = deps.ctx.identity();
    return { setupRequired: !accounts.hasAnyUser(), user: s?.user ?? null, csrf: s?.csrf ?? null, box: id.name, version: id.version };
  });

  app.post<{ Body: Static<typeof SetupBody> }>('/setup', { config: { public: true }, schema: { body: SetupBody } }, async (req, reply) => {
    const keys = [`ip:${req.ip}`];
    const wait = lockout.waitMs(keys);
    if (wait > 0) return locked(reply, wait);
    if (accounts.hasAnyUser() || !deps.setup.token) return fail(reply, 'EDGE_ERR_CONSOLE_SETUP_DONE');
    if (!sameSecret(req.body.token, deps.setup.token)) {
      lockout.failure(keys); // the token is a secret too: guessing it is throttled like a password
      auditOf(deps, req, 'setup', ADMIN, false, 'wrong setup token');
      return fail(reply, 'EDGE_ERR_CONSOLE_SETUP_TOKEN');
    }
    const problems = passwordProblems(req.body.password, ADMIN);
    if (problems.length > 0) return reply.code(400).send({ error: { code: 'EDGE_ERR_CONSOLE_PASSWORD_WEAK', message: `password refused: ${problems.join(', ')}`, problems } });
    accounts.setPasswordHash(ADMIN, await hashPassword(req.body.password));
    deps.setup.token = undefined;
    lockout.success(keys);
    const out = startSession(reply, ADMIN);
    deps.audit.record({ user: ADMIN, ip: req.ip, action: 'setup', target: ADMIN, ok: true });
    return out;
  });

  function locked(reply: FastifyReply, waitMs: number): FastifyReply {
    const s = Math.ceil(waitMs / 1000);
    void reply.header('retry-after', String(s));
    return reply.code(429).send({ error: { code: 'EDGE_ERR_CONSOLE_LOCKED', message: `too many failed logins; try again in ${s} s`, retryAfterS: s } });
  }

  app.post<{ Body: Static<typeof LoginBody> }>('/login', { config: { public: true }, schema: { body: LoginBody } }, async (req, reply) => {
    const { username, password } = req.body;
    const keys = [`user:${username}`, `ip:${req.ip}`];
    const wait = lockout.waitMs(keys);
    if (wait > 0) {
      deps.audit.record({ user: username, ip: req.ip, action: 'login', ok: false, detail: 'locked' });
      return locked(reply, wait);
    }
    if (!accounts.hasAnyUser()) return fail(reply, 'EDGE_ERR_CONSOLE_SETUP_REQUIRED');
    const hash = accounts.passwordHash(username);
    const ok = hash !== undefined && (await verifyPassword(password, hash));
    deps.audit.record({ user: username, ip: req.ip, action: 'login', ok });
    if (!ok) {
      const next = lockout.failure(keys);
      return reply.code(401).send({ error: { code: 'EDGE_ERR_CONSOLE_LOGIN_FAILED', message: 'wrong user name or password', ...(next > 0 ? { retryAfterS: Math.ceil(next / 1000) } : {}) } });
    }
    lockout.success(keys);
    return startSession(reply, username);
  });

  app.post('/logout', async (req, reply) => {
    auditOf(deps, req, 'logout', undefined, true);
    sessions.destroy(req.consoleSession?.id);
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true };
  });

  app.post<{ Body: Static<typeof PasswordBody> }>('/password', { schema: { body: PasswordBody } }, async (req, reply) => {
    const user = req.consoleSession!.user;
    const hash = accounts.passwordHash(user);
    if (!hash || !(await verifyPassword(req.body.current, hash))) {
      auditOf(deps, req, 'password.change', user, false, 'wrong current password');
      return fail(reply, 'EDGE_ERR_CONSOLE_LOGIN_FAILED');
    }
    const problems = passwordProblems(req.body.next, user);
    if (problems.length > 0) return reply.code(400).send({ error: { code: 'EDGE_ERR_CONSOLE_PASSWORD_WEAK', message: `password refused: ${problems.join(', ')}`, problems } });
    accounts.setPasswordHash(user, await hashPassword(req.body.next));
    sessions.destroyUser(user, req.consoleSession!.id);
    auditOf(deps, req, 'password.change', user, true);
    return { ok: true };
  });
}
