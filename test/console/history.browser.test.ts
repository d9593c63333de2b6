/**
 * History in Chromium (issue 22, item 3): a trend over values the demo driver wrote, with ranges
 * and CSV; events that survive a reload; retention and size on the dashboard; and the page-weight
 * budget (first load ≤ 150 KB gzipped, the chart library included). At 1366 px in Chinese, then
 * at 375 px in English in the same box.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsoleBox, waitFor, type ConsoleBox } from './box.js';
import { ARTIFACTS, openBrowser, type TestBrowser } from './browser.js';
import { setupAdmin } from './login.js';
import { DESKTOP_ZH, expectFits, PHONE_EN, useView, viewName } from './views.js';

const BUDGET = 150 * 1024;

/** Bytes the page fetched over the wire: the document and every resource (gzip as sent). */
function transferred(page: Page): Promise<{ bytes: number; urls: string[] }> {
  return page.evaluate(() => {
    // Browser timing entries (this file is typed for Node: no DOM types).
    const byType = performance.getEntriesByType.bind(performance) as unknown as (type: string) => { name: string; transferSize?: number }[];
    const entries = [...byType('navigation'), ...byType('resource')];
    return { bytes: entries.reduce((n, e) => n + (e.transferSize ?? 0), 0), urls: entries.map((e) => e.name) };
  });
}

