/**
 * The access page in Chromium (issue 22 item 6): a technician finds a person by part of the
 * name, sees the card masked and the face thumbnail, filters pass records by a door's alias and
 * downloads them as CSV, and a retry says what it did; a refused pass reads in words. At 1366 px
 * in Chinese, then at 375 px in English in the same box.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsoleBox, type ConsoleBox } from './box.js';
import { openBrowser, type TestBrowser } from './browser.js';
import { setupAdmin } from './login.js';
import { DESKTOP_ZH, expectFits, PHONE_EN, useView, viewName } from './views.js';

const PASSWORD = 'Access-Browser-Pass-5';
const METER = 'PEDemoMeter/meter-01'; // alias 一号楼电表

describe('access page in a real Chromium', () => {
  let box: ConsoleBox;
  let b: TestBrowser;
  beforeAll(async () => {
    box = await startConsoleBox();
    const access = box.runtime.access!;
    access.persons.upsert([{ identityId: 'wang-0042', name: '王五' }], Date.now());
    access.applyPermissionText(
      METER,
      JSON.stringify({
        tradCardPermissionList: [{ type: 1, cardId: '88887777', userId: 'wang-0042', endTime: String(Date.now() + 86_400_000) }],
      }),
    );
    access.records.record({ deviceKey: METER, kind: 'tradCard', content: '88887777', code: 0, message: 'success', time: Date.now() });
    // A refusal with the seed's code: shown in words, not as "103 QR code does not exist".
    access.records.record({
      deviceKey: METER,
      kind: 'qrCode',
      content: 'unknown-qr',
      code: 103,
      message: 'QR code does not exist',
      time: Date.now() - 1000,
    });
    b = await openBrowser();
    await setupAdmin(b.page, box, PASSWORD);
  }, 90_000);
  afterAll(async () => {
    await b?.close();
    await box?.close();
  });

  const alarms = () => b.page.locator('section.card', { has: b.page.locator('h2', { hasText: /门禁告警|Access alarms/ }) });

  it('finds a person by part of the name and shows the card masked', async () => {
    const { page } = b;
    await page.click('#nav-access');
    await page.fill('#person-q', '王');
    await page.press('#person-q', 'Enter');
    await page.locator('#persons-table tbody tr').first().click();
    await page.locator('#person-cards').waitFor();
    const cards = (await page.locator('#person-cards').textContent()) ?? '';
    expect(cards).toContain('****7777');
    expect(cards).not.toContain('88887777');
    expect(cards).toContain('一号楼电表');
    await b.shot('09b-access-person');
  });

  it('filters records by the door alias with the person named, exports them, and a retry reports back', async () => {
    const { page } = b;
    await page.fill('#rec-device', '一号楼');
    await page.click('#rec-search');
    await page.locator('#records-table tbody tr').first().waitFor();
    const records = (await page.locator('#records-table tbody').textContent()) ?? '';
    expect(records).toContain('王五 (wang-0042)');
    expect(records).toContain('二维码不存在 (103)');
    expect(records).not.toContain('QR code does not exist');
    expect(await alarms().textContent()).toContain('通行被拒（二维码）');
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#rec-export')]);
    expect(csv.suggestedFilename()).toBe('pass-records.csv');
    expect(readFileSync((await csv.path())!, 'utf8')).toContain(`${METER},一号楼电表,wang-0042,王五,tradCard,pass`);
    await page.locator('#sync-table button').first().click();
    await page.locator('#sync-table .retry-msg .note').first().waitFor();
    expect(await page.locator('#sync-table .retry-msg').first().textContent()).toMatch(/重新排队|没有失败项/);
  });

  it(`${viewName(PHONE_EN)}: person search, records and alarms read in English and fit the phone`, async () => {
    const { page } = b;
    await useView(page, PHONE_EN, '#/access');
    await page.fill('#person-q', 'wang');
    await page.press('#person-q', 'Enter');
    await page.locator('#persons-table tbody tr').first().click();
    await page.locator('#person-cards').waitFor();
    expect(await page.locator('#person-cards').textContent()).toContain('****7777');
    await page.fill('#rec-device', '一号楼');
    await page.click('#rec-search');
    await page.locator('#records-table tbody tr').nth(1).waitFor();
    const records = (await page.locator('#records-table tbody').textContent()) ?? '';
    expect(records).toContain('QR code does not exist (103)');
    expect(records).toContain('success');
    expect(await page.locator('#records-table th').allTextContents()).toEqual(expect.arrayContaining(['Person', 'Method', 'Result']));
    expect(await alarms().textContent()).toContain('Pass refused (QR code)');
    await expectFits(page, PHONE_EN, '#person-q', '#rec-device', '#rec-search', '#rec-export', '#menu-toggle');
    await b.shot('09c-access-375-en');
    await useView(page, DESKTOP_ZH);
  });
});
