/**
 * `edge discover onvif` (edge/cli/discover.ts with discover-onvif.ts, on protocols/onvif/discovery.ts): a unicast
 * probe to the camera simulator over loopback, and a multicast probe to 239.255.255.250:3702 —
 * only inside a network namespace this test creates (`unshare -n`: its own loopback with
 * multicast on and a route for 224.0.0.0/4), never on a real interface.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnvifCameraSim } from '../../scripts/sim/onvif/camera.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const DIST = (p: string) => pathToFileURL(resolve(ROOT, 'dist', p)).href;

function run(cmd: string, args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b));
    child.stderr.on('data', (b: Buffer) => (err += b));
    child.on('close', (code) => done({ code, out, err }));
  });
}

let sim: OnvifCameraSim;
beforeAll(async () => {
  sim = new OnvifCameraSim({ rtspPort: null });
  await sim.start();
});
afterAll(async () => {
  await sim?.close();
});

describe('edge discover onvif', () => {
  it('lists the camera that answers a unicast probe', async () => {
    const r = await run(process.execPath, [
      resolve(ROOT, 'dist/edge/main.js'),
      'discover',
      'onvif',
      '--target',
      `127.0.0.1:${sim.discoveryPort}`,
      '--wait',
      '300',
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject([
      { urn: sim.urn, ip: '127.0.0.1', port: sim.httpPort, name: 'Uniview-SIM', hardware: 'IPC-SIM-2K' },
    ]);
    const text = await run(process.execPath, [
      resolve(ROOT, 'dist/edge/main.js'),
      'discover',
      'onvif',
      '--target',
      '127.0.0.1:9',
      '--wait',
      '200',
    ]);
    expect(text.out).toBe('no ONVIF camera answered\n');
  }, 30_000);

  it('finds a camera by multicast inside a network namespace of its own', async () => {
    const code = `
      const { OnvifCameraSim } = await import(${JSON.stringify(DIST('scripts/sim/onvif/camera.js'))});
      const { discoverCommand } = await import(${JSON.stringify(DIST('edge/cli/discover.js'))});
      const sim = new OnvifCameraSim({ multicast: true, discoveryPort: 3702, rtspPort: null });
      await sim.start();
      const rc = await discoverCommand(['onvif', '--interface', '127.0.0.1', '--wait', '500', '--json']);
      console.error(JSON.stringify({ urn: sim.urn }));
      await sim.close();
      process.exitCode = rc;`;
    const setup =
      'ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo && exec "$0" --input-type=module -e "$1"';
    const r = await run('unshare', ['-n', 'sh', '-c', setup, process.execPath, code]);
    expect(r.code, r.err).toBe(0);
    const { urn } = JSON.parse(r.err.trim().split('\n').at(-1)!) as { urn: string };
    expect(JSON.parse(r.out)).toMatchObject([{ urn, ip: '127.0.0.1', from: expect.stringMatching(/^127\.0\.0\.1:3702$/) }]);
  }, 30_000);
});
