/**
 * The driver host with real child processes: a misbehaving driver (throw, exit, hang, kill -9)
 * is restarted with growing backoff while a well-behaved driver's reports go on uninterrupted;
 * a redeploy restarts only what changed.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observeFor } from '../helpers/wait.js';
import { MISBEHAVE, startBox, waitFor, type TestBox } from '../helpers/runtime.js';
import type { Runtime } from '../../edge/runtime.js';

const yaml = (extra = '') => `
host: { heartbeatMs: 200, hangTimeoutMs: 1500, restartBaseMs: 200, restartMaxMs: 1600 }
drivers:
  - name: Steady_Test
    module: ${MISBEHAVE}
    devices:
      - { productKey: TestCounter, deviceName: steady-1, custom: { intervalMs: 50 } }
  - name: Flaky_Test
    module: ${MISBEHAVE}
    config: { failDevice: broken-1 }
    devices:
      - { productKey: TestCounter, deviceName: flaky-1, custom: { intervalMs: 100 } }
      - { productKey: TestCounter, deviceName: broken-1 }
${extra}`;

/** Records the arrival time of every Steady report to find gaps. */
function watchSteady(rt: Runtime): { gaps(): number; count(): number } {
  let last = 0;
  let maxGap = 0;
  let n = 0;
  rt.events.on('test', 'device.properties', ({ deviceName }) => {
    if (deviceName !== 'steady-1') return;
    const now = Date.now();
    if (last) maxGap = Math.max(maxGap, now - last);
    last = now;
    n++;
  });
  return { gaps: () => maxGap, count: () => n };
}

