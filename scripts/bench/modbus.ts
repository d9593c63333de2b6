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
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ModbusClient } from '../../protocols/modbus/client.js';
import { readRequest } from '../../protocols/modbus/frames.js';
import type { PointDef } from '../../protocols/modbus/point.js';
import { layoutPoint, registersFor } from '../sim/modbus/layout.js';
import { DAEMON_NODE_FLAGS } from './lib.js';

const ModbusRTU = createRequire(import.meta.url)('modbus-serial') as typeof import('modbus-serial').default;
const ROOT = resolve(process.cwd());
const DIST = join(ROOT, 'dist');
const UNITS_PER_PORT = 125;
/** Per-request device time for the realistic comparison, ms. */
const LATENCY = '2-5';
const CLK = 100; // USER_HZ for /proc/<pid>/stat

const { values: args } = parseArgs({ options: { seconds: { type: 'string', default: '30' }, 'hold-s': { type: 'string', default: '0' } } });
const MEASURE_S = Number(args.seconds);
/** Keep the main run's daemon up this long after measuring (pids printed): time for heap snapshots. */
const HOLD_S = Number(args['hold-s']);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  return new Promise((r) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => r(port));
    });
  });
}

function lines(proc: ChildProcess, onLine: (l: string) => void): void {
  let buf = '';
  proc.stdout!.on('data', (c: Buffer) => {
    buf += c.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      onLine(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
}

async function startSim(
  devices: number,
  points: number,
  latencyMs?: string,
): Promise<{ proc: ChildProcess; ports: number[]; requests(): Promise<number> }> {
  const extra = latencyMs ? ['--latency-ms', latencyMs] : [];
  const proc = spawn(
    process.execPath,
    [
      join(DIST, 'scripts/sim/modbus/index.js'),
      '--devices',
      String(devices),
      '--points',
      String(points),
      '--units-per-port',
      String(UNITS_PER_PORT),
      ...extra,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let waiter: ((n: number) => void) | undefined;
  const ports = await new Promise<number[]>((res, rej) => {
    proc.once('exit', (code) => rej(new Error(`simulator exited ${code}`)));
    lines(proc, (l) => {
      const m = JSON.parse(l) as { ready?: boolean; ports?: number[]; requests?: number };
      if (m.ready) res(m.ports!);
      if (m.requests !== undefined) waiter?.(m.requests);
    });
  });
  return {
    proc,
    ports,
    requests: () =>
      new Promise((r) => {
        waiter = r;
        proc.stdin!.write('?\n');
      }),
  };
}

/** /proc CPU seconds and RSS of a process and its children (the driver processes). */
function procTree(pid: number): number[] {
  const kids: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) kids.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return [pid, ...kids];
}
function cpuSeconds(pids: number[]): number {
  let t = 0;
  for (const p of pids) {
    try {
      const f = readFileSync(`/proc/${p}/stat`, 'utf8').slice(0).split(') ')[1]!.split(' ');
      t += (Number(f[11]) + Number(f[12])) / CLK;
    } catch {
      /* gone */
    }
  }
  return t;
}
function rssMb(pids: number[]): number {
  let kb = 0;
  for (const p of pids) {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      /* gone */
    }
  }
  return kb / 1024;
}

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
          await c.request(1 + ((k * 7 + done) % UNITS_PER_PORT), readRequest(3, 0, 125));
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
      for (let unit = 1; Date.now() < until; unit = (unit % UNITS_PER_PORT) + 1) {
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

/** Run the real daemon against the simulator with `devices × points` at `periodMs`. */
async function daemon(
  ports: number[],
  devices: number,
  points: number,
  periodMs: number,
  warmS: number,
  measureS: number,
): Promise<DaemonRun> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-modbus-'));
  const driver = 'Bench_ModbusV3_EBA_Points';
  const pk = `EBABench${points}`;
  mkdirSync(join(dir, 'tsl'));
  const properties = Array.from({ length: points }, (_, i) => {
    const t = layoutPoint(i).tsl;
    return {
      identifier: `P${i}`,
      name: `点${i}`,
      accessMode: 'r',
      required: false,
      dataType: {
        type: t,
        specs: t === 'int' ? { min: '-1000', max: '100000', step: '1' } : { min: '-1000', max: '1000000', step: '0.01' },
      },
    };
  });
  writeFileSync(join(dir, 'tsl', `${pk}.json`), JSON.stringify({ profile: { productKey: pk }, properties, events: [], services: [] }));
  const channels = ports.map((port, i) => ({ id: `C${i}`, transport: 'tcp', host: '127.0.0.1', port, minIntervalMs: 0 }));
  const pts: PointDef[] = [];
  const devs: unknown[] = [];
  for (let d = 0; d < devices; d++) {
    const channel = `C${Math.floor(d / UNITS_PER_PORT)}`;
    const slave = (d % UNITS_PER_PORT) + 1;
    const mapping: Record<string, string> = {};
    for (let i = 0; i < points; i++) {
      const lp = layoutPoint(i);
      const id = `${d}.${i}`;
      pts.push({
        id,
        channel,
        slave,
        address: lp.address,
        op: 'holding:16',
        dataType: lp.dataType,
        periodMs,
        report: 'periodic',
        ...(lp.scale ? { scale: lp.scale } : {}),
      });
      mapping[`P${i}`] = id;
    }
    devs.push({ productKey: pk, deviceName: `dev-${d}`, custom: { points: mapping } });
  }
  mkdirSync(join(dir, 'data', 'drivers', driver), { recursive: true });
  writeFileSync(join(dir, 'data', 'drivers', driver, 'tables.json'), JSON.stringify({ format: 'eba-modbus-v3/1', channels, points: pts }));
  const httpPort = await freePort();
  const busPort = await freePort();
  const box = {
    box: { name: 'bench', dataDir: './data' },
    log: { level: 'error' }, // logging off: the figure is about polling, not log I/O
    http: { host: '127.0.0.1', port: httpPort },
    bus: { host: '127.0.0.1', port: busPort },
    thingModels: ['./tsl'],
    // Holding for heap snapshots: writing one stops the driver for seconds; the host must not call it hung.
    ...(HOLD_S > 0 ? { host: { hangTimeoutMs: 600_000 } } : {}),
    drivers: [
      { name: driver, type: 'modbus-v3', config: { tablesFile: 'tables.json', statsIntervalMs: 1000, timeoutMs: 2000 }, devices: devs },
    ],
  };
  writeFileSync(join(dir, 'box.yaml'), JSON.stringify(box));
  const proc = spawn(process.execPath, [...DAEMON_NODE_FLAGS, join(DIST, 'edge/main.js'), 'start', '-c', join(dir, 'box.yaml')], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((res, rej) => {
    proc.once('exit', (code) => rej(new Error(`daemon exited ${code}`)));
    lines(proc, (l) => l.includes('ready in') && res());
  });
  const statsFile = join(dir, 'data', 'drivers', driver, 'stats.json');
  const readStats = (): Record<string, number> => {
    try {
      return JSON.parse(readFileSync(statsFile, 'utf8')) as Record<string, number>;
    } catch {
      return {};
    }
  };
  const accepted = async (): Promise<number> => {
    const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    return Number(/^edge_property_values_total (\S+)/m.exec(text)?.[1] ?? 0);
  };
  await sleep(warmS * 1000);
  const pids = procTree(proc.pid!);
  const v0 = await accepted();
  const s0 = readStats();
  const c0 = cpuSeconds(pids);
  const t0 = Date.now();
  let p99Start = 0;
  let p99Cycle = 0;
  let rss = 0;
  let daemonRss = 0;
  let driverRss = 0;
  for (let t = 0; t < measureS; t++) {
    await sleep(1000);
    const s = readStats();
    p99Start = Math.max(p99Start, s.p99_start_lateness_ms ?? 0);
    p99Cycle = Math.max(p99Cycle, s.p99_cycle_ms ?? 0);
    rss = Math.max(rss, rssMb(pids));
    daemonRss = Math.max(daemonRss, rssMb([proc.pid!]));
    driverRss = Math.max(driverRss, rssMb(pids.filter((p) => p !== proc.pid)));
  }
  const perProcess = pids.map((p) => `${p === proc.pid ? 'daemon' : 'driver'} ${Math.round(rssMb([p]))} MB`).join(', ');
  // Where the memory is: V8 heap used/total and external (buffers) of each process.
  const metricsText = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const metricMb = (name: string): number => Math.round(Number(new RegExp(`^${name} (\\S+)`, 'm').exec(metricsText)?.[1] ?? 0) / 1048576);
  const driverMemory = (readStats() as unknown as { memory?: Record<string, number> }).memory ?? {};
  const heaps = `daemon heap ${metricMb('edge_process_nodejs_heap_size_used_bytes')}/${metricMb('edge_process_nodejs_heap_size_total_bytes')} MB, external ${metricMb('edge_process_nodejs_external_memory_bytes')} MB; driver heap ${driverMemory.heap_used_mb ?? '?'}/${driverMemory.heap_total_mb ?? '?'} MB, external ${driverMemory.external_mb ?? '?'} MB`;
  const elapsed = (Date.now() - t0) / 1000;
  const v1 = await accepted();
  const s1 = readStats();
  const cpu = (cpuSeconds(pids) - c0) / elapsed;
  if (HOLD_S > 0 && devices * points >= 200_000) {
    process.stdout.write(
      `holding ${HOLD_S} s: daemon pid ${proc.pid}, driver pid(s) ${pids.filter((p) => p !== proc.pid).join(' ')} (run with NODE_OPTIONS=--heapsnapshot-signal=SIGUSR2, then kill -USR2 <pid> writes a heap snapshot into its cwd)\n`,
    );
    await sleep(HOLD_S * 1000);
  }
  proc.kill('SIGTERM');
  await new Promise((r) => proc.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
  return {
    values_per_s: Math.round((v1 - v0) / elapsed),
    driver_values_per_s: Math.round(((s1.values ?? 0) - (s0.values ?? 0)) / elapsed),
    p99_start_lateness_ms: p99Start,
    p99_cycle_ms: p99Cycle,
    cpu_cores: Number(cpu.toFixed(2)),
    rss_mb: Math.round(rss),
    daemon_rss_mb: Math.round(daemonRss),
    driver_rss_mb: Math.round(driverRss),
    online: s1.online ?? 0,
    overruns: (s1.overruns ?? 0) - (s0.overruns ?? 0),
    failures: (s1.failures ?? 0) - (s0.failures ?? 0),
    perProcess,
    heaps,
  };
}

async function main(): Promise<void> {
  const DEVICES = 1000;
  const POINTS = 200;
  process.stdout.write(
    `modbus bench: ${DEVICES} devices × ${POINTS} points (${registersFor(POINTS)} registers each), 1 s sampling, ${MEASURE_S} s window\n`,
  );
  const sim = await startSim(DEVICES, POINTS);
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
    process.stdout.write(
      `daemon: ${main.values_per_s} values/s accepted by the host (driver read ${main.driver_values_per_s}/s), target ${DEVICES * POINTS}/s\n` +
        `  p99 poll start lateness ${main.p99_start_lateness_ms} ms, p99 cycle completion ${main.p99_cycle_ms} ms, overruns ${main.overruns}, failures ${main.failures}\n` +
        `  CPU ${main.cpu_cores} cores (daemon + driver process), RSS ${main.rss_mb} MB (${main.perProcess}), devices online ${main.online}, ~${Math.round(simRate)} requests/s to the simulator\n` +
        `  ${main.heaps}\n` +
        `  ratio vs naive: ${(main.values_per_s / naiveRate).toFixed(1)}×; vs the seed's 10 000 reports/min (167/s): ${Math.round(main.values_per_s / (10_000 / 60))}×\n`,
    );
    const neuron = await daemon(sim.ports, 500, 30, 500, 6, Math.min(15, MEASURE_S));
    process.stdout.write(
      `Neuron scenario (500 devices × 30 tags / 0.5 s = 30 000/s): ${neuron.values_per_s} values/s, p99 cycle ${neuron.p99_cycle_ms} ms, CPU ${neuron.cpu_cores} cores, RSS ${neuron.rss_mb} MB\n`,
    );
    sim.proc.kill('SIGTERM');
    // Loopback answers in ~0 ms flatter the naive poller: real devices and RS-485 gateways take
    // a few ms per request. Same comparison with every device taking 2-5 ms per request.
    const slow = await startSim(DEVICES, POINTS, LATENCY);
    let naiveSlow: number;
    let lat: DaemonRun;
    try {
      naiveSlow = await naive(slow.ports, POINTS, 4);
      lat = await daemon(slow.ports, DEVICES, POINTS, 1000, 8, Math.min(8, MEASURE_S));
    } finally {
      slow.proc.kill('SIGTERM');
    }
    process.stdout.write(
      `with ${LATENCY} ms per request per device: naive ${Math.round(naiveSlow)} points/s, daemon ${lat.values_per_s} values/s ` +
        `(p99 cycle ${lat.p99_cycle_ms} ms, CPU ${lat.cpu_cores} cores, RSS ${lat.rss_mb} MB): ratio vs naive ${(lat.values_per_s / naiveSlow).toFixed(1)}×\n`,
    );
    process.stdout.write(
      `${JSON.stringify({
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
      })}\n`,
    );
  } finally {
    sim.proc.kill('SIGTERM');
  }
}

await main();
