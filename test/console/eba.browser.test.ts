/**
 * The EBA page in Chromium (issue 22 item 7): choose BACnetV3, check a BACnet workbook without
 * applying it, import it, see the template's own headers; a broken ModbusV3 workbook gives the
 * per-row errors (their reasons in the page's language) with a downloadable report; the blank
 * template downloads. At 1366 px in Chinese, then at 375 px in English in the same box.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../bacnet/helpers.js';
import { DEMO_DRIVERS, startConsoleBox, type ConsoleBox } from './box.js';
import { openBrowser, type TestBrowser } from './browser.js';
import { setupAdmin } from './login.js';
import { DESKTOP_ZH, expectFits, PHONE_EN, useView, viewName } from './views.js';
import { bacnetWorkbook, brokenWorkbook } from './workbook.js';

const PASSWORD = 'Eba-Page-Pass-77';

describe('EBA page in a real Chromium', () => {
  let box: ConsoleBox;
  let b: TestBrowser;
  beforeAll(async () => {
    const port = await freePort('127.0.0.30');
    box = await startConsoleBox(
      '',
      `${DEMO_DRIVERS}  - name: Official_BACnetV3_EBA_Points
    type: bacnet-v3
    config: { bindAddress: 127.0.0.30, localPort: ${port}, channels: [], points: [] }
    devices: []
`,
    );
    b = await openBrowser();
    await setupAdmin(b.page, box, PASSWORD);
  }, 90_000);
  afterAll(async () => {
    await b?.close();
    await box?.close();
  });

  it('checks, then imports a BACnetV3 workbook chosen on the page; the sheets show the template headers', async () => {
    const { page } = b;
    await page.click('#nav-eba');
    await page.locator('#eba-type').waitFor();
    await page.selectOption('#eba-type', 'bacnet-v3');
    const file = join(box.dir, 'ahu.xlsx');
    await bacnetWorkbook(file, { address: '127.0.0.1:47999', deviceId: 5533 });
    await page.setInputFiles('#eba-file', file);
    const before = readFileSync(box.configFile, 'utf8');
    await page.click('#eba-check');
    await page.locator('#eba-result .note.ok').waitFor();
    expect(await page.locator('#eba-result').textContent()).toContain('校验通过');
    expect(readFileSync(box.configFile, 'utf8')).toBe(before);
    await page.click('#eba-import');
    await page.locator('#eba-result .note.ok:has-text("导入成功")').waitFor();
    expect(readFileSync(box.configFile, 'utf8')).toContain('HW-AHU-001');
    await page.click('#eba-tab-points');
    await page.locator('#eba-points').waitFor();
    const headers = await page.locator('#eba-points th').allTextContents();
    expect(headers).toEqual(expect.arrayContaining(['链接通道', '点位编号', '对象类型', '对象ID', '属性ID']));
    expect(await page.locator('#eba-points tbody tr').count()).toBe(2);
    await b.shot('08b-eba-bacnet');
  });

  it('reports a broken ModbusV3 workbook by row with a CSV report to download; hands out the blank template', async () => {
    const { page } = b;
    await page.selectOption('#eba-type', 'modbus-v3');
    const broken = join(box.dir, 'broken.xlsx');
    await brokenWorkbook(broken);
    await page.setInputFiles('#eba-file', broken);
    await page.click('#eba-import');
    await page.locator('#eba-errors').waitFor();
    expect(await page.locator('#eba-result').textContent()).toMatch(/点位表\s*3/);
    // The row reasons in the page's language (edge/eba gives them in English).
    const reasons = (await page.locator('#eba-errors').textContent()) ?? '';
    expect(reasons).toContain('须为 IPv4 地址');
    expect(reasons).toContain('须为十六进制寄存器地址');
    expect(reasons).not.toContain('must be');
    const [report] = await Promise.all([page.waitForEvent('download'), page.click('#eba-report')]);
    expect(report.suggestedFilename()).toBe('modbus-v3-import-errors.csv');
    const csv = readFileSync((await report.path())!, 'utf8').replace(/^\uFEFF/, '');
    expect(csv.split('\r\n')[0]).toBe('表名,行号,列名,值,失败原因');
    expect(csv).toMatch(/点位表,3,/);
    const [template] = await Promise.all([page.waitForEvent('download'), page.click('#eba-template')]);
    expect(template.suggestedFilename()).toBe('modbus-v3-template.xlsx');
    expect(
      readFileSync((await template.path())!)
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
  });

  it(`${viewName(PHONE_EN)}: check a BACnetV3 workbook and read a broken ModbusV3 one's rows in English on a phone`, async () => {
    const { page } = b;
    await useView(page, PHONE_EN, '#/eba');
    await page.locator('#eba-type').waitFor();
    await page.selectOption('#eba-type', 'bacnet-v3');
    await page.setInputFiles('#eba-file', join(box.dir, 'ahu.xlsx'));
    await page.click('#eba-check');
    await page.locator('#eba-result .note.ok').waitFor();
    expect(await page.locator('#eba-result').textContent()).toContain('Check passed, nothing imported');
    await page.selectOption('#eba-type', 'modbus-v3');
    await page.setInputFiles('#eba-file', join(box.dir, 'broken.xlsx'));
    await page.click('#eba-import');
    await page.locator('#eba-errors').waitFor();
    expect(await page.locator('#eba-errors th').allTextContents()).toEqual(expect.arrayContaining(['Sheet', 'Row', 'Column', 'Error']));
    const reasons = (await page.locator('#eba-errors').textContent()) ?? '';
    expect(reasons).toContain('must be an IPv4 address');
    expect(reasons).toContain('must be a hexadecimal register address');
    await expectFits(page, PHONE_EN, '#eba-type', '#eba-file', '#eba-check', '#eba-import', '#eba-report', '#eba-template', '#menu-toggle');
    await b.shot('08c-eba-375-en');
    await useView(page, DESKTOP_ZH);
  });
});
