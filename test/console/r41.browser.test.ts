/**
 * Box health of R41 on the console dashboard (issue 21 item 4): with a cloud link, the dashboard's
 * cloud card shows the platform's online judgement and its parts — the Internet probe (by
 * default the cloud endpoint's host:port, here the test broker), the deployment and the clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudYaml, startRig, type CloudRig } from '../cloud/helpers.js';
import { startConsoleBox, waitFor, type ConsoleBox } from './box.js';
import { openBrowser, type TestBrowser } from './browser.js';
import { ConsoleClient } from './client.js';
import { setupAdmin } from './login.js';

describe('R41 box health on the dashboard', () => {
  let rig: CloudRig;
  let box: ConsoleBox;
  let b: TestBrowser;
  beforeAll(async () => {
    rig = await startRig();
    box = await startConsoleBox(cloudYaml(rig.broker.url));
    await waitFor(() => box.runtime.cloud?.online);
    b = await openBrowser();
    await setupAdmin(b.page, box, 'Health-Page-Pass-4');
  }, 90_000);
  afterAll(async () => {
    await b?.close();
    await box?.close();
    await rig?.close();
  });

  it('reports each R41 part in the API and on the cloud card', async () => {
    const c = new ConsoleClient(box.runtime.http);
    const cookies = await b.context.cookies();
    c.cookie = `pe_console=${cookies.find((x) => x.name === 'pe_console')!.value}`;
    const r41 = await waitFor(async () => {
      const d = (await c.get('/api/dashboard')).json() as { cloud: { r41: { internet: { ok?: boolean } } & Record<string, unknown> } };
      return d.cloud.r41.internet.ok === true ? d.cloud.r41 : undefined;
    });
    expect(r41).toMatchObject({
      internet: { ok: true, target: `127.0.0.1:${new URL(rig.broker.url).port}` },
      cloud: { ok: true, state: 'online' },
      deployment: { ok: true },
    });
    await b.page.reload();
    await b.page.locator('#dash-r41-internet').waitFor();
    expect(await b.page.locator('#dash-r41-internet').textContent()).toMatch(/正常/);
    expect(await b.page.locator('#dash-r41-deployment').textContent()).toMatch(/正常/);
  });
});
