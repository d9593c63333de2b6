/**
 * The gateway topology against a real mosquitto and the cloud stand-in: topo/get at connect,
 * topo/add of what the platform lacks, topo/delete of what the box attached and no longer
 * hosts (after a redeploy, and after a restart from what was persisted), never of a device
 * somebody else attached or one the platform deleted itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observeFor } from '../helpers/wait.js';
import type { BoxConfig } from '../../edge/config/schema.js';
import { createLogger, silentLogger } from '../../edge/log.js';
import type { Runtime } from '../../edge/runtime.js';
import { bootRuntime, waitFor } from '../helpers/runtime.js';
import { cloudYaml, DEMO_DRIVER, startRig, type CloudRig } from './helpers.js';

const ALL = ['PEDemoMeter/m1', 'PEDemoMeter/m2', 'PEDemoThermo/t1'];
const OTHER = 'PEDemoMeter/x9'; // attached by somebody else; the box does not host it

const boot = (dir: string, yaml: string): Runtime =>
  bootRuntime(dir, yaml, process.env.TOPO_DEBUG ? createLogger({ level: 'debug' }) : silentLogger());

function without(cfg: BoxConfig, ...keys: string[]): BoxConfig {
  return {
    ...cfg,
    drivers: cfg.drivers.map((d) => ({ ...d, devices: d.devices.filter((x) => !keys.includes(`${x.productKey}/${x.deviceName}`)) })),
  };
}

const deletedIn = (rig: CloudRig, device: string) => rig.cloud.topoDeletes.filter((d) => d.devices.includes(device));

describe('gateway topology (mosquitto + stand-in)', () => {
  let rig: CloudRig;
  let dir: string;
  let runtime: Runtime | undefined;

  beforeAll(async () => {
    rig = await startRig();
    dir = mkdtempSync(join(tmpdir(), 'pe-topo-'));
    rig.cloud.attachElsewhere('PEDemoMeter', 'x9');
    runtime = boot(dir, DEMO_DRIVER(200) + cloudYaml(rig.broker.url));
    await runtime.start();
  });

  afterAll(async () => {
    await runtime?.stop();
    await rig?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('asks the platform for its topology at connect and attaches only what is missing', async () => {
    await waitFor(() => rig.cloud.loggedIn.size === 3, 20_000);
    expect(rig.cloud.topoGets.length).toBeGreaterThanOrEqual(1);
    expect(rig.cloud.topoAdds.flat().sort()).toEqual(ALL);
    expect([...rig.cloud.topology].sort()).toEqual([...ALL, OTHER].sort());
    expect(rig.cloud.topoDeletes).toEqual([]);
  });

  it('logs out and detaches a device a redeploy removed, tracked by the reply', async () => {
    await runtime!.redeploy(without(runtime!.config, 'PEDemoMeter/m2'), 'test');
    await waitFor(() => !rig.cloud.topology.has('PEDemoMeter/m2'), 15_000);
    expect(deletedIn(rig, 'PEDemoMeter/m2')).toEqual([expect.objectContaining({ devices: ['PEDemoMeter/m2'], code: 200 })]);
    expect(rig.cloud.loggedIn.has('PEDemoMeter/m2')).toBe(false);
    expect(rig.cloud.topology.has(OTHER)).toBe(true);
    // The reply settled it: nothing left to detach, nothing re-sent.
    expect(runtime!.cloud!.status().loggedIn).toBe(2);
    await observeFor(500); // quiet: nothing re-sent
    expect(deletedIn(rig, 'PEDemoMeter/m2')).toHaveLength(1);
  });

  it('never detaches a device the platform deleted itself', async () => {
    rig.cloud.topoChange(1, [{ productKey: 'PEDemoThermo', deviceName: 't1' }]);
    await waitFor(() => runtime!.registry.get('PEDemoThermo', 't1')?.status === 'disabled', 15_000);
    await runtime!.redeploy(without(runtime!.config, 'PEDemoThermo/t1'), 'test');
    expect(runtime!.registry.get('PEDemoThermo', 't1')).toBeUndefined();
    await observeFor(1500); // quiet: no detach of a device the platform deleted
    expect(deletedIn(rig, 'PEDemoThermo/t1')).toEqual([]);
    expect(rig.cloud.topology.has(OTHER)).toBe(true);
  });

  it('re-attaches at reconnect what the platform lost, and detaches after a restart what it no longer hosts', async () => {
    // The platform loses m1's topology without telling the box (console while the box is down).
    await runtime!.stop();
    rig.cloud.topology.delete('PEDemoMeter/m1');
    rig.cloud.loggedIn.clear();
    const adds = rig.cloud.topoAdds.length;
    runtime = boot(dir, DEMO_DRIVER(200) + cloudYaml(rig.broker.url));
    await runtime.start();
    const rt = runtime;
    await waitFor(() => rt.cloud!.status().loggedIn === 2 && rig.cloud.loggedIn.has('PEDemoMeter/m1'), 20_000);
    // m1 (lost by the platform) and m2 (back in the original config) only: not x9, not the deleted t1.
    expect(rig.cloud.topoAdds.slice(adds).flat().sort()).toEqual(['PEDemoMeter/m1', 'PEDemoMeter/m2']);

    // Restart with m1 gone from the config: the persisted ownership makes the new process detach it.
    await runtime.stop();
    runtime = boot(dir, DEMO_DRIVER(200).replace(/.*deviceName: m1.*\n/, '') + cloudYaml(rig.broker.url));
    await runtime.start();
    await waitFor(() => !rig.cloud.topology.has('PEDemoMeter/m1'), 20_000);
    expect(deletedIn(rig, 'PEDemoMeter/m1').at(-1)?.code).toBe(200);
    expect(rig.cloud.topology.has(OTHER)).toBe(true);
    expect(deletedIn(rig, OTHER)).toEqual([]);
    // t1 (deleted by the platform earlier, back in this config) is blocked: not attached again.
    expect(rig.cloud.topology.has('PEDemoThermo/t1')).toBe(false);
  });
});
