/**
 * The API behind the driver and device forms (issue 22 item 1): the settings schemas the forms
 * are built from, a form edit previewed as the new config text with its line diff and the
 * daemon's own check (problems on their lines, a port clash on the port), the YAML check with
 * lines, discovery refused for a driver without it; and the text helpers on their own.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyDriverEdit, lineDiff, placeProblems } from '../../edge/console/config-text.js';
import { parseConfig } from '../../edge/config/load.js';
import { freePort } from '../helpers/runtime.js';
import { DEMO_DRIVERS, startConsoleBox, waitFor, type ConsoleBox } from './box.js';
import { ConsoleClient } from './client.js';

describe('config text helpers', () => {
  const text = '# the box\nbox: { name: b }\ndrivers:\n  - name: A # keep me\n    type: demo-sim\n    devices: []\n';

  it('replaces, adds and removes one driver, keeping comments elsewhere', () => {
    const added = applyDriverEdit(text, {
      driver: {
        name: 'B',
        type: 'demo-sim',
        config: { intervalMs: 500 },
        devices: [{ productKey: 'P', deviceName: 'd1', disabled: true }],
      },
    });
    expect(added).toContain('# the box');
    expect(added).toContain('# keep me');
    expect(added).toMatch(
      /- name: B\n {4}type: demo-sim\n {4}config:\n {6}intervalMs: 500\n {4}devices:\n {6}- \{ productKey: P, deviceName: d1, disabled: true \}/,
    );
    const removed = applyDriverEdit(added, { of: 'A' });
    expect(removed).not.toContain('name: A');
    expect(removed).toContain('name: B');
    expect(() => applyDriverEdit(text, { of: 'Nope' })).toThrow(/no driver Nope/);
  });

  it('keeps a zero-padded id as the text the config loader reads, when another device of the driver changes', () => {
    const padded =
      'drivers:\n  - name: A\n    type: demo-sim\n    devices:\n      - { productKey: P, deviceName: d1, custom: { id: 0012 } }\n';
    const out = applyDriverEdit(padded, {
      of: 'A',
      driver: {
        name: 'A',
        type: 'demo-sim',
        devices: [
          { productKey: 'P', deviceName: 'd1', custom: { id: '0012' } },
          { productKey: 'P', deviceName: 'd2', custom: { id: '0013' } },
        ],
      },
    });
    // Not 12: the loader keeps 0012 as text, and so does the edit (quoted now, the same value).
    const devices = parseConfig(out).drivers[0]!.devices;
    expect(devices.map((d) => d.custom)).toEqual([{ id: '0012' }, { id: '0013' }]);
  });

  it('places a problem on the line of its path, or of the nearest parent, and a syntax error on its own line', () => {
    const placed = placeProblems(text, [
      { path: '/drivers/0/type', message: 'm', hint: '' },
      { path: '/drivers/0/config/port', message: 'missing key', hint: '' },
    ]);
    expect(placed.map((p) => p.line)).toEqual([5, 4]);
    const broken = 'box: { name: b }\ndrivers:\n  - name: A\n   type: x\n';
    expect(placeProblems(broken, [{ path: '<console>', message: 'not valid YAML', hint: '' }])[0]!.line).toBe(4);
  });

  it('diffs lines: only the changed lines marked, common lines kept in order', () => {
    expect(lineDiff('a\nb\nc\nd', 'a\nB\nc\nd\ne')).toEqual([
      [' ', 'a'],
      ['-', 'b'],
      ['+', 'B'],
      [' ', 'c'],
      [' ', 'd'],
      ['+', 'e'],
    ]);
  });
});

describe('console forms API', () => {
  let box: ConsoleBox;
  let c: ConsoleClient;
  let doorPort: number;
  beforeAll(async () => {
    doorPort = await freePort();
    box = await startConsoleBox(
      '',
      `${DEMO_DRIVERS}  - name: Door_A\n    type: door-standard\n    config: { host: 127.0.0.1, port: ${doorPort}, boxIp: 127.0.0.1, boxSn: 0012 }\n    devices: []\n`,
    );
    c = new ConsoleClient(box.runtime.http);
    expect((await c.setup(box.runtime.console!.setupToken!, 'Forms-Api-Pass-3')).statusCode).toBe(200);
  });
  afterAll(() => box?.close());

  it('gives each installed driver type its settings schemas, the products and the drivers as written', async () => {
    const r = (await c.get('/api/config/forms')).json();
    const door = r.types.find((x: { type: string }) => x.type === 'door-standard');
    expect(door.products).toContain('PEDoorQr');
    expect(door.config.properties.port).toMatchObject({ type: 'integer', listen: true, zh: expect.any(String) });
    expect(door.device.properties.ip).toBeDefined();
    expect(r.types.map((x: { type: string }) => x.type)).not.toContain('eba-shared');
    expect(r.products).toContain('PEDemoMeter');
    expect(r.drivers[0]).toMatchObject({ name: 'Demo_Sim_EBA_Meter', type: 'demo-sim', config: { intervalMs: 300 } });
    // As the loader reads it: a zero-padded value is text, not the number 12 (which the form would write back).
    expect(r.drivers[1].config.boxSn).toBe('0012');
  });

  it('previews an edit: the new text, its diff, and problems on their paths and lines (a port clash on the port)', async () => {
    const r = (
      await c.post('/api/config/forms/preview', {
        driver: { name: 'Door_B', type: 'door-standard', config: { host: '127.0.0.1', port: doorPort }, devices: [] },
      })
    ).json();
    expect(r.ok, JSON.stringify(r.problems) + r.text).toBe(false);
    const clash = r.problems.find((p: { path: string }) => p.path === '/drivers/2/config/port');
    expect(clash.message).toMatch(new RegExp(`port ${doorPort} is already taken by driver Door_A`));
    expect(r.text.split('\n')[clash.line - 1]).toContain(`port: ${doorPort}`);
    expect(r.diff.filter((d: [string, string]) => d[0] === '+').map((d: [string, string]) => d[1])).toContain('  - name: Door_B');
    expect(r.diff.some((d: [string, string]) => d[0] === '-')).toBe(false);
  });

  it('a deploy of a preview is refused once the config changed since the preview', async () => {
    const preview = (await c.post('/api/config/forms/preview', { of: 'Door_A' })).json();
    expect(preview.base).toBe((await c.get('/api/config')).json().text);
    const other = preview.base.replace('intervalMs: 300', 'intervalMs: 400');
    expect((await c.post('/api/config/redeploy', { text: other })).statusCode).toBe(200);
    const stale = await c.post('/api/config/redeploy', { text: preview.text, base: preview.base });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe('EDGE_ERR_CONSOLE_CONFIG_CHANGED');
    expect(readFileSync(box.configFile, 'utf8')).toContain('name: Door_A');
    const fresh = (await c.post('/api/config/forms/preview', { of: 'Door_A' })).json();
    expect((await c.post('/api/config/redeploy', { text: fresh.text, base: fresh.base })).statusCode).toBe(200);
    expect(readFileSync(box.configFile, 'utf8')).not.toContain('name: Door_A');
  });

  it('refuses an edit that names no driver, or a bad device, with the request error', async () => {
    expect((await c.post('/api/config/forms/preview', {})).json().error.code).toBe('EDGE_ERR_REQUEST_INVALID');
    const bad = await c.post('/api/config/forms/preview', {
      driver: { name: 'X', type: 'demo-sim', devices: [{ productKey: 'P', deviceName: 'has space' }] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('EDGE_ERR_REQUEST_INVALID');
    expect((await c.post('/api/config/forms/preview', { of: 'Nope' })).json().error).toMatchObject({ code: 'EDGE_ERR_REQUEST_INVALID' });
  });

  it('checks YAML with lines; a redeploy refusal carries them too', async () => {
    const text = box.runtime.console ? (await c.get('/api/config')).json().text : '';
    const broken = text.replace('productKey: PEDemoThermo', 'productKey: NoSuchProduct');
    const line = broken.split('\n').findIndex((l: string) => l.includes('NoSuchProduct')) + 1;
    const checked = (await c.post('/api/config/check', { text: broken })).json();
    expect(checked.ok).toBe(false);
    expect(checked.problems).toContainEqual(expect.objectContaining({ path: '/drivers/0/devices/2/productKey', line }));
    const refused = (await c.post('/api/config/redeploy', { text: broken })).json();
    expect(refused.error.problems).toContainEqual(expect.objectContaining({ line }));
  });

  it('discovery: a driver without it answers its own code; an unknown driver is not running', async () => {
    // Restarted by the earlier redeploys: ask once it runs again.
    await waitFor(() => box.runtime.host.status().find((d) => d.name === 'Demo_Sim_EBA_Meter')?.state === 'running');
    const none = await c.post('/api/drivers/Demo_Sim_EBA_Meter/discover', {});
    expect(none.json().error.code).toBe('EDGE_ERR_DRIVER_NO_DISCOVERY');
    expect(none.statusCode).toBe(501);
    const unknown = await c.post('/api/drivers/Nope/discover', {});
    expect(unknown.json().error.code).toBe('EDGE_ERR_DRIVER_UNAVAILABLE');
    expect((await c.post('/api/drivers/X/discover', { targets: ['http://evil'] })).statusCode).toBe(400);
  });
});
