/**
 * First-run setup, login, logout, password change. There is no default password: while the
 * account has none, only `POST /api/setup` with the one-time token printed by the daemon
 * (in its console URL) can set it. [spec 001a R37 / note 23: admin/admin must not survive]
 *
 * All three secrets (password, setup token, current password on change) go through the same
 * throttle (auth/lockout.ts), admitted before anything is checked, and every refusal is
 * audited with the source address (never with what was typed).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { ADMIN } from '../auth/accounts.js';
import { SESSION_COOKIE } from '../auth/guard.js';
import { throttleKey, type Admission } from '../auth/lockout.js';
import { describeProblems, hashPassword, passwordProblems, verifyPassword, type PasswordProblem } from '../auth/password.js';
import { auditOf, type ConsoleDeps } from '../deps.js';
import { fail, failWith } from '../http-errors.js';

const SetupBody = Type.Object(
  { token: Type.String({ maxLength: 200 }), password: Type.String({ maxLength: 200 }) },
  { additionalProperties: false },
);
const LoginBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ maxLength: 200 }) },
  { additionalProperties: false },
);
const PasswordBody = Type.Object(
  { current: Type.String({ maxLength: 200 }), next: Type.String({ maxLength: 200 }) },
  { additionalProperties: false },
);

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function startSession(deps: ConsoleDeps, req: FastifyRequest, reply: FastifyReply, user: string): { user: string; csrf: string } {
  // A new id at every login: an id planted or seen before the login is worth nothing after it.
  deps.sessions.destroy(req.cookies[SESSION_COOKIE]);
  const s = deps.sessions.create(user);
  void reply.setCookie(SESSION_COOKIE, s.id, {
    httpOnly: true,
    sameSite: 'strict',
    secure: deps.secure,
    path: '/',
    maxAge: deps.options.sessionMaxHours * 3600,
  });
  return { user: s.user, csrf: s.csrf };
}

function refuse(reply: FastifyReply, refusal: Extract<Admission, { ok: false }>): FastifyReply {
  const s = Math.max(1, Math.ceil(refusal.waitMs / 1000));
  void reply.header('retry-after', String(s));
  return failWith(reply, refusal.scope === 'global' ? 'EDGE_ERR_CONSOLE_BUSY' : 'EDGE_ERR_CONSOLE_LOCKED', { retryAfterS: s }, s);
}

function refusedDetail(refusal: Extract<Admission, { ok: false }>): string {
  return refusal.scope === 'global' ? 'throttled: box-wide failure ceiling' : 'locked';
}

function weak(reply: FastifyReply, problems: PasswordProblem[], minLength: number): FastifyReply {
  return failWith(reply, 'EDGE_ERR_CONSOLE_PASSWORD_WEAK', { problems }, describeProblems(problems, minLength));
}

function failure(deps: ConsoleDeps, req: FastifyRequest, action: string, user: string, detail: string): void {
  deps.audit.record({ user, ip: req.ip, action, target: user, ok: false, detail });
}

type SetupRequest = FastifyRequest<{ Body: Static<typeof SetupBody> }>;
type LoginRequest = FastifyRequest<{ Body: Static<typeof LoginBody> }>;
type PasswordRequest = FastifyRequest<{ Body: Static<typeof PasswordBody> }>;

/** `POST /setup`: the first password, with the one-time setup token. */
async function setup(deps: ConsoleDeps, req: SetupRequest, reply: FastifyReply) {
  if (deps.accounts.hasAnyUser() || !deps.setup.token) {
    failure(deps, req, 'setup', ADMIN, 'already set');
    return fail(reply, 'EDGE_ERR_CONSOLE_SETUP_DONE');
  }
  // The token is a secret too: guessing it is throttled like a password.
  const admission = deps.lockout.begin(throttleKey(ADMIN, req.ip));
  if (!admission.ok) {
    failure(deps, req, 'setup', ADMIN, refusedDetail(admission));
    return refuse(reply, admission);
  }
  if (!sameSecret(req.body.token, deps.setup.token)) {
    admission.attempt.failed();
    failure(deps, req, 'setup', ADMIN, 'wrong setup token');
    return fail(reply, 'EDGE_ERR_CONSOLE_SETUP_TOKEN');
  }
  admission.attempt.succeeded(); // the token was right; a weak password is no guess
  const problems = passwordProblems(req.body.password, ADMIN, deps.options.passwordMinLength);
  if (problems.length > 0) {
    failure(deps, req, 'setup', ADMIN, `password refused: ${problems.join(', ')}`);
    return weak(reply, problems, deps.options.passwordMinLength);
  }
  deps.accounts.setPasswordHash(ADMIN, await hashPassword(req.body.password));
  deps.setup.token = undefined;
  const out = startSession(deps, req, reply, ADMIN);
  deps.audit.record({ user: ADMIN, ip: req.ip, action: 'setup', target: ADMIN, ok: true });
  return out;
}

