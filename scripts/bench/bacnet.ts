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
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { fleetCeiling } from './bacnet/ceiling.js';
import { startBenchDaemon, PRODUCT_KEY, type Layout } from './bacnet/daemon.js';
import { cpuSeconds, percentile, round, ROOT, rssMb, sleep } from './lib.js';

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

async function startFleet(basePort: number): Promise<ChildProcess[]> {
  const per = Math.ceil(DEVICES / SIM_PROCS);
  const fleet: ChildProcess[] = [];
  for (let first = 0; first < DEVICES; first += per) {
    const p = fork(
      join(ROOT, 'dist', 'scripts', 'bench', 'bacnet', 'fleet.js'),
      [String(first), String(Math.min(per, DEVICES - first)), String(POINTS), String(basePort)],
      { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    );
    fleet.push(p);
  }
  await Promise.all(fleet.map((p) => ask(p, undefined, 'ready')));
  return fleet;
}

const fleetCpu = (fleet: ChildProcess[]): number => fleet.reduce((s, p) => s + cpuSeconds(p.pid!), 0);
const fleetRss = (fleet: ChildProcess[]): number => fleet.reduce((s, p) => s + rssMb(p.pid!), 0);

interface Phase {
  seconds: number;
  values: number;
  valuesPerS: number;
  dropped: number;
  daemonCpuPct: number;
  driverCpuPct: number;
  fleetCpuPct: number;
  daemonRssMb: number;
  driverRssMb: number;
}

/** One saturated read phase: a fresh daemon, a warm-up, then the window. */
async function throughput(l: Layout, fleet: ChildProcess[], readPropertyOnly: boolean): Promise<Phase> {
  const d = await startBenchDaemon(l, { readPropertyOnly }, prof);
  try {
    await sleep(3000); // discovery, first cycles, JIT
    const v0 = await d.values();
    const u0 = d.usage();
    const f0 = fleetCpu(fleet);
    const t0 = performance.now();
    let daemonRss = 0;
    let driverRss = 0;
    for (let s = 0; s < WINDOW_S; s++) {
      await sleep(1000);
      const u = d.usage();
      daemonRss = Math.max(daemonRss, u.daemonRssMb);
      driverRss = Math.max(driverRss, u.driverRssMb);
    }
    const secs = (performance.now() - t0) / 1000;
    const v1 = await d.values();
    const u1 = d.usage();
    const pct = (a: number, b: number): number => ((b - a) / secs) * 100;
    return {
      seconds: secs,
      values: v1.accepted - v0.accepted,
      valuesPerS: (v1.accepted - v0.accepted) / secs,
      dropped: v1.dropped - v0.dropped,
      daemonCpuPct: pct(u0.daemonCpuS, u1.daemonCpuS),
      driverCpuPct: pct(u0.driverCpuS, u1.driverCpuS),
      fleetCpuPct: pct(f0, fleetCpu(fleet)),
      daemonRssMb: daemonRss,
      driverRssMb: driverRss,
    };
  } finally {
    await d.stop();
  }
}

/** COV: 10 analog inputs per device subscribed, the rest polled every second; latency to the bus. */
async function covToBus(
  l: Layout,
  fleet: ChildProcess[],
): Promise<Phase & { changes: number; seen: number; min: number; p50: number; p99: number; max: number }> {
  const d = await startBenchDaemon(l, { covLifetimeS: 120 }, prof);
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${d.busPort}`, {
    username: d.bus.username,
    password: d.bus.password,
    reconnectPeriod: 0,
  });
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
    const v0 = await d.values();
    const u0 = d.usage();
    const f0 = fleetCpu(fleet);
    const t0 = performance.now();
    // 200 changes a second over the whole fleet.
    const runs = await Promise.all(
      fleet.map((p) =>
        ask<{ sent: [number, number][] }>(p, { cmd: 'cov', everyMs: 5 * fleet.length, durationMs: WINDOW_S * 1000 }, 'sent'),
      ),
    );
    await sleep(1000);
    const secs = (performance.now() - t0) / 1000;
    const u1 = d.usage();
    const v1 = await d.values();
    const sent = runs.flatMap((r) => r.sent);
    const lat = sent
      .filter(([v]) => seen.has(v))
      .map(([v, t]) => seen.get(v)! - t)
      .sort((a, b) => a - b);
    if (process.env.BACNET_BENCH_DEBUG) {
      const t0s = Math.min(...sent.map(([, t]) => t));
      process.stderr.write(
        `${JSON.stringify(
          sent
            .filter(([v]) => seen.has(v))
            .map(([v, t]) => [v, Math.round(t - t0s), Number((seen.get(v)! - t).toFixed(1))])
            .sort((a, b) => b[2]! - a[2]!)
            .slice(0, 20),
        )}\n`,
      );
    }
    const pct = (a: number, b: number): number => ((b - a) / secs) * 100;
    return {
      changes: sent.length,
      seen: lat.length,
      min: lat[0] ?? NaN,
      p50: percentile(lat, 50),
      p99: percentile(lat, 99),
      max: lat[lat.length - 1] ?? NaN,
      seconds: secs,
      values: v1.accepted - v0.accepted,
      valuesPerS: (v1.accepted - v0.accepted) / secs,
      dropped: v1.dropped - v0.dropped,
      daemonCpuPct: pct(u0.daemonCpuS, u1.daemonCpuS),
      driverCpuPct: pct(u0.driverCpuS, u1.driverCpuS),
      fleetCpuPct: pct(f0, fleetCpu(fleet)),
      daemonRssMb: u1.daemonRssMb,
      driverRssMb: u1.driverRssMb,
    };
  } finally {
    await client.endAsync();
    await d.stop();
  }
}

/** CPU microseconds the daemon and the driver (or the driver alone) spent per accepted value. */
const usPerValue = (p: Phase): number => (((p.daemonCpuPct + p.driverCpuPct) / 100) * 1e6) / Math.max(1, p.valuesPerS);
const driverUsPerValue = (p: Phase): number => ((p.driverCpuPct / 100) * 1e6) / Math.max(1, p.valuesPerS);

const line = (name: string, p: Phase): string =>
  `${name} ${Math.round(p.valuesPerS)} values/s accepted by the host (dropped ${p.dropped}); CPU daemon ${p.daemonCpuPct.toFixed(0)} %, driver ${p.driverCpuPct.toFixed(0)} %, fleet ${p.fleetCpuPct.toFixed(0)} % (${usPerValue(p).toFixed(1)} µs daemon + driver CPU per value); RSS daemon ${p.daemonRssMb.toFixed(0)} MB, driver ${p.driverRssMb.toFixed(0)} MB\n`;

/** Several windows of one mode as one: values over seconds, CPU weighted by time, RSS at its largest. */
function combine(ps: Phase[]): Phase {
  const secs = ps.reduce((s, p) => s + p.seconds, 0);
  const w = (k: 'daemonCpuPct' | 'driverCpuPct' | 'fleetCpuPct'): number => ps.reduce((s, p) => s + p[k] * p.seconds, 0) / secs;
  const values = ps.reduce((s, p) => s + p.values, 0);
  return {
    seconds: secs,
    values,
    valuesPerS: values / secs,
    dropped: ps.reduce((s, p) => s + p.dropped, 0),
    daemonCpuPct: w('daemonCpuPct'),
    driverCpuPct: w('driverCpuPct'),
    fleetCpuPct: w('fleetCpuPct'),
    daemonRssMb: Math.max(...ps.map((p) => p.daemonRssMb)),
    driverRssMb: Math.max(...ps.map((p) => p.driverRssMb)),
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const basePort = 20_000 + Math.floor(Math.random() * 20_000);
  const fleet = await startFleet(basePort);
  try {
    process.stdout.write(
      `fleet: ${DEVICES} devices × ${POINTS} points in ${fleet.length} processes on 127.0.1.x:${basePort}..${basePort + DEVICES - 1}, fleet RSS ${fleetRss(fleet).toFixed(0)} MB\n`,
    );
    const f0 = fleetCpu(fleet);
    const c0 = performance.now();
    const ceiling = await fleetCeiling(DEVICES, POINTS, basePort, 2);
    const ceilingCpu = ((fleetCpu(fleet) - f0) / ((performance.now() - c0) / 1000)) * 100;
    process.stdout.write(
      `fleet ceiling (lean raw client, per-point ReadProperty): ${Math.round(ceiling)} answers/s, fleet CPU ${ceilingCpu.toFixed(0)} %\n`,
    );

    const layout: Layout = { devices: DEVICES, points: POINTS, basePort, covPerDevice: 0, reportMs: 100 };
    // The modes alternate, so load from outside the benchmark falls on both alike.
    const rps: Phase[] = [];
    const rpms: Phase[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      rps.push(await throughput(layout, fleet, true));
      process.stdout.write(line(`  round ${r + 1} ReadProperty:`, rps[r]!));
      rpms.push(await throughput(layout, fleet, false));
      process.stdout.write(line(`  round ${r + 1} ReadPropertyMultiple:`, rpms[r]!));
    }
    const rp = combine(rps);
    const rpm = combine(rpms);
    process.stdout.write(line('ReadProperty per point (baseline):', rp));
    process.stdout.write(line('ReadPropertyMultiple batches:     ', rpm));
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
    process.stdout.write(line('  during COV:', cov));
    const counters = await Promise.all(fleet.map((p) => ask<{ counters: Record<string, number> }>(p, { cmd: 'counters' }, 'counters')));
    const sum = (k: string): number => counters.reduce((s, c) => s + (c.counters[k] ?? 0), 0);
    process.stdout.write(
      `fleet answered ${sum('rp')} ReadProperty and ${sum('rpm')} ReadPropertyMultiple (${sum('hits')} from its answer cache), sent ${sum('covSent')} COV notifications\n`,
    );
    const phase = (p: Phase, prefix: string): Record<string, number> => ({
      [`${prefix}_daemon_cpu_pct`]: round(p.daemonCpuPct),
      [`${prefix}_driver_cpu_pct`]: round(p.driverCpuPct),
      [`${prefix}_fleet_cpu_pct`]: round(p.fleetCpuPct),
      [`${prefix}_daemon_rss_mb`]: round(p.daemonRssMb),
      [`${prefix}_driver_rss_mb`]: round(p.driverRssMb),
    });
    process.stdout.write(
      `${JSON.stringify({
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
        ...phase(rp, 'rp'),
        ...phase(rpm, 'rpm'),
        cov_changes: cov.changes,
        cov_seen: cov.seen,
        cov_bus_p50_ms: round(cov.p50, 2),
        cov_bus_p99_ms: round(cov.p99, 2),
        cov_bus_max_ms: round(cov.max, 2),
        ...phase(cov, 'cov'),
        duration_s: Math.round((Date.now() - started) / 1000),
      })}\n`,
    );
  } finally {
    for (const p of fleet) p.send({ cmd: 'stop' });
  }
  process.exit(0);
}

void main();
