import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsoleBox, waitFor, type ConsoleBox } from './box.js';
import { ConsoleClient } from './client.js';

import { Lockout } from '../../edge/console/auth/lockout.js';
import { hashPassword, passwordProblems, verifyPassword } from '../../edge/console/auth/password.js';
import { SessionStore } from '../../edge/console/auth/sessions.js';

const PASSWORD = 'Tech-On-Site-2024';

describe('console access: setup, sessions, CSRF, lockout, audit', () => {
  let box: ConsoleBox;
  let token: string;
  beforeAll(async () => {
    box = await startConsoleBox('console: { lockout: { freeAttempts: 3, baseDelayMs: 60000 } }\n');
    token = box.runtime.console!.setupToken!;
  });
  afterAll(() => box?.close());

  it('first run: no default password; everything but setup is refused until a password is set', async () => {
    const c = new ConsoleClient(box.runtime.http);
    expect((await c.get('/api/session')).json()).toMatchObject({ setupRequired: true, user: null });
    expect(box.runtime.consoleUrl()).toContain(`#setup=${token}`);
    for (const pw of ['admin', 'changepassword', '']) expect((await c.login(pw)).statusCode).toBe(403);
    const refused = await c.get('/api/devices');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('EDGE_ERR_CONSOLE_SETUP_REQUIRED');
    const wrongToken = await c.setup('not-the-token', PASSWORD);
    expect(wrongToken.statusCode).toBe(403);
    expect(wrongToken.json().error.code).toBe('EDGE_ERR_CONSOLE_SETUP_TOKEN');
    const weak = await c.setup(token, 'admin');
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error.problems).toContain('password.tooShort');
  });

  it('setup sets the password once, logs in with an httpOnly SameSite cookie, and cannot be repeated', async () => {
    const c = new ConsoleClient(box.runtime.http);
    const res = await c.setup(token, PASSWORD);
    expect(res.statusCode).toBe(200);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(box.runtime.console!.setupToken).toBeUndefined();
    expect((await c.get('/api/devices')).statusCode).toBe(200);
    const again = await new ConsoleClient(box.runtime.http).setup(token, 'Another-Pass-99');
    expect(again.statusCode).toBe(409);
    const hash = box.runtime.db.prepare('SELECT password_hash FROM console_users').get() as { password_hash: string };
    expect(hash.password_hash).toMatch(/^scrypt\$/);
    expect(hash.password_hash).not.toContain(PASSWORD);
  });

  it('refuses unauthenticated requests and state changes without the CSRF token or from another origin', async () => {
    const anon = new ConsoleClient(box.runtime.http);
    for (const url of ['/api/devices', '/api/dashboard', '/api/drivers', '/api/maintenance/backup', '/api/stream']) {
      const r = await anon.get(url);
      expect(r.statusCode, url).toBe(401);
      expect(r.json().error.code).toBe('EDGE_ERR_CONSOLE_AUTH_REQUIRED');
    }
    expect((await anon.post('/api/drivers/Demo_Sim_EBA_Meter/restart')).statusCode).toBe(401);
    const c = new ConsoleClient(box.runtime.http);
    expect((await c.login(PASSWORD)).statusCode).toBe(200);
    const pidBefore = box.runtime.host.status()[0]!.pid;
    const noToken = await c.post('/api/drivers/Demo_Sim_EBA_Meter/restart', {}, { 'x-csrf-token': '' });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json().error.code).toBe('EDGE_ERR_CONSOLE_CSRF');
    expect(
      (await c.post('/api/devices/PEDemoMeter/meter-01/properties', { params: { RelayState: 0 } }, { 'x-csrf-token': 'forged' }))
        .statusCode,
    ).toBe(403);
    expect((await c.post('/api/drivers/Demo_Sim_EBA_Meter/restart', {}, { origin: 'http://evil.example' })).statusCode).toBe(403);
    expect(box.runtime.host.status()[0]!.pid).toBe(pidBefore); // no refused request restarted the driver
    // A cross-site form can only send text/plain or form bodies: refused before any handler runs.
    const form = await anon.request('POST', '/api/login', 'username=admin&password=x', { 'content-type': 'text/plain' });
    expect(form.statusCode).toBe(415);
    // The token works: the same request with it goes through.
    expect((await c.post('/api/drivers/Demo_Sim_EBA_Meter/restart')).statusCode).toBe(200);
  });

  it('logout ends the session', async () => {
    const c = new ConsoleClient(box.runtime.http);
    await c.login(PASSWORD);
    expect((await c.post('/api/logout')).statusCode).toBe(200);
    expect((await c.get('/api/devices')).statusCode).toBe(401);
  });

  it('locks a user out after repeated wrong passwords, even for the right password, and audits it', async () => {
    const c = new ConsoleClient(box.runtime.http);
    for (let i = 0; i < 3; i++) expect((await c.login('wrong-password')).statusCode).toBe(401);
    const locked = await c.login(PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(30);
    expect(locked.json().error.code).toBe('EDGE_ERR_CONSOLE_LOCKED');
    box.runtime.log.flush();
    await waitFor(() =>
      box.logLines().some((l) => l.audit === true && l.action === 'login' && l.ok === false && l.user === 'admin' && l.detail === 'locked'),
    );
    expect(JSON.stringify(box.logLines())).not.toContain(PASSWORD);
  });

  it('audits every action with the user, in the log and in the audit table', async () => {
    const rows = box.runtime.db.prepare('SELECT user, action, ok FROM console_audit ORDER BY id').all() as {
      user: string;
      action: string;
      ok: number;
    }[];
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ user: 'admin', action: 'setup', ok: 1 }),
        expect.objectContaining({ user: 'admin', action: 'driver.restart', ok: 1 }),
        expect.objectContaining({ user: 'admin', action: 'logout', ok: 1 }),
      ]),
    );
    box.runtime.log.flush();
    await waitFor(() =>
      box
        .logLines()
        .some(
          (l) =>
            l.audit === true &&
            l.comp === 'console' &&
            l.user === 'admin' &&
            l.action === 'driver.restart' &&
            l.target === 'Demo_Sim_EBA_Meter',
        ),
    );
  });
});

