/**
 * The bugs a field test of the console found (issue 22, item 9), each checked where the
 * technician saw it: in Chromium against a real daemon.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsoleBox, waitFor, type ConsoleBox } from './box.js';
import { openBrowser, type TestBrowser } from './browser.js';
import { setupAdmin } from './login.js';

// meter-02 is disabled: it must count as disabled, never as offline.
const DRIVERS = `
drivers:
  - name: Demo_Sim_EBA_Meter
    type: demo-sim
    config: { intervalMs: 300 }
    devices:
      - { productKey: PEDemoMeter, deviceName: meter-01, alias: 一号楼电表, custom: { kind: meter } }
      - { productKey: PEDemoMeter, deviceName: meter-02, alias: 二号楼电表, disabled: true, custom: { kind: meter } }
      - { productKey: PEDemoThermo, deviceName: thermo-01, alias: 物业大厅温控器, custom: { kind: thermostat } }
`;

describe('console bugs of the field test', () => {
  let box: ConsoleBox;
  let b: TestBrowser;
  beforeAll(async () => {
    box = await startConsoleBox('', DRIVERS);
    b = await openBrowser();
    await setupAdmin(b.page, box);
  }, 90_000);
  afterAll(async () => {
    await b?.close();
    await box?.close();
  });

  it('a device without services and the maintenance page show no literal "null"', async () => {
    const { page } = b;
    await page.goto(`${box.url}/#/device/PEDemoThermo/thermo-01`);
    await page.locator('td.value[data-prop="Temperature"]').waitFor();
    expect(await page.locator('#page').textContent()).not.toMatch(/\bnull\b/);
    await page.click('#nav-maintenance');
    await page.locator('#backup-download').waitFor();
    expect(await page.locator('#page').textContent()).not.toMatch(/\bnull\b/);
  });

  it('an empty number field is not sent as 0', async () => {
    const { page } = b;
    await page.goto(`${box.url}/#/device/PEDemoThermo/thermo-01`);
    await page.locator('#set-TargetTemperature').waitFor();
    await waitFor(() => box.runtime.registry.get('PEDemoThermo', 'thermo-01')!.shadow.get('TargetTemperature') !== undefined);
    const before = box.runtime.registry.get('PEDemoThermo', 'thermo-01')!.shadow.get('TargetTemperature')!.value;
    expect(before).not.toBe(0);
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') posts.push(r.url());
    });
    await page.fill('#set-TargetTemperature', '');
    await page.click('button[data-set="TargetTemperature"]');
    await waitFor(async () => ((await page.locator('tr:has(#set-TargetTemperature) .reply').textContent()) ?? '') !== '');
    expect(await page.locator('tr:has(#set-TargetTemperature) .reply').textContent()).toBe('请填写数值');
    expect(posts).toEqual([]);
    expect(box.runtime.registry.get('PEDemoThermo', 'thermo-01')!.shadow.get('TargetTemperature')!.value).toBe(before);
  });

  it('a wrong current password on password change is reported', async () => {
    const { page } = b;
    await page.click('#nav-maintenance');
    await page.locator('#pw-current').waitFor();
    await page.fill('#pw-current', 'not-the-password-1');
    await page.fill('#pw-next', 'Another-Strong-Pass-77');
    await page.click('#pw-submit');
    await page.locator('#pw-msg .note.error').waitFor();
    // Said once, in the page's language (not "当前密码错误：the current password is wrong").
    expect(await page.locator('#pw-msg .note.error').textContent()).toBe('当前密码错误');
    // The session stays: the page still works.
    await page.click('#nav-dashboard');
    await page.locator('#dash-devices td').first().waitFor();
  });

  it('the config check lists the advisories the API returns', async () => {
    const { page } = b;
    await page.click('#nav-maintenance');
    await page.locator('#config-text').waitFor();
    const text = await page.inputValue('#config-text');
    await page.fill(
      '#config-text',
      text.replace('bus: { host: 127.0.0.1, port: 0 }', 'bus: { host: 127.0.0.1, port: 0, allowAnonymous: true }'),
    );
    await page.click('#config-validate');
    await page.locator('#config-advisories').waitFor();
    expect(await page.locator('#config-result').textContent()).toContain('配置有效');
    expect(await page.locator('#config-advisories').textContent()).toContain('/bus/allowAnonymous');
  });

  it('the restore preview button says what it does (English too)', async () => {
    const { page } = b;
    expect(await page.locator('#restore-preview').textContent()).toBe('预览恢复');
    await page.click('#lang');
    await waitFor(async () => (await page.locator('#restore-preview').textContent()) === 'Preview restore');
    await page.click('#lang');
    await waitFor(async () => (await page.locator('#restore-preview').textContent()) === '预览恢复');
  });

  it('a disabled device is not offline, a redeploy raises no offline alarm, and the driver table refreshes', async () => {
    const { page } = b;
    await waitFor(() => box.runtime.registry.get('PEDemoThermo', 'thermo-01')!.status === 'online');
    await page.click('#nav-dashboard');
    const row = page.locator('#dash-devices tr[data-driver="Demo_Sim_EBA_Meter"]');
    await waitFor(async () => (await row.locator('td.online').textContent()) === '2');
    expect(await row.locator('td.offline').textContent()).toBe('0');
    expect(await row.locator('td.disabled').textContent()).toBe('1');
    // A redeploy that restarts the meter driver (its config changed) and adds another driver.
    await page.click('#nav-drivers');
    await page.locator('#drivers-table tr[data-driver="Demo_Sim_EBA_Meter"]').waitFor();
    expect(await page.locator('#drivers-table tr[data-driver="Demo_Extra"]').count()).toBe(0);
    const text = await page.inputValue('#config-text');
    await page.fill(
      '#config-text',
      `${text.replace('intervalMs: 300', 'intervalMs: 250')}\n  - name: Demo_Extra\n    type: demo-sim\n    devices:\n      - { productKey: PEDemoThermo, deviceName: thermo-02, custom: { kind: thermostat } }\n`,
    );
    await page.click('#config-redeploy');
    await page.locator('#config-result .note.ok').waitFor();
    // The table shows the new driver without a reload.
    await page.locator('#drivers-table tr[data-driver="Demo_Extra"]').waitFor();
    await page.locator('#drivers-table tr[data-driver="Demo_Extra"] .badge.running').waitFor();
    await waitFor(() => box.runtime.registry.get('PEDemoMeter', 'meter-01')!.status === 'online');
    await page.click('#nav-dashboard');
    await waitFor(async () => (await row.locator('td.online').textContent()) === '2');
    expect(await row.locator('td.disabled').textContent()).toBe('1');
    expect(await page.locator('#dash-alarms').textContent()).not.toContain('device.offline');
    expect(await page.locator('#dash-alarms').textContent()).not.toContain('driver down');
  });

  it('/favicon.ico is served', async () => {
    const res = await fetch(`${box.url}/favicon.ico`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/svg+xml');
    expect(await res.text()).toContain('<svg');
  });
});
