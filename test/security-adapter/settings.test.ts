/**
 * The security adapter driver's settings through the host's deploy check (as `edge check`): the
 * shipped example passes, and each mistake an installer can make is refused with its path.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../edge/config/load.js';
import { boxListeners } from '../../edge/config/listeners.js';
import { driverSettingsProblems, type DriverEntry } from '../../edge/host/driver-settings.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const check = async (devices: DriverEntry['devices'], config: Record<string, unknown> = {}) =>
  (await driverSettingsProblems([{ name: 'S', type: 'security-adapter', config, devices }], ROOT, [], tmpdir())).map((p) => [
    p.path,
    p.message,
  ]);
const adapter = (ip: string, manufacture = 'DH') => ({
  productKey: 'PESecurityAdapter',
  deviceName: `A-${ip}`,
  custom: { manufacture, ip },
});
const camera = (name: string, custom: Record<string, unknown>) => ({
  productKey: 'PESecurityCamera',
  deviceName: name,
  custom: { manufacture: 'DH', ...custom },
});

describe('security-adapter settings', () => {
  it('accepts config/examples/security-adapters.yaml', async () => {
    const cfg = parseConfig(readFileSync(resolve(ROOT, 'config', 'examples', 'security-adapters.yaml'), 'utf8'));
    expect(await driverSettingsProblems(cfg.drivers, ROOT, boxListeners(cfg))).toEqual([]);
  });

  it('refuses what cannot work, with the path', async () => {
    expect(
      await check([
        adapter('10.0.0.1'),
        adapter('10.0.0.1', 'HIK'),
        adapter('10.0.0.2'),
        camera('C1', { ip: '10.0.0.5' }),
        camera('C2', { ip: '10.0.0.6', deviceType: 3 }),
        camera('C3', { ip: '10.0.0.7', deviceType: 2 }),
        camera('C4', { ip: '10.0.0.7', deviceType: 2 }),
        { productKey: 'PESecurityCamera', deviceName: 'C5', custom: { manufacture: 'UNIVIEW', ip: '10.0.0.8', deviceType: 2 } },
      ]),
    ).toEqual([
      ['/drivers/0/devices/1/custom/ip', 'a second adapter at 10.0.0.1'],
      ['/drivers/0/devices/2/custom/manufacture', 'a second DH adapter'],
      ['/drivers/0/devices/3/custom/deviceType', 'a camera needs its deviceType'],
      ['/drivers/0/devices/4/custom/channel', 'an IPC behind an NVR needs its channel'],
      ['/drivers/0/devices/6/custom/ip', 'camera DH/10.0.0.7/2/0 is configured twice'],
      ['/drivers/0/devices/7/custom/manufacture', 'no UNIVIEW adapter is configured'],
    ]);
    expect((await check([adapter('10.0.0.1', 'SONY')]))[0]?.[0]).toBe('/drivers/0/devices/0/custom/manufacture');
    expect((await check([adapter('10.0.0.1')], { mergeWindowMs: 60_000 }))[0]?.[0]).toBe('/drivers/0/config/mergeWindowMs');
  });
});
