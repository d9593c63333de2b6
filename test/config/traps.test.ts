/**
 * Issue 13's installer traps that are not a single driver's schema (those are in
 * driver-settings tests): each starts from the bad config and asserts the message `edge check`
 * gives and its exit code, or the behaviour the daemon shows.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { driverSettings } from '../../drivers/door-standard/config.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'pe-traps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Checked {
  status: number | null;
  ok: boolean;
  problems: Array<{ path: string; message: string; hint: string; advisory: boolean }>;
}

function check(name: string, yaml: string, ports = 'http: { port: 0 }\nbus: { port: 0 }\n'): Checked {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `${ports}${yaml}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'edge', 'main.ts'), 'check', file, '--json'], {
    encoding: 'utf8',
    cwd: ROOT,
  });
  return { status: r.status, ...(JSON.parse(r.stdout) as Omit<Checked, 'status'>) };
}

const DOOR = (custom: string, config = '{ port: 10000 }', product = 'PEDoorQr') => `
drivers:
  - name: Door
    type: door-standard
    config: ${config}
    devices:
      - { productKey: ${product}, deviceName: TRAP-01.2, custom: ${custom} }
`;

describe('installer traps caught before start', () => {
  it('a door with no custom.port', () => {
    const r = check('no-port', DOOR('{ ip: 192.168.1.20 }'));
    expect(r.status).toBe(1);
    expect(r.problems).toContainEqual(
      expect.objectContaining({ path: '/drivers/0/devices/0/custom/port', message: 'Expected required property' }),
    );
  });

  it('ipAddress typed for ip: unknown key with "did you mean"', () => {
    const r = check('ip-typo', DOOR('{ ipAddress: 192.168.1.20, port: 18001 }'));
    expect(r.status).toBe(1);
    expect(r.problems).toContainEqual({
      path: '/drivers/0/devices/0/custom/ipAddress',
      message: 'unknown key ipAddress',
      hint: 'did you mean ip?',
      advisory: false,
    });
  });

  it('misspelt driver keys (prot)', () => {
    const r = check('prot', DOOR('{ ip: 192.168.1.20, port: 18001 }', '{ prot: 10001 }'));
    expect(r.problems).toContainEqual({
      path: '/drivers/0/config/prot',
      message: 'unknown key prot',
      hint: 'did you mean port?',
      advisory: false,
    });
  });

  it('port: abc and port: 70000 are refused (they were silently 10000 and 65535)', () => {
    const abc = check('port-abc', DOOR('{ ip: 192.168.1.20, port: 18001 }', '{ port: abc }'));
    expect(abc.problems).toContainEqual(expect.objectContaining({ path: '/drivers/0/config/port', message: 'Expected integer' }));
    const big = check('port-big', DOOR('{ ip: 192.168.1.20, port: 18001 }', '{ port: 70000 }'));
    expect(big.problems).toContainEqual(
      expect.objectContaining({ path: '/drivers/0/config/port', hint: expect.stringMatching(/from 0 to 65535/) }),
    );
    expect(big.status).toBe(1);
  });

  it('a door device on a product the door driver does not serve', () => {
    const r = check('product', DOOR('{ ip: 192.168.1.20, port: 18001 }', '{ port: 10000 }', 'PEDemoMeter'));
    expect(r.problems).toContainEqual(
      expect.objectContaining({
        path: '/drivers/0/devices/0/productKey',
        message: 'driver door-standard does not serve product PEDemoMeter',
      }),
    );
  });

  it('a door server on the port of the local bus', () => {
    const r = check('clash', DOOR('{ ip: 192.168.1.20, port: 18001 }', '{ port: 1883 }'), 'http: { port: 0 }\nbus: { port: 1883 }\n');
    expect(r.problems).toContainEqual(
      expect.objectContaining({ path: '/drivers/0/config/port', message: 'port 1883 is already taken by the local bus (/bus/port)' }),
    );
  });

  it('seedPermissions for a device that is not on the box', () => {
    const r = check(
      'seed',
      `${DOOR('{ ip: 192.168.1.20, port: 18001 }')}access: { seedPermissions: [ { device: PEDoorQr/NOT-HERE.2, file: { qrCodePermissionList: [] } } ] }\n`,
    );
    expect(r.status).toBe(1);
    expect(r.problems).toContainEqual(
      expect.objectContaining({
        path: '/access/seedPermissions/0/device',
        message: 'device PEDoorQr/NOT-HERE.2 is not configured on this box',
      }),
    );
  });

  it('faceMode: device without access.faceAlgoUrl is a warning: the box still starts (exit 0)', () => {
    const r = check(
      'facemode',
      DOOR('{ ip: 192.168.1.20, port: 18001, faceMode: device }', '{ port: 10000 }', 'PEDoorFace').replace('TRAP-01.2', 'TRAP-01.1'),
    );
    expect(r.status).toBe(0);
    expect(r.ok).toBe(true);
    expect(r.problems).toContainEqual(
      expect.objectContaining({
        path: '/drivers/0/devices/0/custom/faceMode',
        advisory: true,
        hint: 'set access.faceAlgoUrl to the face algorithm service, or use faceMode: edge',
      }),
    );
  });

  it('a good door config passes with exit 0', () => {
    const r = check('good', DOOR('{ ip: 192.168.1.20, port: 18001 }'));
    expect(r).toMatchObject({ status: 0, ok: true, problems: [] });
  });
});

describe('defaults that work on a LAN', () => {
  it('boxIp defaults to the first LAN interface, and says which', () => {
    const s = driverSettings({}, () => ({ address: '192.168.10.5', iface: 'eth0' }));
    expect(s.boxIp).toBe('192.168.10.5');
    expect(s.boxIpFrom).toBe('interface eth0');
    expect(driverSettings({ boxIp: '10.0.0.9' }, () => ({ address: '192.168.10.5', iface: 'eth0' }))).not.toHaveProperty('boxIpFrom');
    expect(driverSettings({}, () => undefined)).toMatchObject({ boxIp: '127.0.0.1', boxIpFrom: 'no LAN interface found' });
  });
});