describe('driver host', () => {
  let box: TestBox;
  let rt: Runtime;
  let steady: ReturnType<typeof watchSteady>;

  beforeAll(async () => {
    box = await startBox(yaml());
    rt = box.runtime;
    steady = watchSteady(rt);
    await rt.host.whenReady();
  });
  afterAll(async () => box?.close());

  it('brings devices online and one failing device does not block the others', async () => {
    await waitFor(() => rt.registry.get('TestCounter', 'flaky-1')?.status === 'online');
    const broken = await waitFor(() =>
      rt.registry.get('TestCounter', 'broken-1')?.status === 'offline' ? rt.registry.get('TestCounter', 'broken-1') : undefined,
    );
    expect(broken.statusReason).toMatch(/cannot reach broken-1/);
    await waitFor(() => rt.registry.get('TestCounter', 'steady-1')?.status === 'online');
  });

  it('answers service calls with the driver data and checks input against the thing model', async () => {
    expect(await rt.host.callService('TestCounter', 'flaky-1', 'Echo', { Text: 'hi' })).toEqual({
      code: 200,
      message: 'success',
      data: { Text: 'hi', Device: 'flaky-1' },
    });
    expect((await rt.host.callService('TestCounter', 'flaky-1', 'Echo', { Text: 'x'.repeat(33) })).message).toMatch(/longer than 32/);
    expect((await rt.host.callService('TestCounter', 'flaky-1', 'Nope', {})).code).toBe(6200);
    expect((await rt.host.callService('TestCounter', 'ghost', 'Echo', {})).code).toBe(6100);
    expect((await rt.host.setProperties('TestCounter', 'flaky-1', { Counter: 1 })).message).toMatch(/read-only/);
    expect((await rt.host.setProperties('TestCounter', 'flaky-1', { Level: 11 })).message).toMatch(/above max 10/);
    expect((await rt.host.setProperties('TestCounter', 'flaky-1', { Level: 3 })).code).toBe(200);
    const slow = await rt.host.callService('TestCounter', 'flaky-1', 'Slow', { Ms: 3000 }, 300);
    expect(slow.code).toBe(6301);
  });

  const failures: Array<[string, (rt: Runtime) => Promise<void>]> = [
    ['throws', async (r) => void (await r.host.callService('TestCounter', 'flaky-1', 'Crash', {}))],
    ['exits', async (r) => void (await r.host.callService('TestCounter', 'flaky-1', 'Exit', {}))],
    ['hangs', async (r) => void (await r.host.callService('TestCounter', 'flaky-1', 'Hang', {}))],
    ['is killed with SIGKILL', async (r) => void process.kill(r.host.driver('Flaky_Test')!.pid!, 'SIGKILL')],
  ];

  it.each(failures)('restarts a driver that %s; its devices go offline meanwhile; the others never notice', async (_what, fail) => {
    const flaky = rt.host.driver('Flaky_Test')!;
    await waitFor(() => flaky.state === 'running');
    await waitFor(() => rt.registry.get('TestCounter', 'flaky-1')?.status === 'online');
    const pid = flaky.pid;
    const restarts = flaky.restarts;
    const statuses: string[] = [];
    rt.events.on('fail-test', 'device.status', ({ deviceName, status }) => {
      if (deviceName === 'flaky-1') statuses.push(status);
    });
    const before = steady.count();
    await fail(rt);
    await waitFor(() => flaky.restarts > restarts && flaky.state === 'running', 15_000);
    await waitFor(() => rt.registry.get('TestCounter', 'flaky-1')?.status === 'online');
    rt.events.removeAll('fail-test');
    expect(flaky.pid).not.toBe(pid);
    expect(statuses).toEqual(['offline', 'online']);
    expect(flaky.lastError).toBeTruthy();
    // Steady reports every 50 ms; it kept going (no gap near the restart time).
    expect(steady.count()).toBeGreaterThan(before + 5);
    expect(steady.gaps()).toBeLessThan(1000);
  });

  it('grows the backoff between consecutive restarts up to the cap', () => {
    const flaky = rt.host.driver('Flaky_Test')!;
    // After four quick failures the attempt counter is 4: next delay is 200 × 2^4 = 3200 capped at 1600,
    // jittered over its upper half (protocols/common/backoff.ts).
    const delays = Array.from({ length: 50 }, () => flaky.nextDelayMs());
    expect(Math.max(...delays)).toBeLessThanOrEqual(1600);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(800);
  });

  it('redeploy restarts only the driver whose config changed, and adds devices without restarting', async () => {
    const steadyPid = rt.host.driver('Steady_Test')!.pid;
    const flakyPid = rt.host.driver('Flaky_Test')!.pid;
    // Devices of Steady change (one added): no restart. Flaky's driver-level config changes: restart.
    const next = rt.config.drivers.map((d) => structuredClone(d));
    next[0]!.devices.push({ productKey: 'TestCounter', deviceName: 'steady-2', custom: { intervalMs: 100 } });
    next[1]!.config = { failDevice: 'none' };
    const diff = await rt.redeploy({ ...rt.config, drivers: next });
    expect(diff).toEqual({ added: [], removed: [], restarted: ['Flaky_Test'], devicesChanged: ['Steady_Test'] });
    await waitFor(() => rt.registry.get('TestCounter', 'steady-2')?.status === 'online');
    await waitFor(() => rt.registry.get('TestCounter', 'broken-1')?.status === 'online');
    expect(rt.host.driver('Steady_Test')!.pid).toBe(steadyPid);
    expect(rt.host.driver('Flaky_Test')!.pid).not.toBe(flakyPid);
  });

  it('refuses an invalid redeploy whole and keeps the running config', async () => {
    const before = JSON.stringify(rt.config.drivers);
    const pid = rt.host.driver('Steady_Test')!.pid;
    const bad = rt.config.drivers.map((d) => structuredClone(d));
    bad[0]!.devices.push({ productKey: 'NoSuchProduct', deviceName: 'x' });
    await expect(rt.redeploy({ ...rt.config, drivers: bad })).rejects.toThrow(/no thing model for product NoSuchProduct/);
    await expect(rt.redeploy('drivers: [ { name: "bad name!", devices: [] } ]')).rejects.toThrow(/drivers\/0\/name/);
    expect(JSON.stringify(rt.config.drivers)).toBe(before);
    expect(rt.host.driver('Steady_Test')!.pid).toBe(pid);
    const recent = rt.deployments.recent(3);
    expect(recent[0]!.ok).toBe(false);
  });

  it('drops out-of-range values at the boundary and keeps the shadow', async () => {
    const dropped: string[] = [];
    rt.events.on('drop-test', 'value.dropped', ({ key, reason }) => void dropped.push(`${key}:${reason}`));
    const r = rt.registry.acceptProperties('TestCounter', 'steady-1', { Counter: -5, Level: 4, Bogus: 1 }, 1234);
    rt.events.removeAll('drop-test');
    expect(r.count).toBe(1);
    expect(r.accepted).toEqual({ Level: { value: 4, time: 1234 } });
    expect(dropped).toEqual(['Counter:-5 below min 0', 'Bogus:not in thing model']);
    expect(rt.registry.get('TestCounter', 'steady-1')!.shadow.get('Level')).toEqual({ value: 4, time: 1234 });
  });
});

