/**
 * The onvif-camera driver's settings (drivers/onvif-camera/settings.ts): the AI box's
 * registration rules (seed 001 L47660-47705, R51) and its camera limit (L47503-47512, R52), as
 * `edge check` and every deploy run them, with the path and a clear message for each problem.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { driverSettingsProblems } from '../../edge/host/driver-settings.js';
import { settingsProblems } from '../../edge/host/sdk/settings.js';
import settings, { MAX_CAMERAS } from '../../drivers/onvif-camera/settings.js';

type Input = Parameters<NonNullable<typeof settings.check>>[0];
const config = { timeoutS: 10, checkIntervalS: 30, retryMinS: 2, retryMaxS: 60, events: true, snapshotMaxKb: 4096, snapshotKeepDays: 30 };
const cam = (deviceName: string, alias: string | undefined, ip: string, port = 80) => ({
  productKey: 'PEOnvifCamera',
  deviceName,
  ...(alias !== undefined ? { alias } : {}),
  custom: { ip, port, username: 'admin', password: 'admin123' },
});
const check = (devices: Input['devices'], c: Partial<Input['config']> = {}) =>
  settings.check!({ config: { ...config, ...c } as Input['config'], devices, dataDir: '/nonexistent' }).map(
    (p) => `${p.path}: ${p.message}`,
  );

describe('onvif-camera settings: R51', () => {
  it('accepts the seed’s example camera', () => {
    expect(check([cam('SXJ-001274', '东门摄像机', '10.249.20.23'), cam('SXJ-001275', 'gate_2', '10.249.20.23', 8080)])).toEqual([]);
  });

  it('refuses names, aliases and addresses the AI box refuses, each with its path', () => {
    expect(
      check([
        cam('abc', 'ok-alias', '10.0.0.1'),
        cam('SXJ-0001', 'x', '10.0.0.2'),
        cam('SXJ-0001', 'ok-alias', '10.0.0.1'),
        cam('SXJ-0003', undefined, '10.0.0.3'),
        cam('SXJ-0004', '门 口', '10.0.0.4'),
        cam('a'.repeat(33), 'long-name', '10.0.0.5'),
      ]),
    ).toEqual([
      '/devices/0/deviceName: device name "abc" must be 4-32 characters of letters, digits, - _ @ . :',
      '/devices/1/alias: alias "x" must be 2-32 characters of Chinese, letters, digits, - _ @ . :',
      "/devices/2/deviceName: device name SXJ-0001 is also device 1's",
      "/devices/2/alias: alias ok-alias is also device 0's",
      "/devices/2/custom/ip: 10.0.0.1:80 is also device 0's",
      '/devices/3/alias: an ONVIF camera needs an alias (设备别名)',
      '/devices/4/alias: alias "门 口" must be 2-32 characters of Chinese, letters, digits, - _ @ . :',
      `/devices/5/deviceName: device name "${'a'.repeat(33)}" must be 4-32 characters of letters, digits, - _ @ . :`,
    ]);
  });

  it('refuses user names of 4-32 and passwords of 2-15 characters outside their alphabet', () => {
    const problems = (custom: Record<string, unknown>) => settingsProblems(settings.device, custom).map((p) => `${p.path}: ${p.message}`);
    expect(problems({ ip: '10.0.0.1', username: 'admin', password: 'ab' })).toEqual([]);
    expect(problems({ ip: '10.0.0.1', username: 'adm', password: 'a' }).join('\n')).toMatch(/\/username.*\n\/password/);
    expect(problems({ ip: '10.0.0.1', username: 'admin', password: 'sixteen-chars-xx' })).toHaveLength(1);
    expect(problems({ ip: '10.0.0.1', username: 'ad min', password: 'pa ss' })).toHaveLength(2);
    expect(problems({ ip: '10.0.0.1', username: 'admin', password: 'secret', remark: 'r'.repeat(101) })).toHaveLength(1);
    expect(problems({ ip: '10.0.0.1', username: 'admin', password: 'secret', categoryCode: 'community/security/nnvr' })).toHaveLength(1);
  });
});

const many = (n: number, from = 0) =>
  Array.from({ length: n }, (_, k) => {
    const i = k + from;
    return cam(`CAM-${String(i).padStart(4, '0')}`, `cam-${i}`, `10.0.${i >> 8}.${i & 255}`);
  });

describe('onvif-camera settings: R52', () => {
  it(`takes ${MAX_CAMERAS} cameras and refuses one more`, () => {
    expect(check(many(MAX_CAMERAS))).toEqual([]);
    expect(check(many(MAX_CAMERAS + 1))).toEqual([
      `/devices: ${MAX_CAMERAS + 1} ONVIF cameras configured; a box takes at most ${MAX_CAMERAS}`,
    ]);
  });

  it('counts the cameras of every onvif-camera driver instance on the box, as deploys and edge check run it', async () => {
    const root = resolve(import.meta.dirname, '..', '..');
    const drivers = (a: number, b: number) => [
      { name: 'ONVIF_East', type: 'onvif-camera', config: {}, devices: many(a) },
      { name: 'ONVIF_West', type: 'onvif-camera', config: {}, devices: many(b, a) },
      // Another driver type's devices do not count.
      { name: 'GB', type: 'gb28181-camera', config: { password: 'pw-123456' }, devices: [] },
    ];
    const r52 = async (a: number, b: number) =>
      (await driverSettingsProblems(drivers(a, b), root, [], '/nonexistent/drivers')).filter((p) => p.path.endsWith('/devices'));
    expect(await r52(200, 56)).toEqual([]);
    const over = await r52(200, 57);
    expect(over.map((p) => `${p.path}: ${p.message}`)).toEqual([
      `/drivers/0/devices: 257 ONVIF cameras on the box (200 here, 57 in ONVIF_West); a box takes at most ${MAX_CAMERAS}`,
      `/drivers/1/devices: 257 ONVIF cameras on the box (57 here, 200 in ONVIF_East); a box takes at most ${MAX_CAMERAS}`,
    ]);
  });
});
