import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InternetProbe, probeTargetProblem } from '../../edge/box-health/probe.js';
import { type R41Inputs, r41Health } from '../../edge/box-health/r41.js';
import { internetProbeTarget, parseCloudConfig } from '../../edge/cloud/config.js';

let server: Server;
let port: number;
let closedPort: number;

beforeAll(async () => {
  server = createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  const other = createServer();
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
  closedPort = (other.address() as AddressInfo).port;
  await new Promise<void>((r) => other.close(() => r()));
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

describe('Internet probe (R41 a)', () => {
  it('is reachable when the target accepts a connection, and says why not when it does not', async () => {
    const up = new InternetProbe({ target: `127.0.0.1:${port}`, intervalMs: 60_000, timeoutMs: 2000 });
    await up.check();
    expect(up.result).toMatchObject({ reachable: true, lastError: undefined, checks: 1 });
    expect(up.result.rttMs).toBeGreaterThanOrEqual(0);
    const down = new InternetProbe({ target: `127.0.0.1:${closedPort}`, intervalMs: 60_000, timeoutMs: 2000 });
    await down.check();
    expect(down.result.reachable).toBe(false);
    expect(down.result.lastError).toMatch(/ECONNREFUSED/);
    // A probe that never answers ends at its timeout.
    const hung = new InternetProbe({
      target: '127.0.0.1:1',
      intervalMs: 60_000,
      timeoutMs: 50,
      connect: () => new Promise(() => undefined),
    });
    const slow = new InternetProbe({
      target: '127.0.0.1:1',
      intervalMs: 60_000,
      timeoutMs: 50,
      connect: (_h, _p, ms) => new Promise((_r, reject) => setImmediate(() => reject(new Error(`no answer within ${ms} ms`)))),
    });
    await slow.check();
    expect(slow.result).toMatchObject({ reachable: false, lastError: 'no answer within 50 ms' });
    expect(hung.result.reachable).toBeUndefined(); // not checked yet: unknown, not down
    expect(probeTargetProblem('223.5.5.5:53')).toBeUndefined();
    expect(probeTargetProblem('223.5.5.5')).toBeDefined();
  });

  it("targets the cloud endpoint's host and port unless a probe is configured", () => {
    const cfg = (url: string, probe?: string) =>
      parseCloudConfig({ productKey: 'pk', deviceName: 'dn', deviceSecret: 's', url, health: probe ? { probe } : {} });
    expect(internetProbeTarget(cfg('mqtts://iot-06z.mqtt.iothub.aliyuncs.com:8883'))).toBe('iot-06z.mqtt.iothub.aliyuncs.com:8883');
    expect(internetProbeTarget(cfg('mqtts://iot-06z.mqtt.iothub.aliyuncs.com'))).toBe('iot-06z.mqtt.iothub.aliyuncs.com:8883');
    expect(internetProbeTarget(cfg('mqtt://127.0.0.1:18830'))).toBe('127.0.0.1:18830');
    expect(internetProbeTarget(cfg('mqtt://127.0.0.1:18830', '223.5.5.5:53'))).toBe('223.5.5.5:53');
  });
});

describe('R41 health', () => {
  const base: R41Inputs = {
    internet: { reachable: true, target: '223.5.5.5:53', lastOkAt: 1, rttMs: 5, lastError: undefined, checks: 1 },
    cloud: { state: 'online', since: 1 },
    drivers: [
      { name: 'a', state: 'running' },
      { name: 'b', state: 'running' },
    ],
    lastDeploy: { ok: true, at: 1, error: null },
    clockOffsetMs: 20,
    clockWarnMs: 1000,
  };

  it('is online only with all three up, and reports each separately', () => {
    expect(r41Health(base)).toMatchObject({
      online: true,
      internet: { ok: true },
      cloud: { ok: true },
      deployment: { ok: true, running: 2, total: 2 },
    });
    const noNet = r41Health({ ...base, internet: { ...base.internet!, reachable: false, lastError: 'ETIMEDOUT' } });
    expect(noNet).toMatchObject({
      online: false,
      internet: { ok: false, lastError: 'ETIMEDOUT' },
      cloud: { ok: true },
      deployment: { ok: true },
    });
    const noCloud = r41Health({ ...base, cloud: { state: 'connecting', since: 2 } });
    expect(noCloud).toMatchObject({
      online: false,
      internet: { ok: true },
      cloud: { ok: false, state: 'connecting' },
      deployment: { ok: true },
    });
    const driverDown = r41Health({ ...base, drivers: [...base.drivers, { name: 'c', state: 'failed' }] });
    expect(driverDown).toMatchObject({
      online: false,
      internet: { ok: true },
      cloud: { ok: true },
      deployment: { ok: false, notRunning: ['c'] },
    });
    const badDeploy = r41Health({ ...base, lastDeploy: { ok: false, at: 3, error: 'config invalid' } });
    expect(badDeploy.deployment.ok).toBe(false);
  });

  it('warns about the clock only above the threshold', () => {
    expect(r41Health(base).clock).toEqual({ offsetMs: 20, warning: undefined });
    expect(r41Health({ ...base, clockOffsetMs: 5000 }).clock.warning).toMatch(/5000 ms behind the platform \(above 1000 ms\)/);
    expect(r41Health({ ...base, clockOffsetMs: -5000 }).clock.warning).toMatch(/ahead of/);
    expect(r41Health({ ...base, clockOffsetMs: undefined }).clock.warning).toBeUndefined();
  });
});