describe('history in Chromium', () => {
  let box: ConsoleBox;
  let b: TestBrowser;
  beforeAll(async () => {
    box = await startConsoleBox('history: { flushMs: 100 }\n');
    b = await openBrowser();
    await setupAdmin(b.page, box);
  }, 90_000);
  afterAll(async () => {
    await b?.close();
    await box?.close();
  });

  it('the dashboard shows what is kept and its size; the chart library is not loaded there', async () => {
    const { page } = b;
    await page.locator('#dash-history').waitFor();
    expect(await page.locator('#dash-history').textContent()).toContain('原始值 24 小时 · 分钟数据 30 天 · 事件 90 天');
    expect(await page.locator('#dash-history-size').textContent()).toMatch(/MB \/ 上限 256 MB/);
    expect((await transferred(page)).urls.some((u) => u.includes('uplot'))).toBe(false);
    await b.shot('15-dashboard-history');
  });

  it('a trend of a demo meter value: chart, ranges, CSV download', async () => {
    const { page } = b;
    const history = box.runtime.consoleServices.history!;
    await waitFor(() => history.series('PEDemoMeter/meter-01', 'Voltage', Date.now() - 3_600_000, Date.now() + 1).points.length >= 5);
    await page.goto(`${box.url}/#/device/PEDemoMeter/meter-01`);
    await page.click('#trend-Voltage');
    await page.locator('#trend-chart canvas').waitFor();
    const count = async () => Number(/(\d+) 个点/.exec((await page.locator('#trend-count').textContent()) ?? '')?.[1] ?? 0);
    expect(await count()).toBeGreaterThanOrEqual(5);
    expect(await page.locator('#trend-count').textContent()).toContain('原始值');
    await b.shot('16-trend');
    await page.click('#trend-range-7d');
    await waitFor(async () => /每分钟/.test((await page.locator('#trend-count').textContent()) ?? ''));
    expect(await count()).toBeGreaterThanOrEqual(1);
    await page.locator('#trend-chart canvas').waitFor();
    await page.click('#trend-range-1h');
    await waitFor(async () => /原始值/.test((await page.locator('#trend-count').textContent()) ?? ''));
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#trend-csv')]);
    const file = join(ARTIFACTS, 'trend.csv');
    await download.saveAs(file);
    const lines = readFileSync(file, 'utf8').trim().split('\r\n');
    expect(lines[0]).toBe('time,value');
    expect(lines.length).toBeGreaterThanOrEqual(6);
    expect(lines[1]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z,2\d\d(\.\d)?$/);
  });

  it('device events survive a reload; the box-wide event list filters', async () => {
    const { page } = b;
    // A driver restart: every device goes offline and online again, both recorded.
    await box.runtime.host.restartDriver('Demo_Sim_EBA_Meter');
    await waitFor(() => box.runtime.registry.get('PEDemoMeter', 'meter-01')!.status === 'online');
    const history = box.runtime.consoleServices.history!;
    await waitFor(() => history.events({ device: 'PEDemoMeter/meter-01', kind: 'status', limit: 10 }).events.length >= 3);
    await page.goto(`${box.url}/#/device/PEDemoMeter/meter-01`);
    await page.reload();
    await page.locator('#device-events tr').first().waitFor();
    const text = (await page.locator('#device-events').textContent()) ?? '';
    expect(text).toContain('状态变化');
    expect(text).toContain('离线 → 在线');
    await page.click('#nav-events');
    await page.locator('#events-table tbody tr').first().waitFor();
    await page.selectOption('#events-kind', 'status');
    await page.fill('#events-device', 'PEDemoThermo/thermo-01');
    await page.press('#events-device', 'Enter');
    await waitFor(async () => {
      const rows = await page.locator('#events-table tbody tr').allTextContents();
      return rows.length > 0 && rows.every((r) => r.includes('PEDemoThermo/thermo-01') && r.includes('状态变化'));
    });
    await b.shot('17-events');
  });

  it(`${viewName(PHONE_EN)}: retention, a trend with its ranges and the event lists fit the phone and read in English`, async () => {
    const { page } = b;
    await useView(page, PHONE_EN, '#/dashboard');
    await page.locator('#dash-history').waitFor();
    expect(await page.locator('#dash-history').textContent()).toContain('raw values 24 h · minute values 30 d · events 90 d');
    expect(await page.locator('#dash-history-size').textContent()).toMatch(/MB of 256 MB/);
    await expectFits(page, PHONE_EN, '#dash-history', '#menu-toggle');
    await page.evaluate(
      () => ((globalThis as unknown as { location: { hash: string } }).location.hash = '#/trend/PEDemoMeter/meter-01/Voltage'),
    );
    await page.locator('#trend-chart canvas').waitFor();
    expect(await page.locator('#trend-count').textContent()).toMatch(/\d+ points · raw \(every change\)/);
    await expectFits(page, PHONE_EN, '#trend-chart', '#trend-range-1h', '#trend-range-30d', '#trend-csv');
    await page.click('#trend-range-7d');
    await waitFor(async () => /per minute avg\/min\/max/.test((await page.locator('#trend-count').textContent()) ?? ''));
    await expectFits(page, PHONE_EN, '#trend-chart');
    await b.shot('16-trend-375-en');
    await page.evaluate(() => ((globalThis as unknown as { location: { hash: string } }).location.hash = '#/device/PEDemoMeter/meter-01'));
    await page.locator('#device-events tr').first().waitFor();
    const text = (await page.locator('#device-events').textContent()) ?? '';
    expect(text).toContain('Status change');
    expect(text).toContain('offline → online');
    await page.click('#menu-toggle');
    await page.click('#nav-events');
    await page.locator('#events-table tbody tr').first().waitFor();
    await page.selectOption('#events-kind', 'status');
    await waitFor(async () => {
      const rows = await page.locator('#events-table tbody tr').allTextContents();
      return rows.length > 0 && rows.every((r) => r.includes('Status change'));
    });
    await expectFits(page, PHONE_EN, '#events-kind', '#events-device');
    await useView(page, DESKTOP_ZH);
  });

  it(`first load of the trend page, chart library included, is at most ${BUDGET / 1024} KB gzipped`, async () => {
    // A fresh context: nothing cached, the session cookie carried over.
    const context = await b.browser.newContext({ viewport: { width: 1366, height: 860 } });
    try {
      await context.addCookies(await b.context.cookies());
      const page = await context.newPage();
      await page.goto(`${box.url}/#/trend/PEDemoMeter/meter-01/Voltage`);
      await page.locator('#trend-chart canvas').waitFor();
      const { bytes, urls } = await transferred(page);
      process.stdout.write(`console trend page first load: ${bytes} bytes over ${urls.length} requests\n`);
      expect(urls.some((u) => u.endsWith('/ui/vendor/uplot.js'))).toBe(true);
      expect(bytes).toBeLessThanOrEqual(BUDGET);
    } finally {
      await context.close();
    }
  });
});
