/** The daemon as a real process: starts on a config file, answers /healthz, drains on SIGTERM and exits 0. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/runtime.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('daemon process', () => {
  it('starts, serves /healthz and /metrics, and on SIGTERM stops drivers, closes the store and exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pe-daemon-'));
    const cfg = join(dir, 'box.yaml');
    writeFileSync(
      cfg,
      `
box: { name: sigterm-box, dataDir: ./data }
http: { port: 0 }
bus: { port: 0 }
log: { file: logs/edge.log }
drivers:
  - name: Demo_Sim_EBA_Meter
    type: demo-sim
    config: { intervalMs: 100 }
    devices:
      - { productKey: PEDemoMeter, deviceName: m1, custom: { kind: meter } }
      - { productKey: PEDemoThermo, deviceName: t1, custom: { kind: thermostat } }
`,
    );
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'edge', 'main.ts'), 'start', '-c', cfg], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const url = await waitFor(() => /health: (http:\/\/\S+)\/healthz/.exec(out)?.[1], 20_000);
      const health = await waitFor(async () => {
        const h = (await (await fetch(`${url}/healthz`)).json()) as {
          status: string;
          devices: { online: number };
          drivers: { running: number };
        };
        // A driver's devices may report online a moment before the driver itself reports ready.
        return h.devices.online === 2 && h.drivers.running === 1 ? h : undefined;
      });
      expect(health.status).toBe('ok');
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(/edge_devices\{status="online"\} 2/);
      expect(metrics).toMatch(/edge_drivers\{state="running"\} 1/);
      await waitFor(async () => /edge_bus_published_total [1-9]/.test(await (await fetch(`${url}/metrics`)).text()));
      await waitFor(async () => /edge_property_values_total [1-9]/.test(await (await fetch(`${url}/metrics`)).text()));
      const log = () => readFileSync(join(dir, 'data', 'logs', 'edge.log'), 'utf8');
      const driverPid = Number(/"childPid":(\d+)/.exec(log())?.[1]);
      expect(alive(driverPid)).toBe(true);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(alive(driverPid)).toBe(false);
      expect(log()).toMatch(/"msg":"box stopped"/);
      // The database was closed cleanly: it opens and holds the start deployment.
      const db = new Database(join(dir, 'data', 'edge.db'), { readonly: true });
      expect((db.prepare('SELECT count(*) AS n FROM deployments WHERE ok = 1').get() as { n: number }).n).toBe(1);
      db.close();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
