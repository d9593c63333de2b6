/** A mosquitto with the platform's password rule for the gateway, plus the cloud stand-in. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import { Mosquitto } from '../../scripts/sim/cloud/broker.js';
import { CloudStandIn, type Identity, type Post } from '../../scripts/sim/cloud/stand-in.js';
import { gatewayPassword } from '../../scripts/sim/cloud/verify.js';

export const SIGN_TS = 2524608000000; // the Link SDK's fixed signing timestamp
export const GATEWAY: Identity = { productKey: 'PEGateway', deviceName: 'box-01', deviceSecret: 'gw-secret-0123456789' };
export const SUBS: Identity[] = [
  { productKey: 'PEDemoMeter', deviceName: 'm1', deviceSecret: 'm1-secret-abcdef' },
  { productKey: 'PEDemoMeter', deviceName: 'm2', deviceSecret: 'm2-secret-abcdef' },
  { productKey: 'PEDemoThermo', deviceName: 't1', deviceSecret: 't1-secret-abcdef' },
];
const ROOT = resolve(import.meta.dirname, '..', '..');
const CLOUD_USER = { username: 'cloud', password: 'cloud-password-1' };

export interface CloudRig {
  broker: Mosquitto;
  cloud: CloudStandIn;
  dir: string;
  close(): Promise<void>;
}

/** Broker that only admits the gateway with a correct signature, and the stand-in (which knows `subDevices`). */
export async function startRig(subDevices: Identity[] = SUBS): Promise<CloudRig> {
  const dir = mkdtempSync(join(tmpdir(), 'pe-cloud-'));
  const gw = gatewayPassword(GATEWAY, `${GATEWAY.productKey}.${GATEWAY.deviceName}`, SIGN_TS);
  const broker = new Mosquitto({ dir, users: { [gw.username]: gw.password, [CLOUD_USER.username]: CLOUD_USER.password } });
  await broker.start();
  const cloud = new CloudStandIn({
    url: broker.url,
    ...CLOUD_USER,
    gateway: GATEWAY,
    subDevices,
    clientId: `stand-in-${process.pid}-${Date.now()}`,
  });
  await cloud.start();
  return {
    broker,
    cloud,
    dir,
    async close() {
      await cloud.stop().catch(() => undefined);
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The `cloud` section of a box config for this rig (YAML flow style). */
export function cloudYaml(url: string, overrides: Record<string, unknown> = {}): string {
  const section = {
    productKey: GATEWAY.productKey,
    deviceName: GATEWAY.deviceName,
    deviceSecret: GATEWAY.deviceSecret,
    url,
    signTimestamp: SIGN_TS,
    keepaliveS: 30,
    reconnectMinMs: 200,
    reconnectMaxMs: 2000,
    replyTimeoutMs: 3000,
    subDevices: SUBS,
    ...overrides,
  };
  return `cloud: ${JSON.stringify(section)}\n`;
}

export const DEMO_DRIVER = (intervalMs: number) => `
drivers:
  - name: Demo_Sim_EBA_Meter
    type: demo-sim
    config: { intervalMs: ${intervalMs} }
    devices:
      - { productKey: PEDemoMeter, deviceName: m1, custom: { kind: meter } }
      - { productKey: PEDemoMeter, deviceName: m2, custom: { kind: meter } }
      - { productKey: PEDemoThermo, deviceName: t1, custom: { kind: thermostat } }
`;

export interface Daemon {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

/**
 * `edge start` as its own process; `wrap` runs it under another command (e.g. `unshare`).
 * `built` runs dist/ (needs `npm run build`): tests that restart the daemon often save tsx's
 * start-up compile each time.
 */
export function startDaemon(configFile: string, cwd: string, wrap: string[] = [], built = false): Daemon {
  const main = built
    ? ['--enable-source-maps', join(ROOT, 'dist', 'edge', 'main.js')]
    : ['--import', import.meta.resolve('tsx'), join(ROOT, 'edge', 'main.ts')];
  const cmd = [process.execPath, ...main, 'start', '-c', configFile];
  const argv = [...wrap, ...cmd];
  const child = spawn(argv[0]!, argv.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-20_000)));
  child.stderr!.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-20_000)));
  return { child, out: () => out, exited: new Promise((r) => child.on('exit', (c) => r(c))) };
}

/** Demo devices reporting every 100 ms to this rig; the daemon logs to a file unless `logFile` is false (stdout). */
export function writeConfig(dir: string, url: string, logFile = true): string {
  const file = join(dir, 'box.yaml');
  writeFileSync(
    file,
    `box: { name: cloud-box, dataDir: ./data }\nhttp: { port: 0 }\nbus: { port: 0 }\n${logFile ? 'log: { file: logs/edge.log }\n' : ''}${DEMO_DRIVER(100)}${cloudYaml(url)}`,
  );
  return file;
}

/** Per device: ids unique-ordered, gap-free from 1; duplicates identical to their first copy. */
export function checkDelivery(posts: Post[]): { devices: number; unique: number; duplicates: number } {
  const byDevice = new Map<string, Post[]>();
  for (const p of posts) byDevice.set(p.device, [...(byDevice.get(p.device) ?? []), p]);
  let unique = 0;
  let duplicates = 0;
  for (const [device, list] of byDevice) {
    const first = new Map<number, Post>();
    let last = 0;
    for (const p of list) {
      const id = Number(p.id);
      const seen = first.get(id);
      if (seen) {
        duplicates++;
        expect(JSON.stringify(p.body), `duplicate ${device}#${id} differs`).toBe(JSON.stringify(seen.body));
        continue;
      }
      // In order: a new id is always the next one of this device.
      expect(id, `${device}: id after ${last}`).toBe(last + 1);
      last = id;
      first.set(id, p);
    }
    unique += first.size;
  }
  return { devices: byDevice.size, unique, duplicates };
}

export async function metric(url: string, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}
