/**
 * One run of the rules benchmark through the real daemon: the EBA Modbus scenario, with the rules
 * file or with rules off (the baseline). The daemon's anonymous memory is sampled every 200 ms
 * from spawn (the start-up transient); alarms are watched on the local bus as a local application
 * sees them, and checked against the store after the stop.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import {
  ascending,
  benchDir,
  freePort,
  heapSummary,
  launchWithConfig,
  measureBox,
  memoryMb,
  metricValue,
  percentile,
  round,
  scrapeMetrics,
  sleep,
} from '../lib.js';
import { productKeyFor, writeModbusBox } from '../modbus/scenario.js';

const BUS_USER = { username: 'bench', password: 'bench-password-1' };

export interface RunSetup {
  ports: number[];
  devices: number;
  points: number;
  /** The rules file's rules; undefined: rules off. */
  rules: unknown[] | undefined;
  warmS: number;
  measureS: number;
}

export interface Run {
  values_per_s: number;
  daemon_cpu_cores: number;
  driver_cpu_cores: number;
  rss_mb: number;
  daemon_rss_mb: number;
  driver_rss_mb: number;
  start_anon_peak_mb: number;
  start_anon_peak_at_s: number;
  steady_anon_mb: number;
  heap_at_peak: string;
  raised: number;
  recovered: number;
  latency_p50_ms: number;
  latency_p99_ms: number;
  latency_max_ms: number;
  lost: number;
  bus_seen: number;
  /** Driver reading → local-bus delivery of reports, p99 (the pipeline without rules). */
  report_lag_p99_ms: number;
}

/** The start-up transient: the daemon's anonymous memory every 200 ms, and its heap when it peaks (once /metrics answers). */
function startupPeak(pid: number, httpPort: number): { stop(): Promise<{ mb: number; atS: number; heap: string }> } {
  const t0 = Date.now();
  const peak = { mb: 0, atS: 0, heap: 'n/a' };
  let sampling = true;
  const loop = (async () => {
    while (sampling) {
      const anon = memoryMb(pid).RssAnon ?? 0;
      if (anon > peak.mb) {
        peak.mb = anon;
        peak.atS = (Date.now() - t0) / 1000;
        const text = await scrapeMetrics(httpPort).catch(() => '');
        if (text) peak.heap = heapSummary(text);
      }
      await sleep(200);
    }
  })();
  return {
    async stop() {
      sampling = false;
      await loop;
      return peak;
    },
  };
}

/** Alarms raised as the bus shows them, and the pipeline's own lag: a few devices' reports against the driver's reading time. */
async function watchBus(busPort: number, pk: string): Promise<{ seen: Set<string>; lags: number[]; end(): Promise<void> }> {
  const seen = new Set<string>();
  const lags: number[] = [];
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${busPort}`, { ...BUS_USER, reconnectPeriod: 0 });
  client.on('message', (topic, payload) => {
    if (topic.endsWith('/property/post')) {
      const params = (JSON.parse(payload.toString()) as { params: Record<string, { time: number }> }).params;
      const first = Object.values(params)[0];
      if (first) lags.push(Date.now() - first.time);
      return;
    }
    const v = (JSON.parse(payload.toString()) as { params: { value: { alarmId: string; recovery: number } } }).params.value;
    if (v.recovery === 0) seen.add(v.alarmId);
  });
  await client.subscribeAsync([
    '/sys/+/+/thing/event/AlarmRecord/post',
    ...[1, 250, 500, 750].map((d) => `/sys/${pk}/dev-${d}/thing/event/property/post`),
  ]);
  return { seen, lags, end: () => client.endAsync() };
}

/** Alarms raised by the engine or seen on the bus but missing from the store. */
function lostAlarms(dir: string, seen: Set<string>, raised: number): number {
  const db = new Database(join(dir, 'data', 'edge.db'), { readonly: true });
  const stored = new Set(db.prepare('SELECT alarm_id FROM rules_alarm_records').pluck().all() as string[]);
  db.close();
  let lost = 0;
  for (const id of seen) if (!stored.has(id)) lost++;
  return lost + Math.max(0, raised - stored.size);
}

export async function run(s: RunSetup): Promise<Run> {
  const dir = benchDir('rules');
  const pk = productKeyFor(s.points);
  const driver = writeModbusBox(dir, { ports: s.ports, devices: s.devices, points: s.points, periodMs: 1000 });
  if (s.rules) writeFileSync(join(dir, 'rules.json'), JSON.stringify(s.rules));
  const httpPort = await freePort();
  const busPort = await freePort();
  const box = {
    box: { name: 'bench', dataDir: './data' },
    log: { level: 'error' },
    http: { host: '127.0.0.1', port: httpPort },
    bus: { host: '127.0.0.1', port: busPort, users: [BUS_USER] },
    thingModels: ['./tsl'],
    drivers: [driver],
    rules: s.rules ? { file: 'rules.json' } : { enabled: false },
  };
  let startup: ReturnType<typeof startupPeak> | undefined;
  const d = await launchWithConfig(dir, box, { stderr: 'inherit', onSpawn: (pid) => (startup = startupPeak(pid, httpPort)) });
  const bus = await watchBus(busPort, pk);
  const accepted = async (): Promise<number> => metricValue(await scrapeMetrics(httpPort), 'edge_property_values_total');
  await sleep(s.warmS * 1000);
  const v0 = await accepted();
  bus.lags.length = 0;
  const w = await measureBox(d.pid, s.measureS);
  const v1 = await accepted();
  const steadyAnon = memoryMb(d.pid).RssAnon ?? 0;
  const text = await scrapeMetrics(httpPort);
  const q = (quantile: string): number => round(metricValue(text, `edge_rules_alarm_latency_ms{quantile="${quantile}"}`, Number.NaN), 2);
  const raised = metricValue(text, 'edge_rules_alarms_raised_total');
  const peak = await startup!.stop();
  await bus.end();
  await d.stop();
  const lost = s.rules ? lostAlarms(dir, bus.seen, raised) : 0;
  rmSync(dir, { recursive: true, force: true });
  return {
    values_per_s: Math.round((v1 - v0) / w.seconds),
    daemon_cpu_cores: round(w.daemonCores, 3),
    driver_cpu_cores: round(w.driverCores, 3),
    rss_mb: Math.round(w.rssMb),
    daemon_rss_mb: Math.round(w.daemonRssMb),
    driver_rss_mb: Math.round(w.driverRssMb),
    start_anon_peak_mb: Math.round(peak.mb),
    start_anon_peak_at_s: round(peak.atS, 1),
    steady_anon_mb: Math.round(steadyAnon),
    heap_at_peak: peak.heap,
    raised,
    recovered: metricValue(text, 'edge_rules_alarms_recovered_total'),
    latency_p50_ms: q('0.5'),
    latency_p99_ms: q('0.99'),
    latency_max_ms: q('1'),
    lost,
    bus_seen: bus.seen.size,
    report_lag_p99_ms: Math.round(percentile(ascending(bus.lags), 99)),
  };
}
