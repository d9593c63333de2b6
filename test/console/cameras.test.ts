/**
 * Accepting a discovered GB28181 camera in the console (edge/console/routes/cameras.ts): the list
 * with the driver's discovered entries and registry states, an accept that deploys the device at
 * once and saves the config file, and refusals (unknown id, no name, bad body).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/runtime.js';
import { startConsoleBox, waitFor, type ConsoleBox } from './box.js';
import { ConsoleClient } from './client.js';

const PASSWORD = 'console-pass-123';
const CAM = '34020000001320000077';

describe('console cameras', () => {
  let box: ConsoleBox;
  let c: ConsoleClient;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pe-console-cam-'));
    mkdirSync(join(dir, 'data', 'drivers', 'GB'), { recursive: true });
    writeFileSync(
      join(dir, 'data', 'drivers', 'GB', 'discovered.json'),
      JSON.stringify([{ gbId: CAM, kind: 'device', address: '127.0.0.5', firstSeen: 1, lastSeen: 2 }]),
    );
    const port = await freePort();
    box = await startConsoleBox(
      '',
      `drivers:
  # the gate cameras
  - name: GB
    type: gb28181-camera
    config: { sipIp: 127.0.0.1, sipPort: ${port}, sipUdpPort: ${port}, password: box-pass-1 }
    devices:
      - { productKey: PEGbCamera, deviceName: SXJ-1, custom: { gbId: "34020000001320000001" } }
`,
      dir,
    );
    c = new ConsoleClient(box.runtime.http);
    expect((await c.setup(box.runtime.console!.setupToken!, PASSWORD)).statusCode).toBe(200);
  });
  afterAll(() => box?.close());

  it('lists the configured camera and the discovered one', async () => {
    const r = await c.get('/api/cameras');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      configured: [{ gbId: '34020000001320000001', deviceName: 'SXJ-1', state: 'offline' }],
      discovered: [{ gbId: CAM, kind: 'device', driver: 'GB' }],
    });
  });

  it('accepts a discovered camera: deployed at once, the file saved with its comments', async () => {
    expect((await c.post('/api/cameras/accept', { gbId: CAM })).statusCode).toBe(400); // a device needs a name
    expect((await c.post('/api/cameras/accept', { gbId: '34020000001320000099', name: 'X-1' })).statusCode).toBe(400);
    expect((await c.post('/api/cameras/accept', { gbId: 'x', name: 'X-1' })).statusCode).toBe(400);
    const r = await c.post('/api/cameras/accept', { gbId: CAM, name: 'SXJ-77', alias: '北门' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ ok: true, driver: 'GB', device: { productKey: 'PEGbCamera', deviceName: 'SXJ-77' } });
    await waitFor(() => box.runtime.registry.list().find((d) => d.deviceName === 'SXJ-77'));
    const text = readFileSync(box.configFile, 'utf8');
    expect(text).toContain('# the gate cameras');
    expect(text).toContain('deviceName: SXJ-77');
    const after = (await c.get('/api/cameras')).json() as { configured: unknown[]; discovered: unknown[] };
    expect(after).toMatchObject({ configured: [{ deviceName: 'SXJ-1' }, { deviceName: 'SXJ-77', alias: '北门' }] });
    expect(after.discovered).toEqual([]);
    expect((await c.post('/api/cameras/accept', { gbId: CAM, name: 'SXJ-78' })).statusCode).toBe(400); // no longer discovered
  });
});
