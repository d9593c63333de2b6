import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EventBus } from '../../edge/events.js';
import { DriverHost } from '../../edge/host/host.js';
import { silentLogger } from '../../edge/log.js';
import { ThingModelLibrary } from '../../edge/thing/library.js';
import { DeviceRegistry } from '../../edge/thing/registry.js';
import { edgeError } from '../../edge/errors.js';

// The driver → host service channel (hostCall / hostReply) used by door drivers to reach access/.
describe('host services over the driver IPC', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hostsvc-'));
  const log = silentLogger();
  const events = new EventBus(log);
  const models = ThingModelLibrary.fromDirs([resolve('config/tsl')]);
  const registry = new DeviceRegistry({ events, log });
  const host = new DriverHost({ registry, events, models, log, logDir: join(dir, 'logs'), dataDir: join(dir, 'data') });
  const seen: Array<{ args: Record<string, unknown>; driver: string }> = [];

  beforeAll(async () => {
    host.registerService('test.add', (args, caller) => {
      seen.push({ args, driver: caller.driver });
      return { code: 200, message: 'success', data: { sum: Number(args.n) + 1 } };
    });
    host.registerService('test.throws', () => {
      throw new Error('boom');
    });
    host.registerService('test.edge', () => {
      throw edgeError('EDGE_ERR_REQUEST_INVALID', 'bad args');
    });
    host.registerService('test.never', () => new Promise(() => undefined));
    await host.deploy([{ name: 'Test_HostCall', module: resolve('test/access/fixtures/host-call-driver.ts'), devices: [{ productKey: 'PEDemoMeter', deviceName: 'm1' }] }]);
    await host.whenReady(20_000);
  });

  afterAll(async () => {
    await host.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const ask = (reason: string) => host.callService('PEDemoMeter', 'm1', 'ResetEnergy', { Reason: reason });

  it('calls a registered service with the args and the caller driver name', async () => {
    const a = await ask('test.add');
    expect(a).toEqual({ code: 200, message: 'success', data: { sum: 42 } });
    expect(seen.at(-1)).toEqual({ args: { device: 'm1', n: 41 }, driver: 'Test_HostCall' });
  });

  it('answers 6304 for an unknown service', async () => {
    const a = await ask('test.missing');
    expect(a.code).toBe(6304);
    expect(a.message).toMatch(/test\.missing/);
  });

  it('maps a throwing service to 500 and an EdgeError to its alink code; the driver keeps running', async () => {
    expect(await ask('test.throws')).toEqual({ code: 500, message: 'boom' });
    const e = await ask('test.edge');
    expect(e.code).toBe(460);
    expect(e.message).toMatch(/bad args/);
    expect((await ask('test.add')).code).toBe(200);
  });

  it('rejects in the driver when the host does not answer in time', async () => {
    const a = await ask('test.never|300');
    expect(a.code).toBe(599);
    expect(a.message).toMatch(/did not answer within 300 ms/);
  });

  it('serves many concurrent calls, each matched to its own reply', async () => {
    const answers = await Promise.all(Array.from({ length: 50 }, () => ask('test.add')));
    expect(answers.every((a) => a.code === 200 && (a.data as { sum: number }).sum === 42)).toBe(true);
  });
});
