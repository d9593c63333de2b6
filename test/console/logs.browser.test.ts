/**
 * Logs in Chromium (issue 22, item 4): a driver whose port is taken shows the real reason
 * (EADDRINUSE) on its row; the box log newest first, filtered by level and text, followed, and
 * downloaded; fields shown as key=value. At 1366 px in Chinese, then at 375 px in English in the
 * same box.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DRIVERS, startConsoleBox, waitFor, type ConsoleBox } from './box.js';
import { ARTIFACTS, openBrowser, type TestBrowser } from './browser.js';
import { setupAdmin } from './login.js';
import { DESKTOP_ZH, expectFits, PHONE_EN, useView, viewName } from './views.js';

const LATE_LISTEN = join(import.meta.dirname, 'fixtures', 'late-listen-driver.mjs');

describe('logs in Chromium', () => {
  let box: ConsoleBox;
  let b: TestBrowser;
  let squatter: Server;
  let port: number;
  beforeAll(async () => {
    // Another program holds the port the door driver is configured to listen on.
    squatter = createServer();
    await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r));
    port = (squatter.address() as { port: number }).port;
    box = await startConsoleBox(
      'log: { file: ../edge.log }\n', // the file the test box's logger writes (box.ts)
      `${DEMO_DRIVERS}  - name: Door_Clash
    type: door-standard
    config: { host: 127.0.0.1, port: ${port}, boxIp: 127.0.0.1 }
    devices:
      - { productKey: PEDoorQr, deviceName: CLASH-DOOR-01.2, custom: { ip: 127.0.0.2, port: 8090 } }
  - name: Late_Clash
    module: ${LATE_LISTEN}
    config: { port: ${port} }
    devices:
      - { productKey: PEDemoThermo, deviceName: late-01 }
`,
    );
    b = await openBrowser();
    await setupAdmin(b.page, box);
  }, 90_000);
  afterAll(async () => {
    await b?.close();
    await box?.close();
    await new Promise<void>((r) => squatter?.close(() => r()));
  });

  it('a port clash shows EADDRINUSE on the driver row, also when a running driver dies of it', async () => {
    const { page } = b;
    await waitFor(() => /EADDRINUSE/.test(box.runtime.host.status().find((d) => d.name === 'Door_Clash')?.lastError ?? ''));
    await page.click('#nav-drivers');
    const cell = page.locator('#drivers-table tr[data-driver="Door_Clash"] td.msg');
    await waitFor(async () => /EADDRINUSE/.test((await cell.textContent()) ?? ''));
    expect(await cell.textContent()).toContain(String(port));
    // The state in words of the page's language, not the code (failed, restarting…).
    expect(await page.locator('#drivers-table tr[data-driver="Door_Clash"] .badge').textContent()).toMatch(/^(故障|重启中|已停止|启动中)$/);
    // Not "exited with code 1": the reason the process died, sent before it exits.
    const late = page.locator('#drivers-table tr[data-driver="Late_Clash"] td.msg');
    await waitFor(async () => /EADDRINUSE/.test((await late.textContent()) ?? ''), 30_000, 200);
    expect(await late.textContent()).toContain('进程退出，退出码 1'); // "exited with code 1" in words
    await b.shot('18-driver-port-clash');
  });

  it('box log: newest first, level and text filter, key=value fields, follow, download', async () => {
    const { page } = b;
    await page.click('#box-log-open');
    await page.locator('#log-lines li').first().waitFor();
    const times = await page.locator('#log-lines li .time').allTextContents();
    expect(times.length).toBeGreaterThan(3);
    expect([...times].sort().reverse()).toEqual(times); // newest first
    expect(await page.locator('#log-lines .kv').count()).toBeGreaterThan(0);
    // Errors only: the driver that cannot start, nothing at info.
    await page.selectOption('#log-level', 'error');
    await waitFor(async () => {
      const classes = await page.locator('#log-lines li').evaluateAll((els) => els.map((e) => e.className));
      return classes.length > 0 && classes.every((c) => c === 'l-error' || c === 'l-fatal');
    });
    expect(await page.locator('#log-lines').textContent()).toContain('Door_Clash');
    await b.shot('19-box-log-errors');
    await page.selectOption('#log-level', 'info');
    await waitFor(async () => (await page.locator('#log-lines li.l-info').count()) > 0);
    await page.fill('#log-filter', 'driver ready');
    await waitFor(async () => {
      const lines = await page.locator('#log-lines li').allTextContents();
      return lines.length > 0 && lines.every((l) => l.includes('driver ready'));
    });
    // Follow: a new line shows on top without touching the page.
    await page.fill('#log-filter', 'follow-marker');
    await page.check('#log-follow');
    box.runtime.log.warn({ marker: 'follow-marker' }, 'a line written while following');
    await waitFor(async () => /marker=follow-marker/.test((await page.locator('#log-lines li').first().textContent()) ?? ''));
    expect(await page.locator('#log-lines li').first().getAttribute('class')).toBe('l-warn');
    await page.uncheck('#log-follow');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#log-download')]);
    const file = join(ARTIFACTS, 'box.log');
    await download.saveAs(file);
    expect(readFileSync(file, 'utf8')).toContain('"marker":"follow-marker"');
  });

  it('a driver log opens in the same viewer, with its own download', async () => {
    const { page } = b;
    await page.click('#drivers-table tr[data-driver="Door_Clash"] button.small >> nth=0');
    await waitFor(async () => ((await page.locator('#log-viewer h2').textContent()) ?? '').includes('Door_Clash'));
    expect(await page.locator('#log-download').getAttribute('href')).toBe('/api/drivers/Door_Clash/log.txt');
    expect(await page.locator('#log-follow').isChecked()).toBe(false);
  });

  it(`${viewName(PHONE_EN)}: the clash, the box log and its controls fit the phone and read in English`, async () => {
    const { page } = b;
    await useView(page, PHONE_EN, '#/drivers');
    const row = page.locator('#drivers-table tr[data-driver="Door_Clash"]');
    await waitFor(async () => /EADDRINUSE/.test((await row.locator('td.msg').textContent()) ?? ''));
    expect(await row.locator('.badge').textContent()).toMatch(/^(failed|restarting|stopped|starting)$/);
    const late = page.locator('#drivers-table tr[data-driver="Late_Clash"] td.msg');
    await waitFor(async () => /exited with code 1/.test((await late.textContent()) ?? ''));
    expect(await page.locator('#drivers-table th').first().textContent()).toBe('Driver');
    await page.click('#box-log-open');
    await page.locator('#log-lines li').first().waitFor();
    expect(await page.locator('#log-level option[value="error"]').textContent()).toBe('Errors only');
    await page.selectOption('#log-level', 'error');
    await waitFor(async () => ((await page.locator('#log-lines').textContent()) ?? '').includes('Door_Clash'));
    await expectFits(page, PHONE_EN, '#box-log-open', '#log-level', '#log-filter', '#log-follow', '#log-download', '#log-lines');
    await b.shot('19-box-log-375-en');
    await useView(page, DESKTOP_ZH);
  });
});
