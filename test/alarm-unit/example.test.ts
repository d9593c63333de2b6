/**
 * The shipped example (config/examples/alarm-units.yaml) on a real box: its drivers and devices
 * as written (ports and data folder made free for the test), the simulated unit in encrypted
 * mode with the box's key, an alarm stored for the zone the example configures.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { readDeviceKey } from '../../edge/keys/device-rsa.js';
import { SimulatedAlarmUnit } from '../../scripts/sim/alarm-unit/unit.js';
import { freePort, startBox, waitFor, type TestBox } from '../helpers/runtime.js';

const EXAMPLE = resolve(import.meta.dirname, '..', '..', 'config', 'examples', 'alarm-units.yaml');
let box: TestBox;
let unit: SimulatedAlarmUnit;
let port = 0;

beforeAll(async () => {
  const cfg = parse(readFileSync(EXAMPLE, 'utf8')) as { drivers: Array<{ config: { port: number; offlineMisses?: number } }> };
  port = await freePort();
  cfg.drivers[0]!.config.port = port;
  cfg.drivers[0]!.config.offlineMisses = 1; // offline after one silent keepalive period (10 s), for the last test
  box = await startBox(stringify({ drivers: cfg.drivers }));
  unit = new SimulatedAlarmUnit({
    sn: '123456789',
    ip: '127.0.0.1',
    port: 0,
    edgeUrl: `http://127.0.0.1:${port}`,
    keepaliveS: 10,
    boxPublicKey: readDeviceKey(box.dir)!.publicPem,
  });
  await unit.start();
}, 60_000);

afterAll(async () => {
  await unit?.stop();
  await box?.close();
});

describe('config/examples/alarm-units.yaml', () => {
  it('serves the simulated unit as written', async () => {
    expect((await waitFor(() => unit.connect().catch(() => undefined), 20_000, 100)).body.code).toBe(0);
    await waitFor(() => box.runtime.registry.get('PEAlarmUnit', 'DEMO-UNIT-01')?.status === 'online', 10_000);
    expect((await unit.reportZoneInfo()).body.code).toBe(0);
    expect((await unit.reportAlarm([{ zoneID: '01' }])).body.code).toBe(0);
    expect(box.runtime.security!.list().map((a) => a.deviceKey)).toEqual(['PEAlarmZoneSos/DEMO-UNIT-01-01']);
    expect(join(box.dir, 'device-rsa-key.pem')).toBe(readDeviceKey(box.dir)!.file);
  });

  it('takes a silent unit and its zones offline after its keepalive period, and its token with them', async () => {
    const silentSince = Date.now();
    const offline = await waitFor(
      () => box.runtime.registry.get('PEAlarmUnit', 'DEMO-UNIT-01')?.status === 'offline' || undefined,
      20_000,
      100,
    );
    expect(offline).toBe(true);
    expect(Date.now() - silentSince).toBeGreaterThanOrEqual(9_000); // not before its 10 s period
    expect(box.runtime.registry.get('PEAlarmZoneSos', 'DEMO-UNIT-01-01')?.status).toBe('offline');
    expect((await unit.keepalive()).body.code).toBe(4); // token invalid: the unit connects again
    expect((await unit.connect()).body.code).toBe(0);
    await waitFor(() => box.runtime.registry.get('PEAlarmUnit', 'DEMO-UNIT-01')?.status === 'online', 10_000);
  }, 30_000);
});
