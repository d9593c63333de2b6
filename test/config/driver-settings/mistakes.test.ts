/** Each kind of driver-settings mistake is refused with the path and a hint an installer can act on (driverSettingsProblems). */
import { describe, expect, it } from 'vitest';
import { problemsOfYaml, problemsOf, brief } from './helpers.js';

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
