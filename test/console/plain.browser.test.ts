/**
 * Plain language in Chromium (issue 22, item 5): a bool shows its thing-model label, a service
 * that resets something asks first and answers "OK" (not JSON) with its returned values named, a
 * device alarm on the dashboard reads as the event's name and its parameters (not
 * `{"Current":31.5}`), on the event list too. At 1366 px in Chinese and at 375 px in English, in one box.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsoleBox, waitFor, type ConsoleBox } from './box.js';
import { openBrowser, type TestBrowser } from './browser.js';
import { setupAdmin } from './login.js';
import { DESKTOP_ZH, expectFits, useView, VIEWS, viewName } from './views.js';

// Names and labels are the thing model's own (config/tsl/PEDemoMeter.json), the same in both
// languages; the console's words change.
const OK = { zh: '成功', en: 'OK' };
const CLOSED = '闭合 (1)';
const OPEN = '断开 (0)';

describe('plain language in Chromium', () => {
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

  for (const view of VIEWS) {
    it(`${viewName(view)}: a bool by its label; a reset asks first and answers in words`, async () => {
      const { page } = b;
      const meter = box.runtime.registry.get('PEDemoMeter', 'meter-01')!;
      await useView(page, view, '#/device/PEDemoMeter/meter-01');
      await page.locator('#props-table').waitFor();
      // The thing model names the relay's values (断开 / 闭合): the label, then the raw value.
      const relay = page.locator('td.value[data-prop="RelayState"]');
      const target = meter.shadow.get('RelayState')?.value === 1 ? 0 : 1;
      await page.selectOption('#set-RelayState', String(target));
      await page.click('button[data-set="RelayState"]');
      await waitFor(async () => (await relay.textContent()) === (target === 1 ? CLOSED : OPEN));
      expect(await page.locator('button[data-set="RelayState"] + .reply').textContent()).toBe(OK[view.lang]);
      await expectFits(page, view, 'button[data-set="RelayState"]');

      await page.fill('#svc-ResetEnergy-Reason', 'plain language test');
      await page.click('#invoke-ResetEnergy');
      await page.locator('#confirm').waitFor();
      await expectFits(page, view, '#confirm', '#confirm-go', '#confirm-cancel');
      await b.shot(view === DESKTOP_ZH ? '21-confirm' : `21-confirm-${view.width}-${view.lang}`);
      await page.click('#confirm-go');
      const reply = page.locator('#reply-ResetEnergy');
      await waitFor(async () => ((await reply.textContent()) ?? '').startsWith(OK[view.lang]));
      expect(await reply.textContent()).toContain('清零前电量 (Previous): ');
      expect(await reply.getAttribute('class')).toContain('ok');
      await expectFits(page, view, '#reply-ResetEnergy', '#invoke-ResetEnergy');
    });

    it(`${viewName(view)}: a device alarm on the dashboard reads as the event's name and its parameters`, async () => {
      const { page } = b;
      const time = Date.now();
      box.runtime.events.emit('device.event', {
        productKey: 'PEDemoMeter',
        deviceName: 'meter-01',
        eventId: 'OverCurrent',
        params: { Current: 31.5 },
        time,
      });
      await useView(page, view, '#/dashboard');
      const row = page.locator('#dash-alarms tr', { hasText: 'PEDemoMeter/meter-01' }).first();
      await row.waitFor();
      expect(await row.locator('td.kind').textContent()).toBe('过流告警');
      expect(await row.locator('td.msg').textContent()).toBe('电流: 31.5');
      expect(await row.textContent()).not.toContain('{');
      await expectFits(page, view, '#dash-alarms');
      // The box-wide event list names it the same way, once the history has written it (the
      // recorder writes every flushMs; the page reads what is stored when it opens).
      await waitFor(() =>
        box.runtime.consoleServices.history
          ?.events({ device: 'PEDemoMeter/meter-01', kind: 'event', limit: 20 })
          .events.some((e) => e.name === 'OverCurrent' && e.t === time),
      );
      await useView(page, view, '#/events');
      await page.selectOption('#events-kind', 'event');
      await waitFor(async () =>
        (await page.locator('#events-table tbody tr').allTextContents()).some((r) => r.includes('过流告警') && r.includes('电流: 31.5')),
      );
      await expectFits(page, view, '#events-kind');
    });
  }
});
