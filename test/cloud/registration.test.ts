/**
 * Dynamic registration of sub-devices (thing/sub/register) against a real mosquitto and the
 * cloud stand-in: a hosted device without a configured secret is registered, its secret is
 * stored (never logged) and used for topo/add and login; after a restart it is not registered
 * again; a device the platform does not know stays offline with one warning; the switch is
 * honoured.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observeFor } from '../helpers/wait.js';
import type { Runtime } from '../../edge/runtime.js';
import { bootRuntime, waitFor } from '../helpers/runtime.js';
import { cloudYaml, startRig, SUBS, type CloudRig } from './helpers.js';

const DRIVERS = `
drivers:
  - name: Demo_Sim_EBA_Meter
    type: demo-sim
    config: { intervalMs: 200 }
    devices:
      - { productKey: PEDemoMeter, deviceName: m1, custom: { kind: meter } }
      - { productKey: PEDemoThermo, deviceName: t1, custom: { kind: thermostat } }
      - { productKey: PEDemoMeter, deviceName: m9, custom: { kind: meter } }
`;
const T1 = SUBS.find((s) => s.deviceName === 't1')!;
const M1 = SUBS.find((s) => s.deviceName === 'm1')!;

function boot(dir: string, cloud: Record<string, unknown>, lines: string[]): Runtime {
  const sink = new Writable({
    write: (c: Buffer, _e, done) => {
      lines.push(c.toString());
      done();
    },
  });
  return bootRuntime(dir, `${DRIVERS}${cloudYaml(String(cloud.url), cloud)}`, pino({ level: 'info' }, sink));
}

describe('dynamic registration of sub-devices', () => {
  let rig: CloudRig;
  const dirs: string[] = [];
  let runtime: Runtime | undefined;

  beforeAll(async () => {
    rig = await startRig();
  });
  afterAll(async () => {
    await runtime?.stop();
    await rig?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('registers a device without a configured secret, stores the secret, logs it in, and does not register it again after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pe-reg-'));
    dirs.push(dir);
    const lines: string[] = [];
    const cloud = { url: rig.broker.url, subDevices: [M1] };
    runtime = boot(dir, cloud, lines);
    await runtime.start();
    await waitFor(() => rig.cloud.loggedIn.has('PEDemoThermo/t1') && rig.cloud.loggedIn.has('PEDemoMeter/m1'), 20_000);
    expect(rig.cloud.registrations.flat()).toEqual(expect.arrayContaining(['PEDemoThermo/t1', 'PEDemoMeter/m9']));
    expect(rig.cloud.registrations.flat()).not.toContain('PEDemoMeter/m1'); // configured: never registered
    expect(rig.cloud.topology.has('PEDemoThermo/t1')).toBe(true); // topo/add signed with the registered secret
    await waitFor(() => rig.cloud.postsOf('PEDemoThermo', 't1').length > 0, 20_000);
    const stored = runtime.db.prepare("SELECT secret FROM cloud_subdevice_secrets WHERE device = 'PEDemoThermo/t1'").pluck().get();
    expect(stored).toBe(T1.deviceSecret);
    // The platform does not know m9: no secret, one warning, no login.
    expect(rig.cloud.loggedIn.has('PEDemoMeter/m9')).toBe(false);
    expect(lines.filter((l) => l.includes('dynamic registration of sub-devices failed') && l.includes('PEDemoMeter/m9'))).toHaveLength(1);
    expect(lines.join('')).not.toContain(T1.deviceSecret);

    await runtime.stop();
    rig.cloud.loggedIn.clear();
    const before = rig.cloud.registrations.flat().filter((k) => k === 'PEDemoThermo/t1').length;
    runtime = boot(dir, cloud, lines);
    await runtime.start();
    await waitFor(() => rig.cloud.loggedIn.has('PEDemoThermo/t1'), 20_000);
    // m9 is asked again at this connect: let that round finish before stopping (a stray request must not land in the next test).
    await waitFor(() => rig.cloud.registrations.flat().filter((k) => k === 'PEDemoMeter/m9').length >= 2, 20_000);
    await waitFor(() => rig.cloud.loggedIn.has('PEDemoMeter/m1'), 20_000);
    expect(rig.cloud.registrations.flat().filter((k) => k === 'PEDemoThermo/t1')).toHaveLength(before); // the stored secret is used
    expect(lines.join('')).not.toContain(T1.deviceSecret);
    await runtime.stop();
    runtime = undefined;
  });

  it('registers nothing when dynamic registration is off', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pe-reg-off-'));
    dirs.push(dir);
    const lines: string[] = [];
    rig.cloud.loggedIn.clear();
    await observeFor(300); // quiet: nothing of the previous box still in flight
    const count = rig.cloud.registrations.length;
    runtime = boot(dir, { url: rig.broker.url, subDevices: [M1], dynamicRegister: false }, lines);
    await runtime.start();
    await waitFor(() => rig.cloud.loggedIn.has('PEDemoMeter/m1'), 20_000);
    await observeFor(500); // quiet: no registration attempted
    expect(rig.cloud.registrations).toHaveLength(count);
    expect(rig.cloud.loggedIn.has('PEDemoThermo/t1')).toBe(false);
    expect(lines.some((l) => l.includes('no deviceSecret for sub-device') && l.includes('PEDemoThermo/t1'))).toBe(true);
  });
});
