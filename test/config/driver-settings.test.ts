/**
 * The built-in drivers' settings (drivers/<x>/settings.ts): each accepts the examples of the
 * README's example config, the embedded defaults and its docs, and refuses each kind of mistake
 * with the path and a hint an installer can act on — through the host's check
 * (driverSettingsProblems) and through `edge check`. The drivers read their settings through
 * the same schemas, so what passes here is what they run with.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_YAML } from '../../edge/config/defaults.js';
import { parseConfig } from '../../edge/config/load.js';
import { boxListeners } from '../../edge/config/listeners.js';
import { driverSettingsProblems, type DriverEntry } from '../../edge/host/driver-settings.js';
import type { ConfigProblem } from '../../edge/config/sections.js';
import type { DeviceInfo } from '../../edge/host/sdk/driver.js';
import { deviceNoOf, pushSettings } from '../../drivers/face-terminal-push/config.js';
import { deviceConfig, openApiSettings } from '../../drivers/face-terminal-openapi/config.js';
import { driverOptions as modbusOptions } from '../../drivers/modbus-v3/config.js';
import { driverOptions as bacnetOptions } from '../../drivers/bacnet-v3/config.js';
import { deviceMapping } from '../../drivers/eba-shared/tables.js';
import { LISTENER_LIMITS } from '../../protocols/common/http-listener.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

const problemsOfYaml = async (yaml: string): Promise<ConfigProblem[]> => {
  const cfg = parseConfig(yaml);
  return driverSettingsProblems(cfg.drivers, ROOT, boxListeners(cfg));
};

/** One driver with its devices, checked alone (no box listeners unless given). */
const problemsOf = (type: string, config: Record<string, unknown>, devices: DriverEntry['devices'] = []): Promise<ConfigProblem[]> =>
  driverSettingsProblems([{ name: 'D', type, config, devices }], ROOT);

const brief = (ps: ConfigProblem[]) => ps.map((p) => ({ path: p.path, message: p.message, hint: p.hint }));

const device = (productKey: string, deviceName: string, custom: Record<string, unknown>): DeviceInfo => ({
  productKey,
  deviceName,
  custom,
});

