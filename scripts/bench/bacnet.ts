/**
 * BACnetV3 benchmark, through the real daemon (`edge start`: the driver in its own child
 * process, values validated by the host against the thing model and published on the local
 * bus), against a fleet of simulated devices on loopback (127.0.1.x, one port each) in
 * `--sim-procs` processes:
 *  0. the fleet's own ceiling for per-point ReadProperty (a lean raw client), so the figures
 *     below show whether the simulator or the driver is the limit;
 *  1. read throughput, property values/s accepted by the host, with ReadPropertyMultiple
 *     batching vs per-point ReadProperty (the baseline: same devices, same run), each saturated
 *     (report period 100 ms), the two alternating for `--rounds` (the box is shared: outside
 *     load falls on both), and the daemon + driver CPU each accepted value cost;
 *  2. COV notification → local-bus latency: analog inputs change in the fleet, the bench is
 *     subscribed to the daemon's bus (mqtt.js, the user it wrote into the config) and takes the
 *     time from the change to the property-post message naming the new value; the other 19 000
 *     points are polled every second meanwhile;
 *  3. CPU and RSS of the daemon, the driver process and the fleet in each phase.
 *   npm run bench -- bacnet [--devices 100] [--points 200] [--sim-procs 2] [--seconds 5] [--rounds 2] [--prof dir]
 * BACNET_BENCH_DEBUG=1: the 20 slowest COV changes (value, ms into the window, latency) on stderr.
 * Last line: one JSON object.
 */
import type { ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { fleetCeiling } from './bacnet/ceiling.js';
import { startBenchDaemon, PRODUCT_KEY, type Layout } from './bacnet/daemon.js';
import { ask, fleetCpu, fleetRss, startFleet } from './bacnet/fleet-procs.js';
import { combine, driverUsPerValue, type Phase, phaseFields, phaseLine, startPhase, usPerValue } from './bacnet/phase.js';
import { percentile, printJsonLine, round, sleep } from './lib.js';

const { values: args } = parseArgs({
  options: {
    devices: { type: 'string', default: '100' },
    points: { type: 'string', default: '200' },
    'sim-procs': { type: 'string', default: '2' },
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '2' },
    prof: { type: 'string' },
  },
});
const ROUNDS = Math.max(1, Number(args.rounds));
const DEVICES = Number(args.devices);
const POINTS = Number(args.points);
const SIM_PROCS = Math.max(1, Math.min(DEVICES, Number(args['sim-procs'])));
const WINDOW_S = Number(args.seconds);
const prof = args.prof ? { dir: args.prof, ms: (3 + Number(args.seconds)) * 1000 } : undefined;
/** CLOCK_MONOTONIC in ms: one clock for every process on the box, so times compare across them. */
const now = (): number => Number(process.hrtime.bigint()) / 1e6;

/** One saturated read phase: a fresh daemon, a warm-up, then the window. */
async function throughput(l: Layout, fleet: ChildProcess[], readPropertyOnly: boolean): Promise<Phase> {
  const d = await startBenchDaemon(l, { readPropertyOnly }, prof);
  try {
    await sleep(3000); // discovery, first cycles, JIT
    const phase = await startPhase(d, fleet);
    const rss = { daemon: 0, driver: 0 };
    for (let s = 0; s < WINDOW_S; s++) {
      await sleep(1000);
      const u = d.usage();
      rss.daemon = Math.max(rss.daemon, u.daemonRssMb);
      rss.driver = Math.max(rss.driver, u.driverRssMb);
    }
    return await phase.end(rss);
  } finally {
    await d.stop();
  }
}

type CovPhase = Phase & { changes: number; seen: number; min: number; p50: number; p99: number; max: number };

/** The changes each fleet process made ([value, time]) against when the bus showed each value. */
function covLatencies(sent: [number, number][], seen: Map<number, number>): number[] {
  const lat = sent
    .filter(([v]) => seen.has(v))
    .map(([v, t]) => seen.get(v)! - t)
    .sort((a, b) => a - b);
  if (process.env.BACNET_BENCH_DEBUG) {
    const t0s = Math.min(...sent.map(([, t]) => t));
    const slowest = sent
      .filter(([v]) => seen.has(v))
      .map(([v, t]) => [v, Math.round(t - t0s), Number((seen.get(v)! - t).toFixed(1))])
      .sort((a, b) => b[2]! - a[2]!)
      .slice(0, 20);
    process.stderr.write(`${JSON.stringify(slowest)}\n`);
  }
  return lat;
}