describe('driver host: drivers that cannot start', () => {
  it('a driver that never becomes ready does not block the box; health says degraded', async () => {
    const box = await startBox(`
drivers:
  - name: Stuck_Test
    module: ${MISBEHAVE}
    config: { startHang: true }
    devices: [ { productKey: TestCounter, deviceName: stuck-1 } ]
`);
    try {
      expect(box.runtime.phase).toBe('running');
      await observeFor(500); // the hang goes on: still starting, the box degraded, not failed
      expect(box.runtime.host.driver('Stuck_Test')!.state).toBe('starting');
      expect(box.runtime.health().status).toBe('degraded');
    } finally {
      await box.close();
    }
  });

  it('a missing driver package is retried with doubling delays and starts by itself once installed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pe-drv-'));
    const module = join(dir, 'index.ts');
    const box = await startBox(`
host: { restartBaseMs: 50, restartMaxMs: 400 }
drivers:
  - name: Late_Test
    module: ${module}
    devices: [ { productKey: TestCounter, deviceName: late-1 } ]
`);
    try {
      const proc = box.runtime.host.driver('Late_Test')!;
      expect(proc.state).toBe('failed');
      expect(proc.lastError).toMatch(/not found/);
      const planned: number[] = [];
      box.runtime.events.on('backoff-test', 'driver.restart', ({ driver, delayMs, reason }) => {
        if (driver === 'Late_Test') planned.push(delayMs);
        expect(reason).toMatch(/not found/);
      });
      await waitFor(() => planned.length >= 5, 10_000);
      box.runtime.events.removeAll('backoff-test');
      // The first plan (step 50 ms) was made before we listened; then steps 100, 200, 400 (cap), 400,
      // 400 — each delay between half and all of its step (protocols/common/backoff.ts).
      const steps = [100, 200, 400, 400, 400];
      planned.slice(0, 5).forEach((d, i) => {
        expect(d).toBeGreaterThanOrEqual(steps[i]! / 2);
        expect(d).toBeLessThanOrEqual(steps[i]!);
      });
      writeFileSync(module, `export { default } from ${JSON.stringify(MISBEHAVE)};\n`);
      // A device may report online while its driver is still adding the others: wait for both.
      await waitFor(() => box.runtime.registry.get('TestCounter', 'late-1')?.status === 'online' && proc.state === 'running', 10_000);
      expect(proc.restarts).toBeGreaterThanOrEqual(5);
    } finally {
      await box.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('disabling and enabling a device by redeploy', () => {
  it('a disabled device produces no data and is not routed; enabling it brings it back online', async () => {
    const box = await startBox(`
drivers:
  - name: Toggle_Test
    module: ${MISBEHAVE}
    devices:
      - { productKey: TestCounter, deviceName: tog-1, custom: { intervalMs: 50 } }
      - { productKey: TestCounter, deviceName: tog-2, custom: { intervalMs: 50 } }
`);
    try {
      const rt = box.runtime;
      await waitFor(() => rt.registry.get('TestCounter', 'tog-1')?.status === 'online');
      const off = structuredClone(rt.config.drivers);
      off[0]!.devices[0]!.disabled = true;
      await rt.redeploy({ ...rt.config, drivers: off });
      expect(rt.registry.get('TestCounter', 'tog-1')!.status).toBe('disabled');
      expect((await rt.host.callService('TestCounter', 'tog-1', 'Echo', { Text: 'x' })).code).toBe(6102);
      let reports = 0;
      rt.events.on('toggle-test', 'device.properties', ({ deviceName }) => void (deviceName === 'tog-1' && reports++));
      await observeFor(300); // quiet: a disabled device reports nothing
      expect(reports).toBe(0);
      const on = structuredClone(rt.config.drivers);
      delete on[0]!.devices[0]!.disabled;
      await rt.redeploy({ ...rt.config, drivers: on });
      await waitFor(() => rt.registry.get('TestCounter', 'tog-1')?.status === 'online');
      await waitFor(() => reports > 0);
      expect((await rt.host.callService('TestCounter', 'tog-1', 'Echo', { Text: 'x' })).code).toBe(200);
      rt.events.removeAll('toggle-test');
    } finally {
      await box.close();
    }
  });
});

describe('driver log files', () => {
  it('a driver logs to its own file, which rotates by size and keeps the configured number of old files', async () => {
    const box = await startBox(`
log: { driverFileMaxMb: 0.05, driverFileKeep: 2 }
drivers:
  - name: Chatty_Test
    module: ${MISBEHAVE}
    devices: [ { productKey: TestCounter, deviceName: chat-1, custom: { intervalMs: 1000 } } ]
`);
    try {
      const rt = box.runtime;
      await waitFor(() => rt.registry.get('TestCounter', 'chat-1')?.status === 'online');
      const file = rt.host.driver('Chatty_Test')!.logFile;
      for (let i = 0; i < 3; i++) expect(await rt.host.callService('TestCounter', 'chat-1', 'Chatter', {})).toMatchObject({ code: 200 });
      await waitFor(() => existsSync(`${file}.2`) && existsSync(`${file}.1`), 10_000);
      // The last chatter line (i 1999) has come through the pipe into the current file.
      await waitFor(() => [file, `${file}.1`].some((f) => existsSync(f) && readFileSync(f, 'utf8').includes('"i":1999')), 10_000);
      await waitFor(() => existsSync(`${file}.1`)); // not between two renames
      expect(existsSync(`${file}.3`)).toBe(false);
      // A file ends at the first line end past the limit, whatever the size of the pipe's chunks.
      for (const f of [`${file}.1`, `${file}.2`]) {
        expect(statSync(f).size).toBeLessThan(0.05 * 1024 * 1024 + 2_000);
        expect(readFileSync(f, 'utf8').endsWith('\n')).toBe(true);
      }
      // The lines are the driver's own pino lines, with its name bound.
      expect(readFileSync(`${file}.1`, 'utf8')).toMatch(/"driver":"Chatty_Test".*"msg":"chatter"/);
    } finally {
      await box.close();
    }
  });
});
