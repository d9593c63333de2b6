/**
 * Console authentication against a hostile LAN (issue 14, part 1): real sockets from several
 * loopback source addresses against a real box.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsoleBox, type ConsoleBox } from '../console/box.js';
import { send, type Reply } from './http.js';

const PASSWORD = 'Site-Admin-Pass-2024';
const FREE = 3;
const NO_DRIVERS = 'drivers: []\n';

interface AuditRow {
  user: string;
  ip: string;
  action: string;
  ok: number;
  detail: string | null;
}

function auditRows(box: ConsoleBox, ip: string, action?: string): AuditRow[] {
  const rows = box.runtime.db
    .prepare('SELECT user, ip, action, ok, detail FROM console_audit WHERE ip = ? ORDER BY id')
    .all(ip) as AuditRow[];
  return action ? rows.filter((r) => r.action === action) : rows;
}

function expectRetryAfter(r: Reply): void {
  expect(r.status).toBe(429);
  const header = Number(r.headers['retry-after']);
  expect(Number.isInteger(header) && header >= 1).toBe(true);
  expect(r.body.error?.retryAfterS).toBe(header);
}

describe('console login throttling on a hostile LAN', () => {
  let box: ConsoleBox;
  const login = (from: string, password: string, opts: { cookie?: string; onSent?: () => void } = {}) =>
    send(box.url, 'POST', '/api/login', { username: 'admin', password }, { from, ...opts });

  beforeAll(async () => {
    box = await startConsoleBox(
      `console: { lockout: { freeAttempts: ${FREE}, baseDelayMs: 60000, globalFailuresPerMinute: 30 } }\n`,
      NO_DRIVERS,
    );
    const setup = await send(
      box.url,
      'POST',
      '/api/setup',
      { token: box.runtime.console!.setupToken, password: PASSWORD },
      { from: '127.0.0.1' },
    );
    expect(setup.status).toBe(200);
  });
  afterAll(() => box?.close());

  it('parallel guesses from one address: at most the free attempts are checked, and the right password sent last is refused', async () => {
    const from = '127.0.0.2';
    let sent = 0;
    const guesses: Promise<Reply>[] = [];
    // The right password goes out only once all 29 guesses are on the wire.
    await new Promise<void>((resolve) => {
      for (let i = 0; i < 29; i++) guesses.push(login(from, `wrong-guess-${i}`, { onSent: () => void (++sent === 29 && resolve()) }));
    });
    const right = login(from, PASSWORD);
    const replies = await Promise.all([...guesses, right]);
    const checked = auditRows(box, from, 'login').filter((r) => r.detail === 'wrong password' || r.ok === 1);
    expect(checked.length).toBeLessThanOrEqual(FREE);
    expect(replies.filter((r) => r.status === 401).length).toBeLessThanOrEqual(FREE);
    expect(replies.filter((r) => r.status === 200)).toEqual([]);
    expectRetryAfter(await right);
    expect((await right).body.error?.code).toBe('EDGE_ERR_CONSOLE_LOCKED');
    // Every refusal is audited with its source too.
    expect(auditRows(box, from, 'login')).toHaveLength(30);
    // Still locked one at a time.
    expectRetryAfter(await login(from, PASSWORD));
  });

  it('another address failing cannot lock the admin out: a never-failed address gets in', async () => {
    const attacker = '127.0.0.3';
    for (let i = 0; i < FREE; i++) expect((await login(attacker, `nope-${i}`)).status).toBe(401);
    const locked = await login(attacker, PASSWORD);
    expectRetryAfter(locked);
    expect(locked.body.error?.code).toBe('EDGE_ERR_CONSOLE_LOCKED');
    const admin = await login('127.0.0.4', PASSWORD);
    expect(admin.status).toBe(200);
    expect(admin.cookie).toMatch(/^pe_console=/);
    // Invented user names share one key per source, so they buy no extra attempts either.
    const names = '127.0.0.13';
    for (let i = 0; i < FREE; i++)
      expect((await send(box.url, 'POST', '/api/login', { username: `user${i}`, password: 'x' }, { from: names })).status).toBe(401);
    expectRetryAfter(await send(box.url, 'POST', '/api/login', { username: 'user-next', password: 'x' }, { from: names }));
    expect(auditRows(box, names, 'login').every((r) => r.user === '?')).toBe(true);
  });

  it('throttles wrong current passwords on password change the same way', async () => {
    const from = '127.0.0.5';
    const s = await login(from, PASSWORD);
    expect(s.status).toBe(200);
    const change = (current: string, next: string) =>
      send(box.url, 'POST', '/api/password', { current, next }, { from, cookie: s.cookie, csrf: s.body.csrf });
    for (let i = 0; i < FREE; i++) {
      const r = await change(`not-current-${i}`, 'Brand-New-Pass-77');
      expect(r.status).toBe(403);
      expect(r.body.error?.code).toBe('EDGE_ERR_CONSOLE_PASSWORD_WRONG');
    }
    const locked = await change(PASSWORD, 'Brand-New-Pass-77');
    expectRetryAfter(locked);
    expect(auditRows(box, from, 'password.change').map((r) => r.detail)).toEqual([
      ...Array<string>(FREE).fill('wrong current password'),
      'locked',
    ]);
    // The same source is now locked for login too: the session bought no extra guesses.
    expectRetryAfter(await login(from, PASSWORD));
  });

  it('refuses the current password as the new one, saying which rule failed', async () => {
    const from = '127.0.0.6';
    const s = await login(from, PASSWORD);
    const r = await send(
      box.url,
      'POST',
      '/api/password',
      { current: PASSWORD, next: PASSWORD },
      { from, cookie: s.cookie, csrf: s.body.csrf },
    );
    expect(r.status).toBe(400);
    expect(r.body.error?.code).toBe('EDGE_ERR_CONSOLE_PASSWORD_WEAK');
    expect(r.body.error?.problems).toEqual(['password.sameAsCurrent']);
    expect(r.body.error?.message).toBe('password refused: the same as the current password');
    const common = await send(
      box.url,
      'POST',
      '/api/password',
      { current: PASSWORD, next: 'Password123' },
      { from, cookie: s.cookie, csrf: s.body.csrf },
    );
    expect(common.body.error?.problems).toEqual(['password.tooCommon']);
  });

  it('rotates the session id at login: an id from before the login is dead after it', async () => {
    const from = '127.0.0.7';
    const first = await login(from, PASSWORD);
    expect(first.status).toBe(200);
    const planted = 'pe_console=attacker-chosen-id';
    const second = await login(from, PASSWORD, { cookie: first.cookie });
    expect(second.status).toBe(200);
    expect(second.cookie).toBeDefined();
    expect(second.cookie).not.toBe(first.cookie);
    expect((await send(box.url, 'GET', '/api/session', undefined, { from, cookie: first.cookie })).body.user).toBeNull();
    expect((await send(box.url, 'GET', '/api/session', undefined, { from, cookie: second.cookie })).body.user).toBe('admin');
    const third = await login(from, PASSWORD, { cookie: planted });
    expect(third.cookie).not.toBe(planted);
    expect((await send(box.url, 'GET', '/api/session', undefined, { from, cookie: planted })).body.user).toBeNull();
  });

  it('audits every failure with its source address and never a password', () => {
    const rows = box.runtime.db.prepare('SELECT user, ip, action, ok, detail FROM console_audit WHERE ok = 0').all() as AuditRow[];
    expect(rows.length).toBeGreaterThan(40);
    for (const r of rows) expect(r.ip).toMatch(/^127\.0\.0\.\d+$/);
    const all = JSON.stringify(box.runtime.db.prepare('SELECT * FROM console_audit').all());
    for (const secret of [PASSWORD, 'wrong-guess-', 'not-current-', 'Brand-New-Pass-77']) expect(all).not.toContain(secret);
  });
});

describe('first-run setup throttling, password policy and the box-wide ceiling', () => {
  let box: ConsoleBox;
  let token: string;
  const GLOBAL = 6;
  const setup = (from: string, password: string, tok = token) => send(box.url, 'POST', '/api/setup', { token: tok, password }, { from });

  beforeAll(async () => {
    box = await startConsoleBox(
      `console: { lockout: { freeAttempts: ${FREE}, baseDelayMs: 60000, globalFailuresPerMinute: ${GLOBAL} } }\n`,
      NO_DRIVERS,
    );
    token = box.runtime.console!.setupToken!;
  });
  afterAll(() => box?.close());

  it('throttles setup-token guesses per source: the right token from a locked source waits', async () => {
    const from = '127.0.0.20';
    for (let i = 0; i < FREE; i++)
      expect((await setup(from, PASSWORD, `guess-${i}`)).body.error?.code).toBe('EDGE_ERR_CONSOLE_SETUP_TOKEN');
    expectRetryAfter(await setup(from, PASSWORD));
    expect(auditRows(box, from, 'setup').map((r) => r.detail)).toEqual([...Array<string>(FREE).fill('wrong setup token'), 'locked']);
  });

  it('refuses weak passwords at setup, each with its rule and message', async () => {
    const from = '127.0.0.21';
    const cases: [string, string, string][] = [
      ['Short-9ch', 'password.tooShort', 'shorter than 10 characters'],
      ['qwertyuiop123', 'password.tooCommon', 'in the list of common passwords'],
      ['ADMIN', 'password.sameAsUser', 'the same as the user name'],
    ];
    for (const [pw, problem, text] of cases) {
      const r = await setup(from, pw);
      expect(r.status, pw).toBe(400);
      expect(r.body.error?.code).toBe('EDGE_ERR_CONSOLE_PASSWORD_WEAK');
      expect(r.body.error?.problems).toContain(problem);
      expect(r.body.error?.message).toContain(text);
    }
    // Refusals by policy are no guesses: the source is not locked, and the setup goes through.
    expect((await setup(from, PASSWORD)).status).toBe(200);
    expect(auditRows(box, from, 'setup').filter((r) => r.ok === 0)).toHaveLength(cases.length);
  });

  it('past the box-wide failure ceiling everyone waits, and is told it is box-wide', async () => {
    // 3 token guesses above already spent half the ceiling; three more addresses fail once each.
    for (const from of ['127.0.0.22', '127.0.0.23', '127.0.0.24'])
      expect((await send(box.url, 'POST', '/api/login', { username: 'admin', password: 'x' }, { from })).status).toBe(401);
    const fresh = await send(box.url, 'POST', '/api/login', { username: 'admin', password: PASSWORD }, { from: '127.0.0.25' });
    expectRetryAfter(fresh);
    expect(fresh.body.error?.code).toBe('EDGE_ERR_CONSOLE_BUSY');
    expect(fresh.body.error?.message).toMatch(/from all addresses/);
    expect(auditRows(box, '127.0.0.25', 'login')[0]?.detail).toBe('throttled: box-wide failure ceiling');
  });
});
