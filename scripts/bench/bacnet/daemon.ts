/**
 * The real daemon (`edge start`) for the BACnet benchmark: a thing model for the fleet's
 * devices, the BACnetV3 driver with its tables file, the local bus on a free loopback port with
 * a bench user (credentials written into the config), logging at error level. Reads the
 * host's accepted-value counter, and CPU and RSS of the daemon and its driver process.
 * `--prof <dir>`: CPU profiles of the daemon and its driver process (profile-hook.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChannelDef, PointDef } from '../../../protocols/bacnet/point.js';
import { benchDir, childPids, cpuSeconds, launchWithConfig, propertyValues, rssMb } from '../lib.js';

export const PRODUCT_KEY = 'BACnetBench';
export const DRIVER = 'Bench_BACnetV3_EBA_Points';

export interface Layout {
  devices: number;
  points: number;
  basePort: number;
  /** Analog inputs 1..covPerDevice of each device are report-on-change (COV). */
  covPerDevice: number;
  reportMs: number;
}

const TYPES = [0, 1, 4, 19];
const typeOf = (i: number, points: number): number => TYPES[Math.floor((i * 4) / points)]!;
const propertyOf = (i: number, l: Layout): string => (typeOf(i, l.points) === 0 && i < l.covPerDevice ? `cov${i + 1}` : `v${i + 1}`);

function thingModel(l: Layout): unknown {
  const properties = Array.from({ length: l.points }, (_, i) => {
    const t = typeOf(i, l.points);
    const dataType =
      t === 4
        ? { type: 'bool', specs: { 0: 'off', 1: 'on' } }
        : t === 19
          ? { type: 'int', specs: { min: '0', max: '16' } }
          : { type: 'float', specs: { min: '-1000', max: '100000000' } };
    return { identifier: propertyOf(i, l), name: `point ${i + 1}`, accessMode: 'r', required: false, dataType };
  });
  return { profile: { productKey: PRODUCT_KEY }, properties, events: [], services: [] };
}

function tables(l: Layout): {
  channels: ChannelDef[];
  points: PointDef[];
  devices: { productKey: string; deviceName: string; custom: { points: Record<string, string> } }[];
} {
  const channels: ChannelDef[] = [];
  const points: PointDef[] = [];
  const devices: { productKey: string; deviceName: string; custom: { points: Record<string, string> } }[] = [];
  for (let d = 0; d < l.devices; d++) {
    const id = `c${d}`;
    channels.push({
      id,
      transport: 'udp',
      nic: 'lo',
      deviceId: 10_000 + d,
      reportMs: l.reportMs,
      offlineMs: Math.max(30_000, l.reportMs * 10),
      mode: 'directed',
      maxApdu: 1476,
      address: `127.0.1.${1 + (d % 250)}:${l.basePort + d}`,
    });
    const map: Record<string, string> = {};
    for (let i = 0; i < l.points; i++) {
      const t = typeOf(i, l.points);
      const prop = propertyOf(i, l);
      const pid = `${d}-${i + 1}`;
      points.push({
        channel: id,
        id: pid,
        objectType: t,
        instance: i + 1,
        property: 85,
        dataType: t === 4 ? 'bool' : t === 19 ? 'int' : 'float',
        cov: prop.startsWith('cov'),
      });
      map[prop] = pid;
    }
    devices.push({ productKey: PRODUCT_KEY, deviceName: `dev-${d}`, custom: { points: map } });
  }
  return { channels, points, devices };
}

export interface BenchDaemon {
  proc: ChildProcess;
  busPort: number;
  httpPort: number;
  bus: { username: string; password: string };
  driverPid(): number | undefined;
  /** Property values the host accepted, and dropped at the thing-model boundary, so far. */
  values(): Promise<{ accepted: number; dropped: number }>;
  usage(): { daemonCpuS: number; driverCpuS: number; daemonRssMb: number; driverRssMb: number };
  stop(): Promise<void>;
}

export async function startBenchDaemon(
  l: Layout,
  driverConfig: Record<string, unknown>,
  prof: { dir: string; ms: number } | undefined,
): Promise<BenchDaemon> {
  const dir = benchDir('bacnet');
  mkdirSync(join(dir, 'tsl'));
  writeFileSync(join(dir, 'tsl', `${PRODUCT_KEY}.json`), JSON.stringify(thingModel(l)));
  const t = tables(l);
  const tablesFile = join(dir, 'tables.json');
  writeFileSync(tablesFile, JSON.stringify({ format: 'eba-bacnet-v3/1', channels: t.channels, points: t.points }));
  const bus = { username: 'bench', password: randomBytes(12).toString('base64url') };
  const driver = {
    name: DRIVER,
    type: 'bacnet-v3',
    config: { tablesFile, localPort: 0, bindAddress: '127.0.0.1', apduTimeoutMs: 3000, statsIntervalMs: 0, ...driverConfig },
    devices: t.devices,
  };
  const box = {
    box: { name: 'bench', dataDir: './data' },
    log: { level: 'error', file: 'logs/edge.log' }, // logging off: the figures are about reading, not log I/O
    http: { host: '127.0.0.1', port: 0 },
    bus: { host: '127.0.0.1', port: 0, users: [bus] },
    thingModels: ['./tsl'],
    drivers: [driver],
  };
  const hook = join(dirname(fileURLToPath(import.meta.url)), 'profile-hook.js');
  const env = prof ? { ...process.env, NODE_OPTIONS: `--import=${hook}`, PROF_DIR: prof.dir, PROF_MS: String(prof.ms) } : process.env;
  const d = await launchWithConfig(dir, box, { env, stderr: 'inherit' });
  const { proc, httpPort, busPort } = d;
  const driverPid = (): number | undefined => childPids(proc.pid!)[0];
  const safe = (f: () => number): number => {
    try {
      return f();
    } catch {
      return NaN;
    }
  };
  return {
    proc,
    busPort,
    httpPort,
    bus,
    driverPid,
    values: () => propertyValues(httpPort),
    usage() {
      const k = driverPid();
      return {
        daemonCpuS: cpuSeconds(proc.pid!),
        driverCpuS: k ? safe(() => cpuSeconds(k)) : NaN,
        daemonRssMb: rssMb(proc.pid!),
        driverRssMb: k ? rssMb(k) : NaN,
      };
    },
    async stop() {
      await d.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
