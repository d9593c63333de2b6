/**
 * Accepting a discovered GB28181 camera from the console page (issue 19: "console and `edge
 * cameras`"): the page lists the configured camera and the discovered one; a name and alias typed
 * on the row and "Add" deploy it at once and save it in the config file.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/runtime.js';
import { startConsoleBox, waitFor, type ConsoleBox } from './box.js';
import { openBrowser, type TestBrowser } from './browser.js';
import { setupAdmin } from './login.js';

const CAM = '34020000001320000078';

describe('cameras page in a real Chromium', () => {
  let box: ConsoleBox;
  let b: TestBrowser;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pe-console-cam-ui-'));
    mkdirSync(join(dir, 'data', 'drivers', 'GB'), { recursive: true });
    writeFileSync(
      join(dir, 'data', 'drivers', 'GB', 'discovered.json'),
      JSON.stringify([{ gbId: CAM, kind: 'device', address: '127.0.0.6', firstSeen: 1, lastSeen: Date.now() }]),
    );
    const port = await freePort();
    box = await startConsoleBox(
      '',
      `drivers:
  - name: GB
    type: gb28181-camera
    config: { sipIp: 127.0.0.1, sipPort: ${port}, sipUdpPort: ${port}, password: box-pass-1 }
    devices:
      - { productKey: PEGbCamera, deviceName: SXJ-1, alias: 南门, custom: { gbId: "34020000001320000001" } }
`,
      dir,
    );
    b = await openBrowser();
    await setupAdmin(b.page, box, 'Camera-Page-Pass-9');
  }, 90_000);
  afterAll(async () => {
    await b?.close();
    await box?.close();
  });

  it('lists configured and discovered cameras and adds a discovered one with a name and alias', async () => {
    const { page } = b;
    await page.click('#nav-cameras');
    await page.locator('#discovered-table').waitFor();
    expect(await page.locator('#cameras-table').textContent()).toContain('南门');
    const row = page.locator('#discovered-table tbody tr', { hasText: CAM });
    await row.locator('input').nth(0).fill('SXJ-78');
    await row.locator('input').nth(1).fill('北门');
    await page.click(`#accept-${CAM}`);
    await page.locator('#cameras-msg .note.ok').waitFor();
    expect(await page.locator('#cameras-msg').textContent()).toContain('SXJ-78');
    expect(await page.locator('#cameras-table').textContent()).toContain('北门');
    expect(await page.locator('#discovered-table').count()).toBe(0);
    await waitFor(() => box.runtime.registry.list().find((d) => d.deviceName === 'SXJ-78'));
    expect(readFileSync(box.configFile, 'utf8')).toContain('deviceName: SXJ-78');
  });
});
