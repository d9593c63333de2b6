/**
 * EBA-scale ModbusV3 benchmark: 1 000 simulated devices × 200 points at 1 s sampling
 * (seed 001 L11607-11617: 1 000 devices × 200 points, 10 000 point reports a minute) through
 * the real daemon (`edge start`, the driver in its own process, values validated against the
 * thing model and published on the local bus). Same run: (a) a naive poller, one
 * modbus-serial request per point; (b) the simulator's own maximum request rate; and EMQX
 * Neuron's published scenario (500 devices × 30 tags every 0.5 s) on the same harness; then the
 * naive poller and the daemon again with every simulated device taking 2-5 ms per request.
 *
 *   npm run bench -- modbus [--seconds 30]
 * Last line: one JSON object.
 */
import { createRequire } from 'node:module';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ModbusClient } from '../../protocols/modbus/client.js';
import { readRequest } from '../../protocols/modbus/frames.js';
import { layoutPoint, registersFor } from '../sim/modbus/layout.js';
import {
  benchDir,
  childPids,
  freePort,
  heapSummary,
  launchWithConfig,
  measureBox,
  metricValue,
  printJsonLine,
  rssMb,
  scrapeMetrics,
  sleep,
} from './lib.js';
import { DRIVER, startModbusSim, UNITS_PER_PORT, writeModbusBox } from './modbus/scenario.js';

const ModbusRTU = createRequire(import.meta.url)('modbus-serial') as typeof import('modbus-serial').default;
/** Per-request device time for the realistic comparison, ms. */
const LATENCY = '2-5';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    'hold-s': { type: 'string', default: '0' },
    devices: { type: 'string', default: '1000' },
    points: { type: 'string', default: '200' },
  },
});
const MEASURE_S = Number(args.seconds);
/** The scenario (1 000 × 200 the EBA box's; smaller to try the bench out). */
const DEVICES = Number(args.devices);
const POINTS = Number(args.points);
/** Units answering on each simulator port (fewer than a port holds when the scenario is small). */
const UNITS = Math.min(UNITS_PER_PORT, DEVICES);
/** Keep the main run's daemon up this long after measuring (pids printed): time for heap snapshots. */
const HOLD_S = Number(args['hold-s']);

/** (b) The simulator's limit: pipelined 125-register reads from 8 connections. */
async function simulatorMax(ports: number[], seconds: number): Promise<{ requests_per_s: number; registers_per_s: number }> {
  const clients = await Promise.all(
    ports.map(async (port) => {
      const c = new ModbusClient({ maxInFlight: 32, timeoutMs: 5000 });
      await c.connectTcp('127.0.0.1', port);
      return c;
    }),
  );
  let done = 0;
  let running = true;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    clients.flatMap((c) =>
      Array.from({ length: 32 }, async (_, k) => {
        while (running && Date.now() < until) {
          await c.request(1 + ((k * 7 + done) % UNITS), readRequest(3, 0, 125));
          done++;
        }
      }),
    ),
  );
  running = false;
  for (const c of clients) c.close();
  return { requests_per_s: done / seconds, registers_per_s: (done * 125) / seconds };
}

/** (a) Naive: modbus-serial, one request per point, one connection per port (the 8 ports in parallel), each waiting for its answer. */
async function naive(ports: number[], points: number, seconds: number): Promise<number> {
  let values = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    ports.map(async (port) => {
      const c = new ModbusRTU();
      await c.connectTCP('127.0.0.1', { port });
      c.setTimeout(2000);
      for (let unit = 1; Date.now() < until; unit = (unit % UNITS) + 1) {
        c.setID(unit);
        for (let i = 0; i < points && Date.now() < until; i++) {
          const p = layoutPoint(i);
          await c.readHoldingRegisters(p.address, p.dataType === 'float' || p.dataType === 'uint32' ? 2 : 1);
          values++;
        }
      }
      c.close(() => undefined);
    }),
  );
  return values / seconds;
}

interface DaemonRun {
  values_per_s: number;
  driver_values_per_s: number;
  p99_start_lateness_ms: number;
  p99_cycle_ms: number;
  cpu_cores: number;
  rss_mb: number;
  /** Peak RSS of the daemon process alone and of its driver process(es). */
  daemon_rss_mb: number;
  driver_rss_mb: number;
  online: number;
  overruns: number;
  failures: number;
  perProcess: string;
  /** V8 heap and external memory of each process, for reading the RSS. */
  heaps: string;
}

/** The driver's own figures (its stats file, written every second). */
function statsReader(dir: string): () => Record<string, number> {
  const file = join(dir, 'data', 'drivers', DRIVER, 'stats.json');
  return () => {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
    } catch {
      return {};
    }
  };
}

