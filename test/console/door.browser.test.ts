import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedDoor } from '../../scripts/sim/door-standard/door.js';
import { startConsoleBox, waitFor, type ConsoleBox } from './box.js';
import { freePort } from '../helpers/runtime.js';
import { setupAdmin } from './login.js';
import { openBrowser, type TestBrowser } from './browser.js';

describe('console invokes remoteOpen on a simulated door (door-standard simulator)', () => {
  let box: ConsoleBox;
  let door: SimulatedDoor;
  let b: TestBrowser;
  const opens: string[] = [];
  beforeAll(async () => {
    const driverPort = await freePort();
    door = new SimulatedDoor({
      sn: 'CONSOLE-DOOR-01',
      ip: '127.0.0.1',
      port: 0,
      edgeUrl: `http://127.0.0.1:${driverPort}`,
      keepaliveS: 10,
    });
    await door.start();
    door.on('open', (source) => opens.push(source));
    const custom = `{ ip: 127.0.0.1, port: ${door.port} }`;
    box = await startConsoleBox(
      '',
      `
drivers:
  - name: Property_Door_PerAccess_Standard
    type: door-standard
    config: { host: 127.0.0.1, port: ${driverPort}, boxIp: 127.0.0.1 }
    devices:
      - { productKey: PEDoorQr, deviceName: CONSOLE-DOOR-01.2, alias: 东门, custom: ${custom} }
`,
    );
    // The driver child needs a moment to listen; then the door registers and the box connects back.
    await waitFor(async () => ((await door.connect().catch(() => ({ code: -1 }))).code === 0 ? true : undefined), 20_000, 200);
    await door.waitEdgeConnected();
    await waitFor(() => box.runtime.registry.get('PEDoorQr', 'CONSOLE-DOOR-01.2')?.status === 'online', 15_000);
    b = await openBrowser();
  }, 90_000);
  afterAll(async () => {
    await b?.close();
    await door?.stop();
    await box?.close();
  });

  it('opens the door from the device page and shows the reply; the simulator reports the open', async () => {
    const { page } = b;
    await setupAdmin(page, box, 'Door-Test-Pass-1');
    await page.goto(`${box.url}/#/device/PEDoorQr/CONSOLE-DOOR-01.2`);
    await page.locator('#invoke-remoteOpen').waitFor();
    const before = door.state.opens;
    await page.click('#invoke-remoteOpen');
    await page.click('#confirm-go'); // opening a door asks first
    await waitFor(async () => ((await page.locator('#reply-remoteOpen').textContent()) ?? '').startsWith('成功'));
    await waitFor(() => door.state.opens === before + 1);
    expect(opens.length).toBeGreaterThan(0);
    await b.shot('12-door-remote-open');
  });

  it("access page: counts, and the door's QR pass record appears with filters", async () => {
    const { page } = b;
    const code = 'ALI5466697328cff9121c21cf59dcec4'; // the seed's own test QR code (L34895)
    box.runtime.access!.applyPermissionText(
      'PEDoorQr/CONSOLE-DOOR-01.2',
      JSON.stringify({
        qrCodePermissionList: [
          {
            type: 1,
            qrCode: code,
            startTime: String(Date.now() - 60_000),
            endTime: String(Date.now() + 3_600_000),
            maxScanTimes: 10,
            maxScanScope: 'DEVICE',
          },
        ],
      }),
    );
    expect(await door.scanQr(code)).toMatchObject({ code: 0 });
    await waitFor(() => box.runtime.access!.records.list({ deviceKey: 'PEDoorQr/CONSOLE-DOOR-01.2' }).length > 0, 15_000);
    await page.click('#nav-access');
    await page.locator('#records-table').waitFor();
    expect(await page.locator('#records-table').textContent()).toContain('PEDoorQr/CONSOLE-DOOR-01.2');
    await page.fill('#rec-device', 'PEDoorQr/OTHER');
    await page.click('#rec-search');
    await waitFor(async () => (await page.locator('#records-table tbody tr').count()) === 0);
    await page.fill('#rec-device', '');
    await page.click('#rec-search');
    await waitFor(async () => (await page.locator('#records-table tbody tr').count()) > 0);
    await b.shot('13-access');
  });
});
