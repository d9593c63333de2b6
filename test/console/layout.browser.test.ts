/**
 * Phone and desktop layout (issue 22, item 8): every page at 375 px and 1366 px has no sideways
 * page scroll, and the controls a technician needs are inside the viewport (the menu, a
 * property's set button, the trend's range buttons), in both languages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsoleBox, waitFor, type ConsoleBox } from './box.js';
import { openBrowser, type TestBrowser } from './browser.js';
import { setupAdmin } from './login.js';
import { horizontalOverflow, inViewport } from './viewport.js';

const PAGES: [string, string][] = [
  ['dashboard', '#dash-devices'],
  ['drivers', '#drivers-table'],
  ['devices', '#devices-table'],
  ['device/PEDemoMeter/meter-01', '#props-table'],
  ['trend/PEDemoMeter/meter-01/Voltage', '#trend-range-30d'],
  ['events', '#events-table'],
  ['eba', '#eba-file'],
  ['access', '#records-table'],
  ['cameras', '#page'],
  ['apps', '#page'],
  ['rules', '#page'],
  ['maintenance', '#backup-download'],
];

describe('layout at 375 and 1366 px', () => {
  let box: ConsoleBox;
  let b: TestBrowser;
  beforeAll(async () => {
    box = await startConsoleBox();
    b = await openBrowser();
    await setupAdmin(b.page, box);
  }, 90_000);
  afterAll(async () => {
    await b?.close();
    await box?.close();
  });

  for (const width of [375, 1366]) {
    for (const lang of ['zh', 'en']) {
      it(`${width} px, ${lang}: no page scrolls sideways; controls inside the viewport`, async () => {
        const { page } = b;
        await page.setViewportSize({ width, height: 800 });
        await page.evaluate(
          (l) => (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem('pe.lang', l),
          lang,
        );
        for (const [hash, ready] of PAGES) {
          await page.goto(`${box.url}/#/${hash}`);
          await page.reload(); // the language is read at load
          await page.locator(ready).first().waitFor();
          await waitFor(
            async () =>
              (await page
                .locator('.note.info')
                .filter({ hasText: /加载中|Loading/ })
                .count()) === 0,
          );
          expect(await horizontalOverflow(page), `${hash} at ${width} px`).toBeLessThanOrEqual(0);
          if (width === 375) await inViewport(page, '#menu-toggle', width);
          if (hash.startsWith('device/')) await inViewport(page, 'button[data-set="RelayState"]', width);
          if (hash.startsWith('trend/')) await inViewport(page, '#trend-range-30d', width);
          if (width === 375 && lang === 'zh') await b.shot(`20-phone-${hash.split('/')[0]}`);
        }
        if (width === 375) {
          // The menu opens the navigation, and its links are reachable.
          await page.click('#menu-toggle');
          await inViewport(page, '#nav-devices', width);
          await page.click('#nav-devices');
          await page.locator('#devices-table').waitFor();
        } else {
          await inViewport(page, '#nav-maintenance', width);
        }
      });
    }
  }
});
