/** Driver settings: `edge check` runs the drivers' checks; what one field cannot say. */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { driverSettingsProblems, type DriverEntry } from '../../../edge/host/driver-settings.js';
import type { ConfigProblem } from '../../../edge/config/sections.js';
import { ROOT, brief } from './helpers.js';

describe("`edge check` runs the drivers' checks", () => {
  const dir = mkdtempSync(join(tmpdir(), 'pe-driver-check-'));
  const run = (text: string, json = true) => {
    const file = join(dir, `box-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, text);
    return spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'edge', 'main.ts'), 'check', file, ...(json ? ['--json'] : [])], {
      encoding: 'utf8',
      cwd: ROOT,
    });
  };

  it('exits 1 with each driver mistake at its path', () => {
    const r = run(`drivers:
  - name: Push
    type: face-terminal-push
    config: { prot: 10011 }
    devices:
      - { productKey: PEFacePush, deviceName: FP-1, custom: { deviceNumber: FP-1 } }
  - name: OpenApi
    type: face-terminal-openapi
    config: { port: abc }
    devices:
      - { productKey: PEFaceOpenApi, deviceName: OA-1, custom: { password: s3cret-pw } }
      - { productKey: PEFacePush, deviceName: OA-2, custom: { ip: 10.0.0.6, password: s3cret-pw } }
  - { name: Sim, type: demo-sim, config: { intervalMS: 500 }, devices: [] }
`);
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout) as { ok: boolean; problems: Array<ConfigProblem & { advisory: boolean }> };
    expect(out.ok).toBe(false);
    expect(out.problems.map((p) => [p.path, p.hint])).toEqual([
      ['/drivers/0/config/prot', 'did you mean port?'],
      ['/drivers/0/devices/0/custom/deviceNumber', 'did you mean deviceNo?'],
      ['/drivers/1/config/port', "a whole number from 0 to 65535 (port of the box's chapter 9 server)"],
      ['/drivers/1/devices/0/custom/ip', "an IPv4 address like 192.168.1.20 or a host name (the terminal's IPv4 address or host name)"],
      ['/drivers/1/devices/1/productKey', 'one of PEFaceOpenApi'],
      ['/drivers/2/config/intervalMS', 'did you mean intervalMs?'],
    ]);
  });

  it('prints the problem and its hint, and counts errors', () => {
    const r = run('drivers: [ { name: Push, type: face-terminal-push, config: { port: 70000 }, devices: [] } ]\n', false);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(
      /\/drivers\/0\/config\/port: Expected integer to be less or equal to 65535\n\s+hint: a whole number from 0 to 65535/,
    );
    expect(r.stdout).toMatch(/^1 error$/m);
  });

  it('exits 0 for good driver settings, with the factory password and an address-less push terminal as warnings only', () => {
    const r = run(`drivers:
  - { name: Push, type: face-terminal-push, config: { port: 10011, intervalsS: { heartbeat: 10 } }, devices: [ { productKey: PEFacePush, deviceName: FP-1, custom: { deviceNo: 1001 } } ] }
  - { name: OpenApi, type: face-terminal-openapi, devices: [ { productKey: PEFaceOpenApi, deviceName: OA-1, custom: { ip: 10.0.0.5, password: 123456, deviceId: 1001 } } ] }
  - { name: Modbus, type: modbus-v3, config: { channels: [], points: [], timeoutMs: 500 }, devices: [ { productKey: tpHw01, deviceName: T1, custom: { points: { Temperature: 1 } } } ] }
  - { name: Bacnet, type: bacnet-v3, config: { channels: [], points: [], localPort: 47809 }, devices: [] }
`);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { ok: boolean; problems: Array<ConfigProblem & { advisory: boolean }> };
    expect(out.ok).toBe(true);
    expect(out.problems.map((p) => [p.path, p.advisory])).toEqual([
      ['/drivers/1/devices/0/custom/password', true],
      ['/drivers/0/devices/0/custom/ip', true],
    ]);
  });
});

describe('what one field cannot say (settings check)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pe-settings-check-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const withData = (type: string, config: Record<string, unknown>, devices: DriverEntry['devices'] = []) =>
    driverSettingsProblems([{ name: 'D', type, config, devices }], ROOT, [], dir).then(brief);

  it('an EBA driver without tables, with a missing tables file, or with one changed after the import', async () => {
    expect(await withData('modbus-v3', {})).toEqual([
      {
        path: '/drivers/0/config',
        message: 'no point tables: neither tablesFile nor inline channels and points',
        hint: 'run edge import points for this driver (docs/eba.md), or write channels and points',
      },
    ]);
    expect((await withData('bacnet-v3', { tablesFile: 'tables.json' }))[0]).toMatchObject({
      path: '/drivers/0/config/tablesFile',
      message: expect.stringMatching(/tables\.json cannot be read \(ENOENT\)/),
    });
    mkdirSync(join(dir, 'D'), { recursive: true });
    writeFileSync(join(dir, 'D', 'tables.json'), '{"channels":[],"points":[]}');
    expect(
      await withData('modbus-v3', {
        tablesFile: 'tables.json',
        tablesSha256: createHash('sha256').update('{"channels":[],"points":[]}').digest('hex'),
      }),
    ).toEqual([]);
    expect((await withData('modbus-v3', { tablesFile: 'tables.json', tablesSha256: '0'.repeat(64) }))[0]).toMatchObject({
      path: '/drivers/0/config/tablesSha256',
      message: expect.stringMatching(/changed after the import/),
    });
  });

  it('face-push terminals: a deviceName that cannot be the deviceNo, and one deviceNo twice', async () => {
    const ps = await withData('face-terminal-push', {}, [
      { productKey: 'PEFacePush', deviceName: 'gate one', custom: {} },
      { productKey: 'PEFacePush', deviceName: 'A', custom: { deviceNo: 'SN01' } },
      { productKey: 'PEFacePush', deviceName: 'B', custom: { deviceNo: 'SN01' } },
    ]);
    expect(ps.filter((p) => p.path.endsWith('/deviceNo'))).toEqual([
      {
        path: '/drivers/0/devices/0/custom/deviceNo',
        message: 'the deviceName "gate one" is no terminal serial number (1-32 printable ASCII, seed 003 L77-81)',
        hint: 'set custom.deviceNo to the serial number the terminal sends',
      },
      {
        path: '/drivers/0/devices/2/custom/deviceNo',
        message: "deviceNo SN01 is also device 1's",
        hint: 'each terminal has its own serial number',
      },
    ]);
    // Without an address, anyone who knows a deviceNo may speak for the terminal: a warning each.
    expect(ps.filter((p) => p.path.endsWith('/ip')).map((p) => p.path)).toEqual([
      '/drivers/0/devices/0/custom/ip',
      '/drivers/0/devices/1/custom/ip',
      '/drivers/0/devices/2/custom/ip',
    ]);
  });
});
