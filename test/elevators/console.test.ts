/**
 * Issue 17: the linkage managed from the console — API and a real Chromium — on the elevator
 * rig: a relation and a person added on the page drive a real call at the simulated gateway when
 * the card is swiped, and the call shows among the page's records.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleClient } from '../console/client.js';
import { openBrowser, type TestBrowser } from '../console/browser.js';
import { waitFor } from '../helpers/runtime.js';
import { DAY, DEV, key, nextCommand, startElevatorBox, type ElevatorBox } from './rig.js';

const PASSWORD = 'Lift-Installer-2026';
const USER = 'console-user-0001';

let eb: ElevatorBox;
let c: ConsoleClient;
let b: TestBrowser;

beforeAll(async () => {
  eb = await startElevatorBox();
  c = new ConsoleClient(eb.box.runtime.http!);
  expect((await c.setup(eb.box.runtime.console!.setupToken!, PASSWORD)).statusCode).toBe(200);
  b = await openBrowser();
}, 120_000);

afterAll(async () => {
  await b?.close();
  await eb?.close();
});

describe('elevator linkage on the console', () => {
  it('API: adds, refuses with the field named, lists, searches persons and deletes, with audit', async () => {
    const bad = await c.post('/api/elevators/relations', { controlMode: 'FLY', elevatorIotId: 'A', triggerIotId: 'B' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/controlMode/);
    const added = await c.post('/api/elevators/relations', {
      controlMode: 'CALL_ONLY',
      elevatorIotId: 'A',
      triggerIotId: 'D',
      triggerFloor: '1',
    });
    expect(added.statusCode).toBe(200);
    const { dataId } = added.json() as { dataId: string };
    expect((await c.get('/api/elevators/relations')).json()).toContainEqual(
      expect.objectContaining({ dataId, controlMode: 'CALL_ONLY', users: 0 }),
    );
    expect(
      (await c.post(`/api/elevators/relations/${dataId}/users`, { identityId: 'p-1', userTargetList: [{ targetFloor: '3' }] })).statusCode,
    ).toBe(200);
    expect((await c.post(`/api/elevators/relations/${dataId}/users`, { identityId: 'p-2', expiryTime: 'tomorrow' })).statusCode).toBe(400);
    const found = (await c.get(`/api/elevators/relations/${dataId}/users?q=p-`)).json() as {
      total: number;
      users: Array<{ paramValue: string }>;
    };
    expect(found.total).toBe(1);
    expect(found.users[0]!.paramValue).toBe('p-1');
    expect((await c.get('/api/elevators/relations/no-such/users')).statusCode).toBe(404);
    expect((await c.request('DELETE', `/api/elevators/relations/${dataId}`)).statusCode).toBe(200);
    expect((await c.request('DELETE', `/api/elevators/relations/${dataId}`)).statusCode).toBe(404);
    const audit = (await c.get('/api/maintenance/audit?limit=20')).json() as Array<{ action: string }>;
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['elevator.relation.add', 'elevator.user.save', 'elevator.relation.delete']),
    );
  });

  it('Chromium: a relation and a person added on the page make a card swipe light the floor; the call is listed', async () => {
    const { page } = b;
    await page.goto(`http://127.0.0.1:${eb.box.runtime.httpPort}/#/login`);
    await page.locator('#login-form').waitFor();
    await page.fill('#login-password', PASSWORD);
    await page.click('#login-submit');
    await page.locator('#nav-elevators').click();
    await page.locator('#elev-add').waitFor();
    await page.selectOption('#elev-mode', 'ACTIVATE_ONLY');
    await page.fill('#elev-trigger', 'B');
    await page.fill('#elev-elevator', 'A');
    await page.fill('#elev-car', 'X');
    await page.click('#elev-add');
    const row = page.locator('#elev-relations tr', { hasText: 'B' }).filter({ hasText: 'A' }).first();
    await row.waitFor();
    await row.locator('.elev-show-users').click();
    await page.fill('#elev-user-id', USER);
    await page.fill('#elev-user-targets', '10:01');
    await page.click('#elev-user-save');
    await page.locator(`#elev-user-table tr[data-user="${USER}"]`).waitFor();
    expect(await page.locator(`#elev-user-table tr[data-user="${USER}"]`).textContent()).toContain('10:01');

    eb.box.runtime.access!.applyPermissionText(
      key(DEV.carB),
      JSON.stringify({
        tradCardPermissionList: [
          { type: 1, cardId: '20086001', userId: USER, effectiveTime: String(Date.now() - DAY), expiryTime: String(Date.now() + DAY) },
        ],
      }),
    );
    const command = nextCommand(eb.gateway);
    expect((await eb.carB.reportPass('card', '20086001')).code).toBe(0);
    expect(await command).toMatchObject({
      path: '/elevator/activateFloor',
      value: { elevatorId: 'X', floorRoomList: [{ floor: '10', roomNumber: '01' }] },
    });
    await waitFor(() => eb.box.runtime.elevators!.records.count() > 0);
    await page.reload();
    await page.locator('#elev-records td').first().waitFor();
    expect(await page.locator('#elev-records').textContent()).toContain('PEElevatorGateway/EL-A');
    expect(await page.locator('#elev-records').textContent()).toContain('✔');
    await b.shot('elevators');
  });
});