describe('auth building blocks', () => {
  it('scrypt hashes verify only the right password and differ per salt', async () => {
    const a = await hashPassword('Some-Password-1');
    const b = await hashPassword('Some-Password-1');
    expect(a).not.toBe(b);
    expect(await verifyPassword('Some-Password-1', a)).toBe(true);
    expect(await verifyPassword('Some-Password-2', a)).toBe(false);
    expect(await verifyPassword('x', 'garbage')).toBe(false);
    expect(passwordProblems('admin', 'admin')).toEqual(
      expect.arrayContaining(['password.tooShort', 'password.sameAsUser', 'password.tooCommon']),
    );
    expect(passwordProblems('changepassword', 'admin')).toContain('password.tooCommon');
    expect(passwordProblems('Long-Enough-1', 'admin')).toEqual([]);
    expect(passwordProblems('Long-Enough-1', 'admin', 14)).toEqual(['password.tooShort']);
  });

  it('lockout delay grows with every failure past the free attempts and is capped', () => {
    let now = 1_000_000;
    const l = new Lockout({ freeAttempts: 2, baseDelayMs: 1000, maxDelayMs: 5000, globalFailuresPerMinute: 1000 }, () => now);
    const k = 'admin|127.0.0.1';
    const fail = (): number => {
      const a = l.begin(k);
      if (!a.ok) throw new Error(`refused for ${a.waitMs} ms`);
      a.attempt.failed();
      return l.waitMs(k);
    };
    expect(fail()).toBe(0);
    expect(fail()).toBe(1000);
    expect(l.begin(k)).toEqual({ ok: false, scope: 'source', waitMs: 1000 });
    now += 1000;
    expect(l.waitMs(k)).toBe(0);
    expect(fail()).toBe(2000);
    now += 2000;
    expect(fail()).toBe(4000);
    now += 4000;
    expect(fail()).toBe(5000);
    now += 5000;
    const ok = l.begin(k);
    expect(ok.ok).toBe(true);
    if (ok.ok) ok.attempt.succeeded();
    expect(l.waitMs(k)).toBe(0);
  });

  it('sessions expire when idle and at their absolute limit', () => {
    let now = 0;
    const s = new SessionStore({ idleMs: 100, maxMs: 250 }, () => now);
    const a = s.create('admin');
    now = 90;
    expect(s.get(a.id)).toBeDefined();
    now = 180;
    expect(s.get(a.id)).toBeDefined();
    now = 260;
    expect(s.get(a.id)).toBeUndefined();
    const b = s.create('admin');
    now += 101;
    expect(s.get(b.id)).toBeUndefined();
    expect(s.get(undefined)).toBeUndefined();
  });
});
