/**
 * A redeployed `apps:` list applies to the running box: a new app starts, a removed one stops, a
 * changed one (its env here) restarts with the change, an unchanged one runs on in the same
 * process; the listener registry follows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startBox, waitFor, type TestBox } from '../helpers/runtime.js';
import { writeApp } from './helpers.js';

describe('apps on redeploy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pe-apps-redeploy-'));
  const ports: Record<string, number> = {};
  let box: TestBox;
  const entry = (name: string, env: Record<string, string> = {}) => ({ name, path: join(dir, name), env });
  const pidOf = (name: string) => box.runtime.apps?.get(name)?.process.status().pid;
  const running = (name: string) => box.runtime.apps?.get(name)?.process.state === 'running';
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  beforeAll(async () => {
    for (const name of ['keep', 'change', 'drop', 'add']) {
      ports[name] = await freePort();
      writeApp(dir, { name, fixture: 'serve', provides: [{ serviceModelId: `model_${name}`, port: ports[name]! }] });
    }
    const apps = ['keep', 'change', 'drop'].map((n) => `  - { name: ${n}, path: ${join(dir, n)} }`).join('\n');
    box = await startBox(
      `apps:\n${apps}\nappHost: { serviceBus: { port: 0 }, probeIntervalMs: 100, upAfterMs: 200 }\ndataModel: { port: 0 }\n`,
    );
    await waitFor(() => ['keep', 'change', 'drop'].every(running), { what: 'three apps running' });
  }, 60_000);

  afterAll(async () => {
    await box?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts the new app, stops the removed one, restarts the changed one and leaves the unchanged one running', async () => {
    const before = { keep: pidOf('keep')!, change: pidOf('change')!, drop: pidOf('drop')! };
    await box.runtime.redeploy({ ...box.runtime.config, apps: [entry('keep'), entry('change', { COLOUR: 'blue' }), entry('add')] });
    await waitFor(() => running('add') && running('change'), { what: 'the new and the changed app running' });
    expect(pidOf('keep')).toBe(before.keep);
    expect(pidOf('change')).not.toBe(before.change);
    expect(alive(before.change)).toBe(false);
    expect(box.runtime.apps?.get('drop')).toBeUndefined();
    expect(alive(before.drop)).toBe(false);
    // The changed app has its new environment: asked through the service bus.
    const r = await fetch(`http://127.0.0.1:${box.runtime.apps!.bus.port}/model_change/env`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ id: '1', version: '1.0', request: { apiVer: '1.0' }, params: {} }),
    });
    expect(((await r.json()) as { data: Record<string, string> }).data.COLOUR).toBe('blue');
    const appPorts = box.runtime
      .listeners()
      .filter((l) => l.protocol === 'http-app')
      .map((l) => l.port)
      .sort();
    expect(appPorts).toEqual([ports.keep, ports.change, ports.add].sort());
  });

  it('a redeploy that leaves the list as it is restarts nothing', async () => {
    const pids = ['keep', 'change', 'add'].map(pidOf);
    await box.runtime.redeploy({ ...box.runtime.config });
    expect(['keep', 'change', 'add'].map(pidOf)).toEqual(pids);
  });
});