/** COV: 10 analog inputs per device subscribed, the rest polled every second; latency to the bus. */
async function covToBus(l: Layout, fleet: ChildProcess[]): Promise<CovPhase> {
  const d = await startBenchDaemon(l, { covLifetimeS: 120 }, prof);
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${d.busPort}`, { ...d.bus, reconnectPeriod: 0 });
  try {
    const seen = new Map<number, number>();
    client.on('message', (_topic, payload) => {
      const t = now();
      const params = (JSON.parse(payload.toString()) as { params?: Record<string, unknown> }).params ?? {};
      for (const [k, v] of Object.entries(params)) {
        const x = typeof v === 'object' && v !== null ? (v as { value?: unknown }).value : v;
        if (k.startsWith('cov') && typeof x === 'number' && x >= 1_000_000 && !seen.has(x)) seen.set(x, t);
      }
    });
    await client.subscribeAsync(`/sys/${PRODUCT_KEY}/+/thing/event/property/post`);
    await sleep(4000); // subscriptions, their initial notifications, first poll cycles
    const phase = await startPhase(d, fleet);
    // 200 changes a second over the whole fleet.
    const cmd = { cmd: 'cov', everyMs: 5 * fleet.length, durationMs: WINDOW_S * 1000 };
    const runs = await Promise.all(fleet.map((p) => ask<{ sent: [number, number][] }>(p, cmd, 'sent')));
    await sleep(1000);
    const window = await phase.end();
    const sent = runs.flatMap((r) => r.sent);
    const lat = covLatencies(sent, seen);
    const [min, max] = [lat[0] ?? NaN, lat[lat.length - 1] ?? NaN];
    return { changes: sent.length, seen: lat.length, min, p50: percentile(lat, 50), p99: percentile(lat, 99), max, ...window };
  } finally {
    await client.endAsync();
    await d.stop();
  }
}

/** Throughput, ReadProperty and ReadPropertyMultiple alternating, so load from outside falls on both alike. */
async function readModes(layout: Layout, fleet: ChildProcess[]): Promise<{ rp: Phase; rpm: Phase }> {
  const rps: Phase[] = [];
  const rpms: Phase[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    rps.push(await throughput(layout, fleet, true));
    process.stdout.write(phaseLine(`  round ${r + 1} ReadProperty:`, rps[r]!));
    rpms.push(await throughput(layout, fleet, false));
    process.stdout.write(phaseLine(`  round ${r + 1} ReadPropertyMultiple:`, rpms[r]!));
  }
  const rp = combine(rps);
  const rpm = combine(rpms);
  process.stdout.write(phaseLine('ReadProperty per point (baseline):', rp));
  process.stdout.write(phaseLine('ReadPropertyMultiple batches:     ', rpm));
  return { rp, rpm };
}

/** The fleet's own ceiling for per-point ReadProperty, and the fleet's CPU meanwhile. */
async function ceilingOf(fleet: ChildProcess[], basePort: number): Promise<number> {
  const f0 = fleetCpu(fleet);
  const c0 = performance.now();
  const ceiling = await fleetCeiling(DEVICES, POINTS, basePort, 2);
  const ceilingCpu = ((fleetCpu(fleet) - f0) / ((performance.now() - c0) / 1000)) * 100;
  process.stdout.write(
    `fleet ceiling (lean raw client, per-point ReadProperty): ${Math.round(ceiling)} answers/s, fleet CPU ${ceilingCpu.toFixed(0)} %\n`,
  );
  return ceiling;
}

async function printFleetCounters(fleet: ChildProcess[]): Promise<void> {
  const counters = await Promise.all(fleet.map((p) => ask<{ counters: Record<string, number> }>(p, { cmd: 'counters' }, 'counters')));
  const sum = (k: string): number => counters.reduce((s, c) => s + (c.counters[k] ?? 0), 0);
  process.stdout.write(
    `fleet answered ${sum('rp')} ReadProperty and ${sum('rpm')} ReadPropertyMultiple (${sum('hits')} from its answer cache), sent ${sum('covSent')} COV notifications\n`,
  );
}

async function main(): Promise<void> {
  const started = Date.now();
  const basePort = 20_000 + Math.floor(Math.random() * 20_000);
  const fleet = await startFleet(DEVICES, POINTS, SIM_PROCS, basePort);
  try {
    process.stdout.write(
      `fleet: ${DEVICES} devices × ${POINTS} points in ${fleet.length} processes on 127.0.1.x:${basePort}..${basePort + DEVICES - 1}, fleet RSS ${fleetRss(fleet).toFixed(0)} MB\n`,
    );
    const ceiling = await ceilingOf(fleet, basePort);
    const layout: Layout = { devices: DEVICES, points: POINTS, basePort, covPerDevice: 0, reportMs: 100 };
    const { rp, rpm } = await readModes(layout, fleet);
    const ratio = rpm.valuesPerS / Math.max(1, rp.valuesPerS);
    const cpuRatio = usPerValue(rp) / usPerValue(rpm);
    const driverRatio = driverUsPerValue(rp) / driverUsPerValue(rpm);
    // Every point once per period: the most any mode can deliver (the period is at its 100 ms minimum).
    const demand = (DEVICES * POINTS * 1000) / layout.reportMs;
    process.stdout.write(
      `ratio RPM / RP: ${ratio.toFixed(1)}× values/s (goal ≥ 10×; RPM delivered ${((rpm.valuesPerS / demand) * 100).toFixed(0)} % of the ${demand} values/s the layout asks for, RP ${((rp.valuesPerS / demand) * 100).toFixed(0)} %)\n` +
        `  per value: ${cpuRatio.toFixed(1)}× less daemon + driver CPU, ${driverRatio.toFixed(1)}× less driver CPU (RP ${driverUsPerValue(rp).toFixed(1)} µs, RPM ${driverUsPerValue(rpm).toFixed(1)} µs)\n`,
    );
    const cov = await covToBus({ ...layout, covPerDevice: 10, reportMs: 1000 }, fleet);
    process.stdout.write(
      `COV change → local-bus message: ${cov.seen}/${cov.changes} changes seen, min ${cov.min.toFixed(2)} ms, p50 ${cov.p50.toFixed(1)} ms, p99 ${cov.p99.toFixed(1)} ms, max ${cov.max.toFixed(1)} ms (goal p99 ≤ 20 ms) while polling ${Math.round(cov.valuesPerS)} values/s\n`,
    );
    process.stdout.write(phaseLine('  during COV:', cov));
    await printFleetCounters(fleet);
    printJsonLine({
      bench: 'bacnet',
      devices: DEVICES,
      points_per_device: POINTS,
      sim_procs: fleet.length,
      fleet_ceiling_rp_per_s: Math.round(ceiling),
      rpm_values_per_s: Math.round(rpm.valuesPerS),
      rp_values_per_s: Math.round(rp.valuesPerS),
      rpm_vs_rp_ratio: round(ratio, 2),
      rounds: ROUNDS,
      demand_values_per_s: demand,
      rp_us_cpu_per_value: round(usPerValue(rp), 2),
      rpm_us_cpu_per_value: round(usPerValue(rpm), 2),
      rpm_vs_rp_cpu_per_value_ratio: round(cpuRatio, 2),
      rp_driver_us_cpu_per_value: round(driverUsPerValue(rp), 2),
      rpm_driver_us_cpu_per_value: round(driverUsPerValue(rpm), 2),
      rpm_vs_rp_driver_cpu_per_value_ratio: round(driverRatio, 2),
      ...phaseFields(rp, 'rp'),
      ...phaseFields(rpm, 'rpm'),
      cov_changes: cov.changes,
      cov_seen: cov.seen,
      cov_bus_p50_ms: round(cov.p50, 2),
      cov_bus_p99_ms: round(cov.p99, 2),
      cov_bus_max_ms: round(cov.max, 2),
      ...phaseFields(cov, 'cov'),
      duration_s: Math.round((Date.now() - started) / 1000),
    });
  } finally {
    for (const p of fleet) p.send({ cmd: 'stop' });
  }
  process.exit(0);
}

void main();