/** `POST /login`; `dummy` is the hash unknown names are checked against. */
async function login(deps: ConsoleDeps, dummy: () => Promise<string>, req: LoginRequest, reply: FastifyReply) {
  const { username, password } = req.body;
  if (!deps.accounts.hasAnyUser()) return fail(reply, 'EDGE_ERR_CONSOLE_SETUP_REQUIRED');
  const hash = deps.accounts.passwordHash(username);
  // Unknown names share one key and are audited as '?': people type their password into the
  // user name field, and one key per invented name would be free attempts.
  const account = hash !== undefined ? username : '?';
  const key = throttleKey(account, req.ip);
  const admission = deps.lockout.begin(key);
  if (!admission.ok) {
    failure(deps, req, 'login', account, refusedDetail(admission));
    return refuse(reply, admission);
  }
  let ok = false;
  try {
    ok = (await verifyPassword(password, hash ?? (await dummy()))) && hash !== undefined;
  } finally {
    if (ok) admission.attempt.succeeded();
    else admission.attempt.failed();
  }
  if (!ok) {
    failure(deps, req, 'login', account, hash === undefined ? 'unknown user' : 'wrong password');
    const wait = deps.lockout.waitMs(key);
    return failWith(reply, 'EDGE_ERR_CONSOLE_LOGIN_FAILED', wait > 0 ? { retryAfterS: Math.ceil(wait / 1000) } : {});
  }
  deps.audit.record({ user: username, ip: req.ip, action: 'login', target: username, ok: true });
  return startSession(deps, req, reply, username);
}

/** `POST /password`: change one's own password; the user's other sessions end. */
async function changePassword(deps: ConsoleDeps, req: PasswordRequest, reply: FastifyReply) {
  const user = req.consoleSession!.user;
  // Same key as login: a stolen session cookie buys no extra guesses at the password.
  const admission = deps.lockout.begin(throttleKey(user, req.ip));
  if (!admission.ok) {
    failure(deps, req, 'password.change', user, refusedDetail(admission));
    return refuse(reply, admission);
  }
  const hash = deps.accounts.passwordHash(user);
  let ok = false;
  try {
    ok = hash !== undefined && (await verifyPassword(req.body.current, hash));
  } finally {
    if (ok) admission.attempt.succeeded();
    else admission.attempt.failed();
  }
  if (!ok || hash === undefined) {
    failure(deps, req, 'password.change', user, 'wrong current password');
    return fail(reply, 'EDGE_ERR_CONSOLE_PASSWORD_WRONG');
  }
  const problems = passwordProblems(req.body.next, user, deps.options.passwordMinLength);
  if (problems.length === 0 && (await verifyPassword(req.body.next, hash))) problems.push('password.sameAsCurrent');
  if (problems.length > 0) {
    failure(deps, req, 'password.change', user, `password refused: ${problems.join(', ')}`);
    return weak(reply, problems, deps.options.passwordMinLength);
  }
  deps.accounts.setPasswordHash(user, await hashPassword(req.body.next));
  deps.sessions.destroyUser(user, req.consoleSession!.id);
  auditOf(deps, req, 'password.change', user, true);
  return { ok: true };
}

export async function sessionRoutes(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const { accounts, sessions, options } = deps;
  const minLength = options.passwordMinLength;

  // Unknown user names are checked against this, so they take as long as a known one.
  let dummyHash: Promise<string> | undefined;
  const dummy = (): Promise<string> => (dummyHash ??= hashPassword(randomBytes(16).toString('base64')));

  app.get('/session', { config: { public: true } }, async (req) => {
    const s = req.consoleSession;
    const id = deps.ctx.identity();
    return {
      setupRequired: !accounts.hasAnyUser(),
      user: s?.user ?? null,
      csrf: s?.csrf ?? null,
      box: id.name,
      version: id.version,
      passwordMinLength: minLength,
      bootId: deps.bootId,
    };
  });

  app.post<{ Body: Static<typeof SetupBody> }>('/setup', { config: { public: true }, schema: { body: SetupBody } }, (req, reply) =>
    setup(deps, req, reply),
  );

  app.post<{ Body: Static<typeof LoginBody> }>('/login', { config: { public: true }, schema: { body: LoginBody } }, (req, reply) =>
    login(deps, dummy, req, reply),
  );

  app.post('/logout', async (req, reply) => {
    auditOf(deps, req, 'logout', undefined, true);
    sessions.destroy(req.consoleSession?.id);
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true };
  });

  app.post<{ Body: Static<typeof PasswordBody> }>('/password', { schema: { body: PasswordBody } }, (req, reply) =>
    changePassword(deps, req, reply),
  );
}
