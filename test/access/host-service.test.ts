/**
 * The host-service contract over the driver IPC: a driver in its own child process (fixture
 * host-call-driver.ts) calls `ctx.host`, the DriverHost's registry checks the call against the
 * contract (edge/host/sdk/host-services.ts) and the real access core answers it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { accessHostServices } from '../../edge/access/host-services.js';
import { EventBus } from '../../edge/events.js';
import { ERRORS } from '../../edge/errors.js';
import { DriverHost } from '../../edge/host/host.js';
import { silentLogger } from '../../edge/log.js';
import { ThingModelLibrary } from '../../edge/thing/library.js';
import { DeviceRegistry } from '../../edge/thing/registry.js';
import { makeCore, type TestCore } from './helpers.js';

const M1 = 'PEDemoMeter/m1'; // deployed to Test_HostCall, the calling driver
const M2 = 'PEDemoMeter/m2'; // deployed to Test_Other

/** The calls the fixture driver makes, by name (its `ResetEnergy` Reason). */
const CALLS = {
  decideQr: { method: 'access.decideQr', args: { deviceKey: M1, code: 'NO-SUCH-CODE' } },
  recordCard: { method: 'access.recordPass', args: { deviceKey: M1, kind: 'tradCard', content: 'C0001', code: 0, ref: 'door-record-1' } },
  active: { method: 'faceQueue.active', args: { deviceKey: M1 } },
  unknown: { method: 'access.openAllDoors', args: { deviceKey: M1 } },
  malformed: { method: 'access.decideQr', args: { deviceKey: M1, code: 42 } },
  missingArg: { method: 'access.desiredFaces', args: {} },
  badKind: { method: 'access.recordPass', args: { deviceKey: M1, kind: 'teleport', content: '', code: 0 } },
  foreign: { method: 'access.decideQr', args: { deviceKey: M2, code: 'NO-SUCH-CODE' } },
  unlisted: { method: 'access.decideQr', args: { deviceKey: 'PEDemoMeter/nobody', code: 'NO-SUCH-CODE' } },
  throws: { method: 'faceQueue.heldPersons', args: { deviceKey: M1, ids: ['p1'] } },
  never: { method: 'faceQueue.get', args: { deviceKey: M1, msgId: 'm1' }, timeoutMs: 300 },
} as const;

describe('host services over the driver IPC', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hostsvc-'));
  const log = silentLogger();
  const events = new EventBus(log);
  const models = ThingModelLibrary.fromDirs([resolve('config/tsl')]);
  const registry = new DeviceRegistry({ events, log });
  const host = new DriverHost({ registry, events, models, log, logDir: join(dir, 'logs'), dataDir: join(dir, 'data') });
  const callers: string[] = [];
  let t: TestCore;

  beforeAll(async () => {
    t = makeCore();
    host.registerServices(accessHostServices(t.core));
    // Small handlers for real contract methods: one that tells who called, one that throws, one that never answers.
    host.registerServices({
      'faceQueue.active': (_a, caller) => {
        callers.push(caller.driver);
        return { commands: [] };
      },
      'faceQueue.heldPersons': () => {
        throw new Error('boom');
      },
      'faceQueue.get': () => new Promise(() => undefined),
    });
    const fixture = resolve('test/access/fixtures/host-call-driver.ts');
    await host.deploy([
      { name: 'Test_HostCall', module: fixture, config: { calls: CALLS }, devices: [{ productKey: 'PEDemoMeter', deviceName: 'm1' }] },
      { name: 'Test_Other', module: fixture, config: { calls: {} }, devices: [{ productKey: 'PEDemoMeter', deviceName: 'm2' }] },
    ]);
    await host.whenReady(20_000);
  });

  afterAll(async () => {
    await host.stop();
    t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ask = (call: keyof typeof CALLS) => host.callService('PEDemoMeter', 'm1', 'ResetEnergy', { Reason: call });

  it("answers a known method with the access core's data; the record it made is in the store", async () => {
    const a = await ask('decideQr');
    expect(a).toMatchObject({ code: 200, message: 'success', data: { code: 103, kind: 'qrCode', passId: expect.any(String) } });
    const passId = (a.data as { passId: string }).passId;
    expect(t.core.records.list({ deviceKey: M1 })[0]).toMatchObject({ pass_id: passId, content: 'NO-SUCH-CODE', code: 103, uploaded: 1 });
    // A pass the device resends with the same ref is stored once.
    const first = await ask('recordCard');
    const again = await ask('recordCard');
    expect(first).toMatchObject({ code: 200, data: { duplicate: false } });
    expect(again).toEqual({ code: 200, message: 'success', data: { passId: (first.data as { passId: string }).passId, duplicate: true } });
    expect(t.core.records.list({ deviceKey: M1 }).filter((r) => r.ref === 'door-record-1')).toHaveLength(1);
    // The handler learns the calling driver.
    expect(await ask('active')).toEqual({ code: 200, message: 'success', data: { commands: [] } });
    expect(callers.at(-1)).toBe('Test_HostCall');
  });

  it('answers 6304 for a method outside the contract', async () => {
    const a = await ask('unknown');
    expect(a.code).toBe(ERRORS.EDGE_ERR_HOST_SERVICE_UNKNOWN.alink);
    expect(a.code).toBe(6304);
    expect(a.message).toMatch(/access\.openAllDoors/);
  });

  it('answers 460 with the offending path for malformed arguments, before any handler runs', async () => {
    const before = t.core.records.list().length;
    const a = await ask('malformed');
    expect(a.code).toBe(460);
    expect(a.message).toMatch(/access\.decideQr/);
    expect(a.message).toMatch(/\/code/);
    expect(t.core.records.list()).toHaveLength(before);
    expect(await ask('missingArg')).toMatchObject({ code: 460, message: expect.stringMatching(/\/deviceKey/) });
    expect(await ask('badKind')).toMatchObject({ code: 460, message: expect.stringMatching(/\/kind/) });
    expect(t.core.records.list()).toHaveLength(before);
  });

  it('answers 6105 for a device of another driver or of none', async () => {
    const a = await ask('foreign');
    expect(a.code).toBe(ERRORS.EDGE_ERR_DEVICE_NOT_OWNED.alink);
    expect(a.code).toBe(6105);
    expect(a.message).toContain(M2);
    expect(a.message).toContain('Test_HostCall');
    expect((await ask('unlisted')).code).toBe(6105);
    expect(t.core.records.list({ deviceKey: M2 })).toHaveLength(0);
  });

  it('answers 500 for a throwing handler; the driver keeps running', async () => {
    expect(await ask('throws')).toEqual({ code: 500, message: 'boom' });
    expect(host.driver('Test_HostCall')?.state).toBe('running');
    expect((await ask('decideQr')).code).toBe(200);
  });

  it('rejects in the driver when the host does not answer in time', async () => {
    const t0 = Date.now();
    const a = await ask('never');
    expect(a.code).toBe(599);
    expect(a.message).toMatch(/did not answer within 300 ms/);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect((await ask('active')).code).toBe(200);
  });

  it('serves many concurrent calls, each matched to its own reply', async () => {
    const answers = await Promise.all(Array.from({ length: 50 }, () => ask('decideQr')));
    expect(answers.every((a) => a.code === 200 && (a.data as { code: number }).code === 103)).toBe(true);
    expect(new Set(answers.map((a) => (a.data as { passId: string }).passId)).size).toBe(50);
  });
});
