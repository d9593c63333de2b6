/**
 * The alarm rules page in Debian's Chromium: an alarm raised by a rule of the box config shows on
 * the dashboard and on the rules page, is acknowledged there as a false alarm with a comment, and
 * a broken rule typed into the editor lists its wrong fields.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsoleBox, waitFor, type ConsoleBox } from '../console/box.js';
import { openBrowser, type TestBrowser } from '../console/browser.js';

const PASSWORD = 'Rules-Browser-Pw-42';
const rule = {
  alarmRuleId: 'hall-too-warm',
  alarmName: '大厅目标温度过高',
  alarmLevel: 2,
  alarmContent: '目标温度超过30度',
  productKey: 'PEDemoThermo',
  alarmType: 1,
  alarmMode: 1,
  runEnv: 'edge',
  multiDevice: 0,
  sceneConfig: JSON.stringify({
    type: 'IFTTT',
    trigger: {
      uri: 'trigger/device/property',
      params: {
        productKey: 'PEDemoThermo',
        deviceName: 'thermo-01',
        propertyName: 'TargetTemperature',
        compareType: '>',
        compareValue: 30,
      },
    },
    action: [{ uri: 'action/mqtt/pub/sceneInfo', params: { env: 'edge' } }],
  }),
};

let box: ConsoleBox;
let b: TestBrowser;

beforeAll(async () => {
  box = await startConsoleBox(`rules: ${JSON.stringify({ alarmRules: [rule] })}\n`);
  b = await openBrowser();
}, 60_000);

afterAll(async () => {
  await b?.close();
  await box?.close();
});

describe('console alarm rules page in a real browser', () => {
  it("shows an open alarm on the dashboard, acknowledges it on the rules page, lists a broken rule's fields", async () => {
    const { page } = b;
    await page.goto(box.runtime.consoleUrl()!);
    await page.fill('#setup-password', PASSWORD);
    await page.fill('#setup-password2', PASSWORD);
    await page.click('#setup-submit');
    await page.locator('#dash-devices').waitFor();
    await box.runtime.host.setProperties('PEDemoThermo', 'thermo-01', { TargetTemperature: 33 });
    const alarmId = await waitFor(() => box.runtime.rules!.openAlarms(1)[0]?.alarmId);
    await page.reload();
    await page.locator(`#dash-rule-alarms tr[data-alarm="${alarmId}"]`).waitFor();
    expect(await page.locator('#dash-rule-alarms').textContent()).toContain('大厅目标温度过高');
    await page.click('#nav-rules');
    await page.locator('#rules-table tr[data-rule="hall-too-warm"]').waitFor();
    await page.selectOption(`#open-alarms select[data-confirm-type="${alarmId}"]`, '2');
    await page.fill(`#open-alarms input[data-confirm-comment="${alarmId}"]`, '调试');
    await page.click(`#open-alarms button[data-confirm="${alarmId}"]`);
    await page.locator(`#open-alarms tr[data-alarm="${alarmId}"] td:has-text("误报")`).waitFor();
    expect(box.runtime.rules!.history({ limit: 1 })[0]).toMatchObject({
      alarmId,
      confirm: 1,
      confirmType: 2,
      confirmComment: '调试',
      operator: 'admin',
    });
    await page.fill('#rule-editor', JSON.stringify({ ...rule, alarmRuleId: 'broken', alarmLevel: 9 }));
    await page.click('#rule-save');
    await page.locator('#rule-problems').waitFor();
    expect(await page.locator('#rule-problems').textContent()).toContain('alarmLevel');
    await b.shot('rules-page');
  }, 90_000);
});
