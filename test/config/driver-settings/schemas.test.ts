/** The drivers read their settings through the same schemas, so what passes the check is what they run with. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../edge/config/load.js';
import { deviceNoOf, pushSettings } from '../../../drivers/face-terminal-push/config.js';
import { deviceConfig, openApiSettings } from '../../../drivers/face-terminal-openapi/config.js';
import { driverOptions as modbusOptions } from '../../../drivers/modbus-v3/config.js';
import { driverOptions as bacnetOptions } from '../../../drivers/bacnet-v3/config.js';
import { deviceMapping } from '../../../drivers/eba-shared/tables.js';
import { LISTENER_LIMITS } from '../../../protocols/common/http-listener.js';
import { problemsOfYaml, brief, device } from './helpers.js';

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