/** Keep a daemon up for heap snapshots (`--hold-s`). */
async function hold(pid: number, drivers: number[]): Promise<void> {
  process.stdout.write(
    `holding ${HOLD_S} s: daemon pid ${pid}, driver pid(s) ${drivers.join(' ')} (run with NODE_OPTIONS=--heapsnapshot-signal=SIGUSR2, then kill -USR2 <pid> writes a heap snapshot into its cwd)\n`,
  );
  await sleep(HOLD_S * 1000);
}

/** Run the real daemon against the simulator with `devices × points` at `periodMs`. */
async function daemon(
  ports: number[],
  devices: number,
  points: number,
  periodMs: number,
  warmS: number,
  measureS: number,
): Promise<DaemonRun> {
  const dir = benchDir('modbus');
  const driver = writeModbusBox(dir, { ports, devices, points, periodMs });
  const box = {
    box: { name: 'bench', dataDir: './data' },
    log: { level: 'error' }, // logging off: the figure is about polling, not log I/O
    http: { host: '127.0.0.1', port: await freePort() },
    bus: { host: '127.0.0.1', port: await freePort() },
    thingModels: ['./tsl'],
    // Holding for heap snapshots: writing one stops the driver for seconds; the host must not call it hung.
    ...(HOLD_S > 0 ? { host: { hangTimeoutMs: 600_000 } } : {}),
    drivers: [driver],
  };
  const d = await launchWithConfig(dir, box, { stderr: 'inherit' });
  const readStats = statsReader(dir);
  const accepted = async (): Promise<number> => metricValue(await scrapeMetrics(d.httpPort), 'edge_property_values_total');
  await sleep(warmS * 1000);
  const pids = [d.pid, ...childPids(d.pid)];
  const v0 = await accepted();
  const s0 = readStats();
  let p99Start = 0;
  let p99Cycle = 0;
  const w = await measureBox(d.pid, measureS, () => {
    const s = readStats();
    p99Start = Math.max(p99Start, s.p99_start_lateness_ms ?? 0);
    p99Cycle = Math.max(p99Cycle, s.p99_cycle_ms ?? 0);
  });
  const perProcess = pids.map((p) => `${p === d.pid ? 'daemon' : 'driver'} ${Math.round(rssMb(p))} MB`).join(', ');
  // Where the memory is: V8 heap used/total and external (buffers) of each process.
  const driverMemory = (readStats() as unknown as { memory?: Record<string, number> }).memory ?? {};
  const heaps = `daemon ${heapSummary(await scrapeMetrics(d.httpPort))}; driver heap ${driverMemory.heap_used_mb ?? '?'}/${driverMemory.heap_total_mb ?? '?'} MB, external ${driverMemory.external_mb ?? '?'} MB`;
  const v1 = await accepted();
  const s1 = readStats();
  if (HOLD_S > 0 && devices * points >= 200_000) await hold(d.pid, pids.slice(1));
  await d.stop();
  rmSync(dir, { recursive: true, force: true });
  return {
    values_per_s: Math.round((v1 - v0) / w.seconds),
    driver_values_per_s: Math.round(((s1.values ?? 0) - (s0.values ?? 0)) / w.seconds),
    p99_start_lateness_ms: p99Start,
    p99_cycle_ms: p99Cycle,
    cpu_cores: Number((w.daemonCores + w.driverCores).toFixed(2)),
    rss_mb: Math.round(w.rssMb),
    daemon_rss_mb: Math.round(w.daemonRssMb),
    driver_rss_mb: Math.round(w.driverRssMb),
    online: s1.online ?? 0,
    overruns: (s1.overruns ?? 0) - (s0.overruns ?? 0),
    failures: (s1.failures ?? 0) - (s0.failures ?? 0),
    perProcess,
    heaps,
  };
}

function printMain(main: DaemonRun, naiveRate: number, simRate: number): void {
  process.stdout.write(
    `daemon: ${main.values_per_s} values/s accepted by the host (driver read ${main.driver_values_per_s}/s), target ${DEVICES * POINTS}/s\n` +
      `  p99 poll start lateness ${main.p99_start_lateness_ms} ms, p99 cycle completion ${main.p99_cycle_ms} ms, overruns ${main.overruns}, failures ${main.failures}\n` +
      `  CPU ${main.cpu_cores} cores (daemon + driver process), RSS ${main.rss_mb} MB (${main.perProcess}), devices online ${main.online}, ~${Math.round(simRate)} requests/s to the simulator\n` +
      `  ${main.heaps}\n` +
      `  ratio vs naive: ${(main.values_per_s / naiveRate).toFixed(1)}×; vs the seed's 10 000 reports/min (167/s): ${Math.round(main.values_per_s / (10_000 / 60))}×\n`,
  );
}

