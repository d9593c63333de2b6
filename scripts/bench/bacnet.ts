/**
 * BACnetV3 benchmark (`npm run bench -- bacnet [devices] [points]`): 100 simulated devices ×
 * 200 points on loopback (127.0.1.x), the driver in its own process.
 *  1. read throughput, points/s, with ReadPropertyMultiple batching vs per-point ReadProperty
 *     (the baseline, same devices, same run), each saturated (report period 100 ms);
 *  2. COV latency: analog inputs change in the fleet, the time until the driver reports the
 *     value (its `reportProperties`, the hand-off to the host; the host → local-bus hop is not in it);
 *     while the other 19 000 points are polled every second;
 *  3. the driver process's CPU and RSS in each phase.
 * Last line: one JSON object.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChannelDef, PointDef } from '../../protocols/bacnet/point.js';

const here = dirname(fileURLToPath(import.meta.url));
const [DEVICES = 100, POINTS = 200] = process.argv.slice(2).map(Number);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function ask<T>(child: ChildProcess, msg: unknown, key: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: Record<string, unknown>): void => {
      if (key in m) {
        child.off('message', on);
        resolve(m as T);
      }
    };
    child.on('message', on);
    if (msg !== undefined) child.send(msg as object);
  });
}

interface Sample { values: number; covSeen: [number, number][]; cpuPct: number; rssMb: number }

function layout(basePort: number, covPerDevice: number, reportMs: number): { channels: ChannelDef[]; points: PointDef[]; devices: { name: string; points: Record<string, string> }[] } {
  const channels: ChannelDef[] = [];
  const points: PointDef[] = [];
  const devices: { name: string; points: Record<string, string> }[] = [];
  const types = [0, 1, 4, 19];
  for (let d = 0; d < DEVICES; d++) {
    const id = `c${d}`;
    channels.push({ id, transport: 'udp', nic: 'lo', deviceId: 10_000 + d, reportMs, offlineMs: reportMs * 100, mode: 'directed', maxApdu: 1476, address: `127.0.1.${1 + (d % 250)}:${basePort + d}` });
    const map: Record<string, string> = {};
    for (let i = 0; i < POINTS; i++) {
      const t = types[Math.floor((i * 4) / POINTS)]!;
      const cov = t === 0 && i < covPerDevice;
      const pid = `${d}-${i + 1}`;
      points.push({ channel: id, id: pid, objectType: t, instance: i + 1, property: 85, dataType: t === 4 ? 'bool' : t === 19 ? 'enum' : 'float', cov });
      map[`${cov ? 'cov' : 'v'}${i + 1}`] = pid;
    }
    devices.push({ name: `dev-${d}`, points: map });
  }
  return { channels, points, devices };
}

async function startDriver(config: Record<string, unknown>, l: ReturnType<typeof layout>): Promise<ChildProcess> {
  const child = fork(join(here, 'bacnet', 'driver-child.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await ask(child, { config: { ...config, channels: l.channels, points: l.points }, devices: l.devices }, 'started');
  return child;
}

async function throughput(basePort: number, readPropertyOnly: boolean): Promise<{ pointsPerS: number; cpuPct: number; rssMb: number }> {
  const l = layout(basePort, 0, 100);
  const child = await startDriver({ localPort: await freePort(), bindAddress: '127.0.0.1', readPropertyOnly, apduTimeoutMs: 3000, statsIntervalMs: 0 }, l);
  await sleep(2000); // warm-up: discovery, first cycles
  const a = await ask<Sample>(child, { cmd: 'sample' }, 'values');
  const t0 = Date.now();
  await sleep(6000);
  const b = await ask<Sample>(child, { cmd: 'sample' }, 'values');
  const secs = (Date.now() - t0) / 1000;
  child.send({ cmd: 'stop' });
  await new Promise((r) => child.once('exit', r));
  return { pointsPerS: (b.values - a.values) / secs, cpuPct: b.cpuPct, rssMb: b.rssMb };
}

async function main(): Promise<void> {
  const started = Date.now();
  const basePort = 20_000 + Math.floor(Math.random() * 20_000);
  const fleet = fork(join(here, 'bacnet', 'fleet.js'), [String(DEVICES), String(POINTS), String(basePort)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await ask(fleet, undefined, 'ready');
  process.stdout.write(`fleet: ${DEVICES} devices × ${POINTS} points on 127.0.1.x:${basePort}..${basePort + DEVICES - 1}\n`);

  const rp = await throughput(basePort, true);
  process.stdout.write(`ReadProperty per point (baseline): ${rp.pointsPerS.toFixed(0)} points/s, driver CPU ${rp.cpuPct.toFixed(0)} %, RSS ${rp.rssMb.toFixed(0)} MB\n`);
  const rpm = await throughput(basePort, false);
  process.stdout.write(`ReadPropertyMultiple batches:      ${rpm.pointsPerS.toFixed(0)} points/s, driver CPU ${rpm.cpuPct.toFixed(0)} %, RSS ${rpm.rssMb.toFixed(0)} MB\n`);
  const ratio = rpm.pointsPerS / Math.max(1, rp.pointsPerS);
  process.stdout.write(`ratio RPM / RP: ${ratio.toFixed(1)}× (goal ≥ 10×)\n`);

  // COV: 10 analog inputs per device subscribed, the rest polled every second.
  const l = layout(basePort, 10, 1000);
  const child = await startDriver({ localPort: await freePort(), bindAddress: '127.0.0.1', apduTimeoutMs: 3000, statsIntervalMs: 0, covLifetimeS: 120 }, l);
  await sleep(4000); // subscriptions and their initial notifications
  await ask<Sample>(child, { cmd: 'sample' }, 'values'); // drop what came before
  const { sent } = await ask<{ sent: [number, number][] }>(fleet, { cmd: 'cov', everyMs: 5, durationMs: 6000 }, 'sent');
  await sleep(1500);
  const s = await ask<Sample>(child, { cmd: 'sample' }, 'values');
  child.send({ cmd: 'stop' });
  fleet.send({ cmd: 'stop' });
  const seen = new Map(s.covSeen);
  const lat = sent.filter(([v]) => seen.has(v)).map(([v, t]) => seen.get(v)! - t).sort((a, b) => a - b);
  const pct = (p: number): number => lat[Math.min(lat.length - 1, Math.ceil(lat.length * p) - 1)] ?? NaN;
  process.stdout.write(`COV → driver report: ${lat.length}/${sent.length} changes seen, p50 ${pct(0.5).toFixed(1)} ms, p99 ${pct(0.99).toFixed(1)} ms (goal p99 ≤ 20 ms), driver CPU ${s.cpuPct.toFixed(0)} %, RSS ${s.rssMb.toFixed(0)} MB\n`);
  const result = {
    devices: DEVICES, points_per_device: POINTS,
    rpm_points_per_s: Math.round(rpm.pointsPerS), rp_points_per_s: Math.round(rp.pointsPerS), rpm_vs_rp_ratio: Number(ratio.toFixed(2)),
    cov_changes: sent.length, cov_seen: lat.length, cov_p50_ms: Number(pct(0.5).toFixed(2)), cov_p99_ms: Number(pct(0.99).toFixed(2)),
    driver_cpu_pct_rpm: Number(rpm.cpuPct.toFixed(1)), driver_rss_mb_rpm: Number(rpm.rssMb.toFixed(1)),
    driver_cpu_pct_cov: Number(s.cpuPct.toFixed(1)), driver_rss_mb_cov: Number(s.rssMb.toFixed(1)),
    duration_s: Math.round((Date.now() - started) / 1000),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

void main();
