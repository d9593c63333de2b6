/**
 * Issue 22 item 1 in a real Chromium: a door driver and its device commissioned through the
 * forms (no YAML typed) and seen deployed and online against the door-standard simulator; a port
 * clash refused with the message on the port field; the diff preview of a change (disable and
 * enable all devices of a driver); the YAML view with line numbers and a syntax and a
 * validation problem marked on their lines; a BACnet Who-Is from the driver form against a
 * simulated BACnet device on loopback, the found device added to the form in one step and
 * deployed; the forms at 375 and 1366 px in both languages.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimDevice } from '../../scripts/sim/bacnet/device.js';
import { SimulatedDoor } from '../../scripts/sim/door-standard/door.js';
import { freePort as freeUdpPort, startSim } from '../bacnet/helpers.js';
import { freePort } from '../helpers/runtime.js';
import { DEMO_DRIVERS, startConsoleBox, waitFor, type ConsoleBox } from './box.js';
import { openBrowser, type TestBrowser } from './browser.js';
import { setupAdmin } from './login.js';
import { expectWithinWidth as inViewport, sideScroll as horizontalOverflow } from './views.js';

const BACNET_BIND = '127.0.0.60';
const KNOWN_SIM = '127.0.0.61';
const FOUND_SIM = '127.0.0.62';

describe('driver and device forms in a real Chromium', () => {
  let box: ConsoleBox;
  let b: TestBrowser;
  let door: SimulatedDoor;
  let known: SimDevice;
  let found: SimDevice;
  let doorDriverPort: number;
  let takenPort: number;

  beforeAll(async () => {
    doorDriverPort = await freePort();
    takenPort = await freePort();
    door = new SimulatedDoor({
      sn: 'FORM-DOOR-01',
      ip: '127.0.0.1',
      port: 0,
      edgeUrl: `http://127.0.0.1:${doorDriverPort}`,
      keepaliveS: 10,
    });
    await door.start();
    const simPort = await freeUdpPort(KNOWN_SIM);
    const bacnetPort = await freeUdpPort(BACNET_BIND);
    known = await startSim({ deviceId: 301, host: KNOWN_SIM, port: simPort, objects: [{ type: 0, instance: 1, value: 21.5 }] });
    found = await startSim({ deviceId: 302, host: FOUND_SIM, port: simPort, objects: [{ type: 0, instance: 1, value: 7 }] });
    const channel = `{ id: ch-301, transport: udp, nic: lo, deviceId: 301, reportMs: 500, offlineMs: 5000, mode: directed, address: "${KNOWN_SIM}:${simPort}" }`;
    const point = '{ channel: ch-301, id: p-301-1, objectType: 0, instance: 1, property: 85, dataType: float, cov: false }';
    box = await startConsoleBox(
      '',
      `${DEMO_DRIVERS}  - name: Door_Taken
    type: door-standard
    config: { host: 127.0.0.1, port: ${takenPort}, boxIp: 127.0.0.1 }
    devices: []
  - name: BACnet_Site
    type: bacnet-v3
    config: { bindAddress: ${BACNET_BIND}, localPort: ${bacnetPort}, apduTimeoutMs: 500, channels: [${channel}], points: [${point}] }
    devices: []
`,
    );
    b = await openBrowser();
    b.page.on('dialog', (d) => void d.accept()); // the remove confirmation
    await setupAdmin(b.page, box, 'Forms-Page-Pass-5');
  }, 120_000);
  afterAll(async () => {
    await b?.close();
    await box?.close();
    await door?.stop();
    await known?.stop();
    await found?.stop();
  });

  async function openDrivers(): Promise<void> {
    await b.page.goto(`${box.url}/#/drivers`);
    await b.page.locator('#forms-drivers').waitFor();
  }

  /** A new door-standard driver in the form, listening on 127.0.0.1:port. */
  async function newDoorDriver(name: string, port: number): Promise<void> {
    const { page } = b;
    await openDrivers();
    await page.click('#driver-add');
    await page.selectOption('#drv-type', 'door-standard');
    await page.fill('#drv-name', name);
    await page.fill('#drv-config-host', '127.0.0.1');
    await page.fill('#drv-config-port', String(port));
  }

  it('commissions a door driver and its device through the form; the preview shows the diff; it is deployed and online', async () => {
    const { page } = b;
    await newDoorDriver('Door_Form', doorDriverPort);
    await page.fill('#drv-config-boxIp', '127.0.0.1');
    await page.click('#dev-add');
    await page.selectOption('#dev-0-productKey', 'PEDoorQr');
    await page.fill('#dev-0-deviceName', 'FORM-DOOR-01.2');
    await page.fill('#dev-0-alias', '西门');
    await page.fill('#dev-0-custom-ip', '127.0.0.1');
    await page.fill('#dev-0-custom-port', String(door.port));
    await page.click('#form-check');
    await page.locator('#form-deploy').waitFor();
    const added = await page.locator('#form-diff .diff-add').allTextContents();
    expect(added).toContain('+   - name: Door_Form');
    expect(added.join('\n')).toContain(`port: ${doorDriverPort}`);
    expect(added.join('\n')).toMatch(/deviceName: FORM-DOOR-01\.2, alias: 西门/);
    expect(await page.locator('#form-diff .diff-del').count()).toBe(0);
    await b.shot('21-forms-door-preview');
    await page.click('#form-deploy');
    await page.locator('#form-preview .note.ok').waitFor();
    expect(await page.locator('#form-preview').textContent()).toContain('Door_Form');
    expect(readFileSync(box.configFile, 'utf8')).toContain('name: Door_Form');
    // The door registers with the new driver, which connects back: online.
    // Generous limits: on a loaded 2-core machine the new driver process takes a while to listen.
    const driverState = () => box.runtime.host.status().find((d) => d.name === 'Door_Form');
    await waitFor(async () => ((await door.connect().catch(() => ({ code: -1 }))).code === 0 ? true : undefined), {
      timeoutMs: 40_000,
      stepMs: 200,
      what: 'the door registered with the new driver',
      explain: driverState,
    });
    await waitFor(() => box.runtime.registry.get('PEDoorQr', 'FORM-DOOR-01.2')?.status === 'online', {
      timeoutMs: 40_000,
      what: 'the door online',
      explain: () => box.runtime.registry.get('PEDoorQr', 'FORM-DOOR-01.2')?.status,
    });
    await page.locator('#drivers-table tr[data-driver="Door_Form"] .badge.running').waitFor();
    expect(await page.locator('#forms-drivers tr[data-form-driver="Door_Form"]').textContent()).toContain('1/1');
  }, 120_000);

  it('refuses a driver whose port another driver listens on, with the message on the port field', async () => {
    const { page } = b;
    await newDoorDriver('Door_Clash', takenPort);
    await page.click('#form-check');
    await page.locator('#drv-config-port-problem:not(:empty)').waitFor();
    expect(await page.locator('#drv-config-port-problem').textContent()).toContain(
      `port ${takenPort} is already taken by driver Door_Taken`,
    );
    expect(await page.locator('#drv-config-port').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#form-deploy').count()).toBe(0);
    await b.shot('22-forms-port-clash');
    expect(readFileSync(box.configFile, 'utf8')).not.toContain('Door_Clash');
  });

  it('disables and enables all devices of a driver with a diff preview each time', async () => {
    const { page } = b;
    await openDrivers();
    await page.click('[data-toggle="Demo_Sim_EBA_Meter"]');
    await page.locator('#form-deploy').waitFor();
    expect(await page.locator('#form-diff .diff-del').count()).toBe(3);
    expect(await page.locator('#form-diff .diff-add').allTextContents()).toContain(
      '+       - { productKey: PEDemoMeter, deviceName: meter-01, alias: 一号楼电表, disabled: true, custom: { kind: meter } }',
    );
    await page.click('#form-deploy');
    await page.locator('#form-preview .note.ok').waitFor();
    await waitFor(() => box.runtime.registry.get('PEDemoMeter', 'meter-01')?.status === 'disabled');
    await page.click('[data-toggle="Demo_Sim_EBA_Meter"]');
    await page.locator('#form-deploy').waitFor();
    expect(await page.locator('#form-diff .diff-del').allTextContents()).toContain(
      '-       - { productKey: PEDemoMeter, deviceName: meter-01, alias: 一号楼电表, disabled: true, custom: { kind: meter } }',
    );
    await page.click('#form-deploy');
    await page.locator('#form-preview .note.ok').waitFor();
    await waitFor(() => box.runtime.registry.get('PEDemoMeter', 'meter-01')?.status === 'online', 15_000);
  });

  it('YAML view: line numbers; a syntax error and a validation problem marked on their lines', async () => {
    const { page } = b;
    await openDrivers();
    const text = await page.inputValue('#config-text');
    const lines = text.split('\n').length;
    expect(await page.locator('#config-gutter div[data-line]').count()).toBe(lines);
    const unknown = text.replace('productKey: PEDemoThermo', 'productKey: NoSuchProduct');
    const line = unknown.split('\n').findIndex((l) => l.includes('NoSuchProduct')) + 1;
    await page.fill('#config-text', unknown);
    await page.click('#config-validate');
    await page.locator(`#config-gutter div.bad[data-line="${line}"]`).waitFor();
    expect(await page.locator('#config-result').textContent()).toContain('/drivers/0/devices/2/productKey');
    expect(await page.locator('#config-gutter div.bad').count()).toBe(1);
    await b.shot('23-yaml-problem-line');
    // A syntax error: a key written twice (the parser names the second).
    const broken = text.replace('    type: demo-sim', '    type: demo-sim\n    type: demo-sim');
    const badLine = broken.split('\n').indexOf('    type: demo-sim') + 2;
    await page.fill('#config-text', broken);
    await page.click('#config-validate');
    await page.locator(`#config-gutter div.bad[data-line="${badLine}"]`).waitFor();
    expect(await page.locator('#config-result').textContent()).toContain(`line ${badLine}`);
    await page.click(`#config-result [data-goto="${badLine}"]`);
    const selected = await page.evaluate(() => {
      const a = (
        globalThis as unknown as { document: { getElementById(id: string): { value: string; selectionStart: number } } }
      ).document.getElementById('config-text');
      return a.value.slice(0, a.selectionStart).split('\n').length;
    });
    expect(selected).toBe(badLine);
  });

  it('BACnet Who-Is from the driver form finds the simulated device and adds it in one step', async () => {
    const { page } = b;
    await openDrivers();
    await page.click('[data-edit="BACnet_Site"]');
    await page.click('#discover-box summary');
    await page.fill('#discover-targets', `${FOUND_SIM}:${found.options.port}`);
    await page.click('#discover-run');
    await page.locator('#discover-table').waitFor();
    const rows = await page.locator('#discover-table tbody tr').allTextContents();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('302');
    expect(rows[0]).toContain(FOUND_SIM);
    expect(found.counters.whoIs).toBeGreaterThan(0);
    await b.shot('24-forms-bacnet-discovery');
    await page.click('#found-add-0');
    expect(await page.inputValue('#dev-0-deviceName')).toBe('BACnet-302');
    expect(await page.inputValue('#drv-config-channels')).toContain(`${FOUND_SIM}:${found.options.port}`);
    await page.selectOption('#dev-0-productKey', 'PEDemoMeter');
    await page.click('#form-check');
    await page.locator('#form-deploy').waitFor();
    const added = (await page.locator('#form-diff .diff-add').allTextContents()).join('\n');
    expect(added).toContain('deviceName: BACnet-302');
    expect(added).toContain('deviceId: 302');
    await page.click('#form-deploy');
    await page.locator('#form-preview .note.ok').waitFor();
    await waitFor(() => box.runtime.registry.get('PEDemoMeter', 'BACnet-302'));
    const config = readFileSync(box.configFile, 'utf8');
    expect(config).toContain('deviceName: BACnet-302');
    expect(config).toContain(`address: ${FOUND_SIM}:${found.options.port}`);
    await page.locator('#drivers-table tr[data-driver="BACnet_Site"] .badge.running').waitFor();
  }, 120_000);

  it('removes a driver after a preview of what goes', async () => {
    const { page } = b;
    await openDrivers();
    await page.click('[data-remove="Door_Taken"]');
    await page.locator('#form-deploy').waitFor();
    expect(await page.locator('#form-diff .diff-del').allTextContents()).toContain('-   - name: Door_Taken');
    expect(await page.locator('#form-diff .diff-add').count()).toBe(0);
    await page.click('#form-deploy');
    await page.locator('#form-preview .note.ok').waitFor();
    await page.locator('#forms-drivers tr[data-form-driver="Door_Taken"]').waitFor({ state: 'detached' });
    expect(box.runtime.host.status().map((d) => d.name)).not.toContain('Door_Taken');
  });

  for (const width of [375, 1366]) {
    for (const lang of ['zh', 'en']) {
      it(`${width} px, ${lang}: the forms and the YAML view fit; no sideways page scroll`, async () => {
        const { page } = b;
        await page.setViewportSize({ width, height: 800 });
        await page.evaluate(
          (l) => (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem('pe.lang', l),
          lang,
        );
        await openDrivers();
        await page.reload(); // the language is read at load
        await page.locator('#forms-drivers').waitFor();
        await page.click('[data-edit="Door_Form"]');
        await page.locator('#dev-0-custom-port').waitFor();
        expect(await page.locator('#driver-form h3').first().textContent()).toContain(lang === 'zh' ? '编辑驱动' : 'Edit driver');
        expect(await horizontalOverflow(page), `${width} px ${lang}`).toBeLessThanOrEqual(0);
        for (const sel of ['#drv-config-port', '#dev-0-custom-port', '#dev-0-productKey', '#dev-add', '#form-check', '#config-validate'])
          await inViewport(page, sel, width, { scroll: true });
        await page.click('#form-check');
        await page.locator('#form-preview .note').first().waitFor();
        expect(await horizontalOverflow(page), `${width} px ${lang} after preview`).toBeLessThanOrEqual(0);
        if (lang === 'zh') await b.shot(`25-forms-${width}`);
      });
    }
  }
});