/**
 * Loopback answers in ~0 ms flatter the naive poller: real devices and RS-485 gateways take a few
 * ms per request. The same comparison with every device taking 2-5 ms per request.
 */
async function withLatency(): Promise<{ naiveSlow: number; lat: DaemonRun }> {
  const slow = await startModbusSim(DEVICES, POINTS, LATENCY);
  try {
    const naiveSlow = await naive(slow.ports, POINTS, 4);
    const lat = await daemon(slow.ports, DEVICES, POINTS, 1000, 8, Math.min(8, MEASURE_S));
    process.stdout.write(
      `with ${LATENCY} ms per request per device: naive ${Math.round(naiveSlow)} points/s, daemon ${lat.values_per_s} values/s ` +
        `(p99 cycle ${lat.p99_cycle_ms} ms, CPU ${lat.cpu_cores} cores, RSS ${lat.rss_mb} MB): ratio vs naive ${(lat.values_per_s / naiveSlow).toFixed(1)}×\n`,
    );
    return { naiveSlow, lat };
  } finally {
    slow.proc.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  process.stdout.write(
    `modbus bench: ${DEVICES} devices × ${POINTS} points (${registersFor(POINTS)} registers each), 1 s sampling, ${MEASURE_S} s window\n`,
  );
  const sim = await startModbusSim(DEVICES, POINTS);
  try {
    const max = await simulatorMax(sim.ports, 5);
    process.stdout.write(
      `(b) simulator limit: ${Math.round(max.requests_per_s)} requests/s (${Math.round(max.registers_per_s)} registers/s) with 8×32 pipelined 125-register reads\n`,
    );
    const naiveRate = await naive(sim.ports, POINTS, 5);
    process.stdout.write(
      `(a) naive poller (modbus-serial, one request per point, one connection per port): ${Math.round(naiveRate)} points/s\n`,
    );
    const r0 = await sim.requests();
    const main = await daemon(sim.ports, DEVICES, POINTS, 1000, 12, MEASURE_S);
    const simRate = ((await sim.requests()) - r0) / (MEASURE_S + 12);
    printMain(main, naiveRate, simRate);
    const neuron = await daemon(sim.ports, 500, 30, 500, 6, Math.min(15, MEASURE_S));
    process.stdout.write(
      `Neuron scenario (500 devices × 30 tags / 0.5 s = 30 000/s): ${neuron.values_per_s} values/s, p99 cycle ${neuron.p99_cycle_ms} ms, CPU ${neuron.cpu_cores} cores, RSS ${neuron.rss_mb} MB\n`,
    );
    sim.proc.kill('SIGTERM');
    const { naiveSlow, lat } = await withLatency();
    printJsonLine({
      bench: 'modbus',
      devices: DEVICES,
      points_per_device: POINTS,
      target_values_per_s: DEVICES * POINTS,
      values_per_s: main.values_per_s,
      driver_values_per_s: main.driver_values_per_s,
      p99_start_lateness_ms: main.p99_start_lateness_ms,
      p99_cycle_ms: main.p99_cycle_ms,
      cpu_cores: main.cpu_cores,
      rss_mb: main.rss_mb,
      daemon_rss_mb: main.daemon_rss_mb,
      driver_rss_mb: main.driver_rss_mb,
      online_devices: main.online,
      naive_values_per_s: Math.round(naiveRate),
      ratio_vs_naive: Number((main.values_per_s / naiveRate).toFixed(1)),
      sim_max_requests_per_s: Math.round(max.requests_per_s),
      sim_max_registers_per_s: Math.round(max.registers_per_s),
      latency_ms: LATENCY,
      latency_naive_values_per_s: Math.round(naiveSlow),
      latency_values_per_s: lat.values_per_s,
      latency_ratio_vs_naive: Number((lat.values_per_s / naiveSlow).toFixed(1)),
      latency_p99_cycle_ms: lat.p99_cycle_ms,
      neuron_values_per_s: neuron.values_per_s,
      neuron_target_values_per_s: 30_000,
      neuron_p99_cycle_ms: neuron.p99_cycle_ms,
      neuron_cpu_cores: neuron.cpu_cores,
      neuron_rss_mb: neuron.rss_mb,
    });
  } finally {
    sim.proc.kill('SIGTERM');
  }
}

await main();
