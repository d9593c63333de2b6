/**
 * Live state you can trust (issue 22, item 2): one indicator for the whole app. A daemon restart
 * under an open page goes reconnecting, then offers a reload, and values resume after logging in
 * again; a session that ends under an open page asks for a new login. Each at 1366 px in Chinese
 * and at 375 px in English, in one box.
 */
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DRIVERS, startConsoleBox, waitFor, type ConsoleBox } from './box.js';
import { openBrowser, type TestBrowser } from './browser.js';
import { logIn, setupAdmin } from './login.js';
import { DESKTOP_ZH, expectFits, useView, VIEWS, viewName } from './views.js';

/** A port free now on loopback: the restarted daemon must come back on the same address. */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('connection state in Chromium', () => {
  let box: ConsoleBox;
  let b: TestBrowser;
  let port: number;
  const dir = mkdtempSync(join(tmpdir(), 'pe-console-live-'));
  beforeAll(async () => {
    port = await freePort();
    box = await startConsoleBox('', DEMO_DRIVERS, dir, port);
    b = await openBrowser();
    await setupAdmin(b.page, box);
  }, 90_000);
  afterAll(async () => {
    await b?.close();
    await box?.close();
  });

  const state = () => b.page.locator('#conn').getAttribute('data-state');
  const voltage = () => b.page.locator('td.value[data-prop="Voltage"]').textContent();

  async function valuesMove(): Promise<void> {
    const seen = new Set([await voltage()]);
    await waitFor(async () => seen.add(await voltage()).size >= 3, 20_000, 100);
  }

  // What the indicator says in each language (msg-app.js).
  const SAYS = {
    zh: { live: '实时', reconnecting: '正在重连', restarted: '盒子已重启', expired: '会话已结束' },
    en: { live: 'Live', reconnecting: 'reconnecting', restarted: 'The box restarted', expired: 'Session ended' },
  };

  for (const view of VIEWS) {
    const says = SAYS[view.lang];
    const shot = (name: string) => b.shot(view === DESKTOP_ZH ? name : `${name}-${view.width}-${view.lang}`);

    it(`${viewName(view)}: shows live while the stream is open`, async () => {
      await useView(b.page, view, '#/device/PEDemoMeter/meter-01');
      await waitFor(async () => (await state()) === 'live');
      expect(await b.page.locator('#conn').textContent()).toBe(says.live);
      await valuesMove();
      expect(await b.page.locator('.badge.live').count()).toBe(0); // no page claims "live" on its own
      await expectFits(b.page, view, '#conn', 'td.value[data-prop="Voltage"]');
    });

    it(`${viewName(view)}: a daemon restart: reconnecting while it is away, then reload; values resume after logging in again`, async () => {
      const { page } = b;
      await box.runtime.stop();
      await waitFor(async () => (await state()) === 'reconnecting');
      expect(await page.locator('#conn').textContent()).toContain(says.reconnecting);
      expect(await page.locator('body').getAttribute('class')).toContain('stale');
      await expectFits(page, view, '#conn');
      await shot('12-reconnecting');
      box = await startConsoleBox('', DEMO_DRIVERS, dir, port);
      // The probe backs off (1, 2, 4 … 15 s): within the longest step the new boot is seen.
      await waitFor(async () => (await state()) === 'restarted', 30_000, 100);
      expect(await page.locator('#conn').textContent()).toContain(says.restarted);
      await expectFits(page, view, '#conn', '#conn-reload');
      await shot('13-restarted');
      await page.click('#conn-reload');
      await logIn(page); // sessions live in memory: a restart logs everyone out
      await page.locator('td.value[data-prop="Voltage"]').waitFor(); // back on the device page
      await waitFor(async () => (await state()) === 'live');
      expect(await page.locator('body').getAttribute('class')).not.toContain('stale');
      await valuesMove();
    });

    it(`${viewName(view)}: a session ended elsewhere (logout in another tab) asks for a new login, then returns to the page`, async () => {
      const { page } = b;
      await page.evaluate(async () => {
        const s = (await (await fetch('/api/session')).json()) as { csrf: string };
        await fetch('/api/logout', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrf }, body: '{}' });
      });
      await waitFor(async () => (await state()) === 'expired');
      expect(await page.locator('#conn').textContent()).toContain(says.expired);
      await expectFits(page, view, '#conn', '#conn-login');
      await shot('14-session-ended');
      await page.click('#conn-login');
      await logIn(page);
      await page.locator('td.value[data-prop="Voltage"]').waitFor();
      await waitFor(async () => (await state()) === 'live');
      await valuesMove();
    });
  }
});