describe('driver settings: the shipped examples are accepted', () => {
  it('the embedded defaults', async () => {
    expect(await problemsOfYaml(DEFAULT_CONFIG_YAML)).toEqual([]);
  });

  it('config/box.example.yaml', async () => {
    expect(await problemsOfYaml(readFileSync(join(ROOT, 'config', 'box.example.yaml'), 'utf8'))).toEqual([]);
  });

  it('every YAML example with drivers in README.md and docs/', async () => {
    const files = [
      'README.md',
      ...readdirSync(join(ROOT, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => join('docs', f)),
    ];
    let checked = 0;
    for (const f of files) {
      for (const m of readFileSync(join(ROOT, f), 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)) {
        if (!/^drivers:/m.test(m[1]!)) continue;
        checked++;
        expect({ file: f, problems: await problemsOfYaml(m[1]!) }).toEqual({ file: f, problems: [] });
      }
    }
    expect(checked).toBeGreaterThanOrEqual(2); // door-standard.md, drivers.md
  });

  // docs/face-terminals.md "Seed 003" and "Seed 004": the driver config and device custom shown there.
  it('the face terminal configs of docs/face-terminals.md', async () => {
    expect(
      await problemsOf(
        'face-terminal-push',
        {
          host: '127.0.0.1',
          port: 10010,
          pathPrefix: '',
          tzOffsetMinutes: 480,
          openTimeoutMs: 30000,
          commandWaitMs: 60000,
          commandTtlMs: 86400000,
          resultTimeoutMs: 60000,
          maxAttempts: 3,
          intervalsS: { heartbeat: 30, person: 5, open: 2, update: 300, other: 10 },
        },
        [
          { productKey: 'PEFacePush', deviceName: 'FP-1', custom: { deviceNo: 'SN0001' } },
          { productKey: 'PEFacePush', deviceName: 'FP-2' },
        ],
      ),
    ).toEqual([]);
    expect(
      await problemsOf(
        'face-terminal-openapi',
        {
          host: '127.0.0.1',
          port: 10020,
          publicUrl: 'http://192.168.1.2:10020/',
          syncPollMs: 5000,
          faceSync: 'pull',
          feedbackTimeoutMs: 120000,
        },
        [
          {
            productKey: 'PEFaceOpenApi',
            deviceName: 'OA-1',
            custom: { ip: '192.168.1.120', port: 8899, wsPort: 9000, password: '123456', deviceId: 'OA-1' },
          },
          { productKey: 'PEFaceOpenApi', deviceName: 'OA-2', custom: { ip: 'face-2.lan' } },
        ],
      ),
    ).toEqual([]);
  });

  // docs/eba.md (import output, inline tables) and docs/bacnet.md (socket options).
  it('the EBA configs of docs/eba.md and docs/bacnet.md', async () => {
    const points = [{ productKey: 'tpHw01', deviceName: 'T1', custom: { points: { Temperature: '1', Setpoint: 2 } } }];
    expect(
      await problemsOf(
        'modbus-v3',
        {
          tablesFile: 'tables.json',
          tablesSha256: 'a'.repeat(64),
          timeoutMs: 1000,
          maxInFlight: 8,
          maxGapRegisters: 16,
          backoffMinMs: 500,
          backoffMaxMs: 30000,
          statsIntervalMs: 0,
        },
        points,
      ),
    ).toEqual([]);
    expect(await problemsOf('modbus-v3', { channels: [{ id: 'C1', transport: 'tcp' }], points: [{ id: '1' }] }, points)).toEqual([]);
    expect(
      await problemsOf(
        'bacnet-v3',
        {
          tablesFile: 'tables.json',
          tablesSha256: 'b'.repeat(64),
          localPort: 47808,
          bindAddress: '0.0.0.0',
          broadcastAddress: '192.168.1.255',
          covConfirmed: true,
          readPropertyOnly: false,
          writePriority: 8,
        },
        points,
      ),
    ).toEqual([]);
    expect(await problemsOf('bacnet-v3', { localPort: 0, bindAddress: '127.0.0.30', broadcastAddress: '127.255.255.255:47809' })).toEqual(
      [],
    );
  });
});

describe('driver settings: each kind of mistake is refused with its path and a hint', () => {
  it('misspelt keys name the key meant', async () => {
    expect(
      brief(
        await problemsOf('face-terminal-push', { prot: 10010, intervalsS: { heartbeet: 5 } }, [
          { productKey: 'PEFacePush', deviceName: 'x', custom: { deviceNumber: 'SN1' } },
        ]),
      ),
    ).toEqual([
      { path: '/drivers/0/config/prot', message: 'unknown key prot', hint: 'did you mean port?' },
      { path: '/drivers/0/config/intervalsS/heartbeet', message: 'unknown key heartbeet', hint: 'did you mean heartbeat?' },
      { path: '/drivers/0/devices/0/custom/deviceNumber', message: 'unknown key deviceNumber', hint: 'did you mean deviceNo?' },
    ]);
    expect(brief(await problemsOf('demo-sim', { intervalMS: 500 }))).toEqual([
      { path: '/drivers/0/config/intervalMS', message: 'unknown key intervalMS', hint: 'did you mean intervalMs?' },
    ]);
    expect(
      brief(
        await problemsOf('modbus-v3', { timeoutMS: 500 }, [
          { productKey: 'tpHw01', deviceName: 'T1', custom: { point: { Temperature: '1' } } },
        ]),
      ),
    ).toEqual([
      { path: '/drivers/0/config/timeoutMS', message: 'unknown key timeoutMS', hint: 'did you mean timeoutMs?' },
      { path: '/drivers/0/devices/0/custom/point', message: 'unknown key point', hint: 'did you mean points?' },
    ]);
    expect((await problemsOf('bacnet-v3', { localport: 47808 }))[0]).toMatchObject({
      path: '/drivers/0/config/localport',
      hint: 'did you mean localPort?',
    });
  });

  it('a face terminal with no ip (ipAddress typed for it)', async () => {
    expect(
      brief(
        await problemsOf('face-terminal-openapi', {}, [
          { productKey: 'PEFaceOpenApi', deviceName: 'OA-1', custom: { ipAddress: '192.168.1.120', password: 'pw-1' } },
        ]),
      ),
    ).toEqual([
      {
        path: '/drivers/0/devices/0/custom/ip',
        message: 'Expected required property',
        hint: "an IPv4 address like 192.168.1.20 or a host name (the terminal's IPv4 address or host name)",
      },
      { path: '/drivers/0/devices/0/custom/ipAddress', message: 'unknown key ipAddress', hint: 'did you mean ip?' },
    ]);
    expect(
      brief(
        await problemsOf('face-terminal-openapi', {}, [
          { productKey: 'PEFaceOpenApi', deviceName: 'OA-1', custom: { ip: '192.168.1.300', password: 'pw-1' } },
        ]),
      ),
    ).toEqual([
      {
        path: '/drivers/0/devices/0/custom/ip',
        message: '"192.168.1.300" is not in the expected form',
        hint: "an IPv4 address like 192.168.1.20 or a host name (the terminal's IPv4 address or host name)",
      },
    ]);
  });

  it('wrong types and out-of-range values (clamped or ignored before, refused now)', async () => {
    expect(brief(await problemsOf('face-terminal-push', { port: 'abc', tzOffsetMinutes: 900, maxAttempts: 2.5 }))).toEqual([
      {
        path: '/drivers/0/config/port',
        message: 'Expected integer',
        hint: 'a whole number from 0 to 65535 (port of the box the terminals push to and poll)',
      },
      {
        path: '/drivers/0/config/tzOffsetMinutes',
        message: 'Expected integer to be less or equal to 840',
        hint: expect.stringMatching(/^a whole number from -720 to 840 \(time zone/) as unknown as string,
      },
      {
        path: '/drivers/0/config/maxAttempts',
        message: 'Expected integer',
        hint: 'a whole number from 1 to 10 (times a command is handed out in all)',
      },
    ]);
    expect(brief(await problemsOf('face-terminal-openapi', { port: 70000, faceSync: 'push', publicUrl: 'box.lan:10020' }))).toEqual([
      {
        path: '/drivers/0/config/port',
        message: 'Expected integer to be less or equal to 65535',
        hint: "a whole number from 0 to 65535 (port of the box's chapter 9 server)",
      },
      {
        path: '/drivers/0/config/publicUrl',
        message: '"box.lan:10020" is not in the expected form',
        hint: expect.stringMatching(/^base URL the terminals reach/) as unknown as string,
      },
      {
        path: '/drivers/0/config/faceSync',
        message: '"push" is not one of the allowed values',
        hint: expect.stringMatching(/^one of "api", "pull" \(/) as unknown as string,
      },
    ]);
    expect(
      brief(
        await problemsOf('face-terminal-openapi', {}, [
          { productKey: 'PEFaceOpenApi', deviceName: 'OA-1', custom: { ip: '10.0.0.5', port: 0, deviceId: 1.2345678901234567e19 } },
        ]),
      ),
    ).toEqual([
      {
        path: '/drivers/0/devices/0/custom/port',
        message: 'Expected integer to be greater or equal to 1',
        hint: "a whole number from 1 to 65535 (the terminal's OpenAPI port)",
      },
      {
        path: '/drivers/0/devices/0/custom/deviceId',
        message: 'Expected union value',
        hint: expect.stringMatching(/^text or a whole number \(/) as unknown as string,
      },
    ]);
    expect(
      brief(await problemsOf('face-terminal-push', {}, [{ productKey: 'PEFacePush', deviceName: 'x', custom: { deviceNo: 'SN 1' } }])),
    ).toEqual([
      {
        path: '/drivers/0/devices/0/custom/deviceNo',
        message: '"SN 1" is not in the expected form',
        hint: expect.stringMatching(/^text or a whole number \(the terminal's serial number/) as unknown as string,
      },
    ]);
    expect(
      brief(
        await problemsOf('modbus-v3', { maxGapRegisters: 200, maxInFlight: 0, tablesSha256: 'xyz' }, [
          { productKey: 'tpHw01', deviceName: 'T1', custom: { points: { Temperature: [1] } } },
        ]),
      ),
    ).toEqual([
      {
        path: '/drivers/0/config/tablesSha256',
        message: '"xyz" is not in the expected form',
        hint: expect.stringMatching(/^SHA-256 of the tables file/) as unknown as string,
      },
      {
        path: '/drivers/0/config/maxInFlight',
        message: 'Expected integer to be greater or equal to 1',
        hint: expect.stringMatching(/^a whole number from 1 to 256/) as unknown as string,
      },
      {
        path: '/drivers/0/config/maxGapRegisters',
        message: 'Expected integer to be less or equal to 125',
        hint: expect.stringMatching(/^a whole number from 0 to 125/) as unknown as string,
      },
      {
        path: '/drivers/0/devices/0/custom/points/Temperature',
        message: 'Expected union value',
        hint: 'text or a whole number (point number)',
      },
    ]);
    expect(brief(await problemsOf('bacnet-v3', { maxInFlight: 300, covConfirmed: 'yes', bindAddress: 'eth0' }))).toEqual([
      {
        path: '/drivers/0/config/bindAddress',
        message: '"eth0" is not in the expected form',
        hint: expect.stringMatching(/^an IPv4 address like 192.168.1.20 \(local address/) as unknown as string,
      },
      {
        path: '/drivers/0/config/maxInFlight',
        message: 'Expected integer to be less or equal to 250',
        hint: 'a whole number from 1 to 250 (requests in flight on the socket)',
      },
      { path: '/drivers/0/config/covConfirmed', message: 'Expected boolean', hint: 'ask for confirmed COV notifications' },
    ]);
    expect(
      brief(await problemsOf('demo-sim', { intervalMs: 0 }, [{ productKey: 'PEDemoMeter', deviceName: 'm', custom: { kind: 'meters' } }])),
    ).toEqual([
      {
        path: '/drivers/0/config/intervalMs',
        message: 'Expected integer to be greater or equal to 50',
        hint: expect.stringMatching(/^a whole number from 50 to 3600000/) as unknown as string,
      },
      {
        path: '/drivers/0/devices/0/custom/kind',
        message: '"meters" is not one of the allowed values',
        hint: expect.stringMatching(/^one of "meter", "thermostat"/) as unknown as string,
      },
    ]);
  });

  it('a product the driver does not serve', async () => {
    const cases: Array<[string, string, string]> = [
      ['face-terminal-push', 'PEFaceOpenApi', 'one of PEFacePush'],
      ['face-terminal-openapi', 'PEFacePush', 'one of PEFaceOpenApi'],
      ['demo-sim', 'PEDoorQr', 'one of PEDemoMeter, PEDemoThermo'],
    ];
    for (const [type, productKey, hint] of cases) {
      const ps = await problemsOf(type, {}, [
        { productKey, deviceName: 'x', custom: type === 'face-terminal-openapi' ? { ip: '10.0.0.5' } : {} },
      ]);
      expect(brief(ps)).toEqual([
        { path: '/drivers/0/devices/0/productKey', message: `driver ${type} does not serve product ${productKey}`, hint },
      ]);
    }
    // The EBA drivers serve any product with a thing model.
    expect(await problemsOf('modbus-v3', {}, [{ productKey: 'PEDemoThermo', deviceName: 'x' }])).toEqual([]);
  });

  it('two listeners on one port, by default or by choice; UDP and TCP do not clash', async () => {
    // Both face drivers would take 10020 on 127.0.0.1; the push driver also the box's HTTP port.
    expect(
      brief(
        await problemsOfYaml(`http: { port: 8080 }
drivers:
  - { name: Push, type: face-terminal-push, config: { port: 8080 }, devices: [] }
  - { name: OpenApi, type: face-terminal-openapi, devices: [] }
  - { name: Push2, type: face-terminal-push, config: { port: 10020 }, devices: [] }
`),
      ),
    ).toEqual([
      {
        path: '/drivers/0/config/port',
        message: 'port 8080 is already taken by the box HTTP server (console, /healthz) (/http/port)',
        hint: 'give each listener its own port',
      },
      {
        path: '/drivers/2/config/port',
        message: 'port 10020 is already taken by driver OpenApi (/drivers/1/config/port)',
        hint: 'give each listener its own port',
      },
    ]);
    expect(
      brief(
        await problemsOfYaml(`http: { port: 8080 }
drivers:
  - { name: B1, type: bacnet-v3, devices: [] }
  - { name: B2, type: bacnet-v3, config: { bindAddress: 127.0.0.2 }, devices: [] }
  - { name: B3, type: bacnet-v3, config: { localPort: 8080 }, devices: [] }
`),
      ),
    ).toEqual([
      {
        path: '/drivers/1/config/localPort',
        message: 'port 47808 is already taken by driver B1 (/drivers/0/config/localPort)',
        hint: 'give each listener its own port',
      },
    ]);
    // Two addresses of the box: both bind.
    expect(
      await problemsOfYaml(`drivers:
  - { name: B1, type: bacnet-v3, config: { bindAddress: 127.0.0.2 }, devices: [] }
  - { name: B2, type: bacnet-v3, config: { bindAddress: 127.0.0.3 }, devices: [] }
`),
    ).toEqual([]);
  });
});

describe('the drivers read their settings through the schemas', () => {
  it('face-terminal-push: defaults, the path prefix in one form, a YAML integer deviceNo kept as its digits', () => {
    const s = pushSettings({ pathPrefix: 'push/' });
    expect(s).toMatchObject({
      host: '127.0.0.1',
      port: 10010,
      pathPrefix: '/push',
      tzOffsetMinutes: 480,
      maxAttempts: 3,
      intervalsS: { heartbeat: 30, person: 5, open: 2, update: 300, other: 10 },
    });
    expect(pushSettings({ pathPrefix: '/' }).pathPrefix).toBe('');
    expect(pushSettings({ intervalsS: { heartbeat: 1 } }).intervalsS).toEqual({ heartbeat: 1, person: 5, open: 2, update: 300, other: 10 });
    expect(() => pushSettings({ port: 70000 })).toThrow(
      /face-terminal-push driver config: \/port Expected integer to be less or equal to 65535/,
    );
    const yaml = parseConfig(
      'drivers: [ { name: P, type: face-terminal-push, devices: [ { productKey: PEFacePush, deviceName: FP-1, custom: { deviceNo: 1001 } } ] } ]',
    );
    expect(deviceNoOf(device('PEFacePush', 'FP-1', yaml.drivers[0]!.devices[0]!.custom ?? {}))).toBe('1001');
    expect(deviceNoOf(device('PEFacePush', 'FP-1', {}))).toBe('FP-1');
  });

  it('a zero-padded YAML integer keeps its zeros (and is no number where one is expected)', async () => {
    const yaml =
      'drivers: [ { name: O, type: face-terminal-openapi, config: { port: 010020 }, devices: [ { productKey: PEFaceOpenApi, deviceName: OA-1, custom: { ip: 10.0.0.5, deviceId: 0012, password: 012345 } } ] } ]';
    const custom = parseConfig(yaml).drivers[0]!.devices[0]!.custom ?? {};
    expect(deviceConfig(device('PEFaceOpenApi', 'OA-1', custom))).toMatchObject({ password: '012345', deviceId: '0012' });
    expect(brief(await problemsOfYaml(yaml))).toEqual([
      {
        path: '/drivers/0/config/port',
        message: 'Expected integer',
        hint: "a whole number from 0 to 65535 (port of the box's chapter 9 server)",
      },
    ]);
  });

  it('face-terminal-openapi: an unquoted deviceId or password is kept, not ignored', () => {
    expect(openApiSettings({ publicUrl: 'http://10.0.0.2:10020//' })).toEqual({
      host: '127.0.0.1',
      port: 10020,
      publicUrl: 'http://10.0.0.2:10020',
      syncPollMs: 5000,
      faceSync: 'api',
      feedbackTimeoutMs: 120000,
      limits: LISTENER_LIMITS,
    });
    const yaml = parseConfig(
      'drivers: [ { name: O, type: face-terminal-openapi, devices: [ { productKey: PEFaceOpenApi, deviceName: OA-1, custom: { ip: 10.0.0.5, deviceId: 1001, password: 654321 } } ] } ]',
    );
    expect(deviceConfig(device('PEFaceOpenApi', 'OA-1', yaml.drivers[0]!.devices[0]!.custom ?? {}))).toEqual({
      ip: '10.0.0.5',
      port: 8899,
      wsPort: 9000,
      password: '654321',
      deviceId: '1001',
    });
    expect(deviceConfig(device('PEFaceOpenApi', 'OA-1', { ip: '10.0.0.5' }))).toMatchObject({ password: '123456', deviceId: 'OA-1' });
    expect(() => deviceConfig(device('PEFaceOpenApi', 'OA-1', {}))).toThrow(/custom of OA-1: \/ip Expected required property/);
  });

  it('modbus-v3 and bacnet-v3: the defaults they had, the mapping as text', () => {
    expect(modbusOptions({})).toEqual({
      timeoutMs: 1000,
      maxInFlight: 8,
      maxGapRegisters: 16,
      backoffMinMs: 500,
      backoffMaxMs: 30_000,
      statsIntervalMs: 5000,
    });
    expect(bacnetOptions({})).toEqual({
      localPort: 47808,
      bindAddress: '0.0.0.0',
      apduTimeoutMs: 3000,
      maxInFlight: 200,
      maxInFlightPerDevice: 4,
      maxApdu: 1476,
      maxPropertiesPerRequest: 200,
      covLifetimeS: 300,
      covConfirmed: false,
      writePriority: 16,
      readPropertyOnly: false,
      statsIntervalMs: 5000,
    });
    expect(() => bacnetOptions({ writePriority: 0 })).toThrow(/bacnet-v3 driver config: \/writePriority/);
    expect([...deviceMapping({ points: { Temperature: 1, Setpoint: 'sp-1' } })]).toEqual([
      ['Temperature', '1'],
      ['Setpoint', 'sp-1'],
    ]);
    expect(() => deviceMapping({ points: { Temperature: true } })).toThrow(/\/points\/Temperature/);
  });
});

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
