/**
 * EBA alarm rules at the EBA box's scale: the ModbusV3 scenario of `npm run bench -- modbus`
 * (1 000 simulated devices × 200 points at 1 s, ~200 000 values/s through the host; 10 % of the
 * points move every second) through the real daemon, once without rules (the baseline, same run)
 * and once with 10 000 enabled rules: the nine shapes of the seed's appendix spread over the
 * devices, 100 of them `multiDevice` (every device of the product). Figures:
 *
 * - added daemon CPU (cores) against the baseline;
 * - value-to-alarm latency p99: from the driver's reading of a value to the alarm record committed
 *   (the daemon's `edge_rules_alarm_latency_ms` summary);
 * - alarms lost: raised by the engine or seen on the local bus but missing from the store;
 * - RSS of the daemon + driver, peak over the run, and the daemon's anonymous memory, V8 heap and
 *   external memory sampled every 200 ms from spawn (the start-up transient).
 *
 *   npm run bench -- rules [--seconds 20] [--rules 10000]
 * Last line: one JSON object.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import type { PointDef } from '../../protocols/modbus/point.js';
import { layoutPoint } from '../sim/modbus/layout.js';
import { childPids, cpuSeconds, DAEMON_NODE_FLAGS, percentile, ROOT, round, sleep } from './lib.js';
import { EventBus } from '../../edge/events.js';
import { silentLogger } from '../../edge/log.js';
import { RulesEngine } from '../../edge/rules/engine.js';
import { openDatabase } from '../../edge/store/db.js';
import { compileModel } from '../../edge/thing/model.js';
import { DeviceRegistry } from '../../edge/thing/registry.js';
import { parseThingModel } from '../../edge/thing/tsl.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    rules: { type: 'string', default: '10000' },
    warm: { type: 'string', default: '12' },
  },
});
const MEASURE_S = Number(args.seconds);
const RULES = Number(args.rules);
const WARM_S = Number(args.warm);
const DEVICES = 1000;
const POINTS = 200;
const UNITS_PER_PORT = 125;
const PK = `EBABench${POINTS}`;
const DRIVER = 'Bench_ModbusV3_EBA_Points';
const DIST = join(ROOT, 'dist');
const BUS_USER = { username: 'bench', password: 'bench-password-1' };

async function freePort(): Promise<number> {
  return new Promise((r) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => r(port));
    });
  });
}

async function startSim(): Promise<{ proc: ChildProcess; ports: number[] }> {
  const proc = spawn(
    process.execPath,
    [
      join(DIST, 'scripts/sim/modbus/index.js'),
      '--devices',
      String(DEVICES),
      '--points',
      String(POINTS),
      '--units-per-port',
      String(UNITS_PER_PORT),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const ports = await new Promise<number[]>((res, rej) => {
    proc.once('exit', (code) => rej(new Error(`simulator exited ${code}`)));
    let buf = '';
    proc.stdout!.on('data', (c: Buffer) => {
      buf += c.toString();
      const m = /\{[^\n]*"ready":true[^\n]*\}/.exec(buf);
      if (m) res((JSON.parse(m[0]) as { ports: number[] }).ports);
    });
  });
  return { proc, ports };
}

/** A point of the given layout kind (0 uint16 0..999, 1 int16 -100..99, 2 float 0..250, 3 uint32 × 0.01 0..100000). */
const pointOf = (kind: number, n: number): string => `P${(n % (POINTS / 4)) * 4 + kind}`;

const ACTION = [{ uri: 'action/mqtt/pub/sceneInfo', params: { env: 'edge' } }];
const timePause = (stateDuration: number | undefined, recoverCondition: string) => ({
  supportPauseRule: {
    pauseType: 'time',
    pauseParams: stateDuration ? { stateDuration } : {},
    scope: 'device',
    recoverCondition,
    notifyTypeOnRecover: 'MQTT',
  },
});
const countPause = (windowInterval: number, conditionMatchNum: number, recoverCondition: string) => ({
  supportPauseRule: {
    pauseType: 'count',
    pauseParams: { windowInterval, conditionMatchNum, continuousMatch: true, executeOnce: true },
    scope: 'device',
    recoverCondition,
    notifyTypeOnRecover: 'MQTT',
  },
});

/** One of the nine shapes of the seed's appendix (L30487-31094), on device `dn` (undefined: multiDevice). */
function sceneOf(shape: number, n: number, dn: string | undefined): Record<string, unknown> {
  const device = { productKey: PK, ...(dn ? { deviceName: dn } : {}) };
  const prop = (propertyName: string, compareType: string, compareValue: unknown) => ({
    uri: 'trigger/device/property',
    params: { ...device, propertyName, compareType, compareValue },
  });
  switch (shape) {
    case 0: {
      const p = pointOf(0, n);
      return { type: 'IFTTT', trigger: prop(p, '>', 990), action: ACTION, features: timePause(undefined, `event.${p}.value <= 990`) };
    }
    case 1: {
      const p = pointOf(2, n);
      return { type: 'IFTTT', trigger: prop(p, '>', 249), action: ACTION, features: timePause(900, `event.${p}.value <= 249`) };
    }
    case 2: {
      const p = pointOf(0, n);
      return { type: 'IFTTT', trigger: prop(p, '>', 980), action: ACTION, features: timePause(undefined, `event.${p}.value <= 980`) };
    }
    case 3: {
      const p = pointOf(0, n);
      return { type: 'IFTTT', trigger: prop(p, '==', 500), action: ACTION, features: timePause(undefined, `event.${p}.value != 500`) };
    }
    case 4: {
      const p = pointOf(2, n);
      return {
        type: 'IFTTT',
        trigger: prop(p, 'beyond', [1, 249]),
        action: ACTION,
        features: timePause(300, `event.${p}.value >= 1 and event.${p}.value <= 249`),
      };
    }
    case 5: {
      const p = pointOf(1, n);
      return { type: 'IFTTT', trigger: prop(p, '>', 90), action: ACTION, features: countPause(60, 5, `event.${p}.value <= 90`) };
    }
    case 6: {
      const p = pointOf(0, n);
      return {
        type: 'IFTTT',
        trigger: prop(p, '==', 7),
        condition: {
          uri: 'condition/timeRange',
          params: { beginDate: '00:00:01', endDate: '00:00:00', format: 'HH:mm:ss', timezoneID: 'Asia/Shanghai' },
        },
        action: ACTION,
        features: timePause(undefined, `event.${p}.value != 7`),
      };
    }
    case 7: {
      const p = pointOf(1, n);
      return { type: 'IFTTT', trigger: prop(p, '>', 95), action: ACTION, features: countPause(1, 10, `event.${p}.value <= 95`) };
    }
    case 8:
      return {
        type: 'IFTTT',
        trigger: { uri: 'trigger/device/statusChange', params: { ...device, status: 3 } },
        action: ACTION,
        features: timePause(undefined, 'event.status.value != 3'),
      };
    default: {
      const p = pointOf(3, n);
      return { type: 'IFTTT', trigger: prop(p, '>', 99_000), action: ACTION, features: timePause(undefined, `event.${p}.value <= 99000`) };
    }
  }
}

function rules(count: number): unknown[] {
  const multi = Math.min(100, Math.floor(count / 100));
  const out: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const isMulti = i < multi;
    const dn = isMulti ? undefined : `dev-${i % DEVICES}`;
    const shape = i % 10;
    out.push({
      alarmRuleId: `bench-${i}`,
      alarmName: `bench ${i}`,
      alarmLevel: i % 4,
      alarmContent: `shape ${shape}`,
      productKey: PK,
      sceneConfig: JSON.stringify(sceneOf(shape, Math.floor(i / 10) + i, dn)),
      alarmType: 1,
      alarmMode: 1,
      runEnv: 'edge',
      multiDevice: isMulti ? 1 : 0,
    });
  }
  return out;
}

interface Run {
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

const statusOf = (pid: number): Record<string, number> => {
  const out: Record<string, number> = {};
  try {
    for (const m of readFileSync(`/proc/${pid}/status`, 'utf8').matchAll(/^(VmRSS|RssAnon|RssFile):\s+(\d+) kB/gm))
      out[m[1]!] = Number(m[2]) / 1024;
  } catch {
    /* gone */
  }
  return out;
};

async function run(sim: { ports: number[] }, withRules: boolean): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-rules-'));
  mkdirSync(join(dir, 'tsl'));
  const properties = Array.from({ length: POINTS }, (_, i) => {
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
  writeFileSync(join(dir, 'tsl', `${PK}.json`), JSON.stringify({ profile: { productKey: PK }, properties, events: [], services: [] }));
  const channels = sim.ports.map((port, i) => ({ id: `C${i}`, transport: 'tcp', host: '127.0.0.1', port, minIntervalMs: 0 }));
  const pts: PointDef[] = [];
  const devs: unknown[] = [];
  for (let d = 0; d < DEVICES; d++) {
    const channel = `C${Math.floor(d / UNITS_PER_PORT)}`;
    const slave = (d % UNITS_PER_PORT) + 1;
    const mapping: Record<string, string> = {};
    for (let i = 0; i < POINTS; i++) {
      const lp = layoutPoint(i);
      pts.push({
        id: `${d}.${i}`,
        channel,
        slave,
        address: lp.address,
        op: 'holding:16',
        dataType: lp.dataType,
        periodMs: 1000,
        report: 'periodic',
        ...(lp.scale ? { scale: lp.scale } : {}),
      });
      mapping[`P${i}`] = `${d}.${i}`;
    }
    devs.push({ productKey: PK, deviceName: `dev-${d}`, custom: { points: mapping } });
  }
  mkdirSync(join(dir, 'data', 'drivers', DRIVER), { recursive: true });
  writeFileSync(join(dir, 'data', 'drivers', DRIVER, 'tables.json'), JSON.stringify({ format: 'eba-modbus-v3/1', channels, points: pts }));
  if (withRules) writeFileSync(join(dir, 'rules.json'), JSON.stringify(rules(RULES)));
  const httpPort = await freePort();
  const busPort = await freePort();
  const box = {
    box: { name: 'bench', dataDir: './data' },
    log: { level: 'error' },
    http: { host: '127.0.0.1', port: httpPort },
    bus: { host: '127.0.0.1', port: busPort, users: [BUS_USER] },
    thingModels: ['./tsl'],
    drivers: [
      { name: DRIVER, type: 'modbus-v3', config: { tablesFile: 'tables.json', statsIntervalMs: 1000, timeoutMs: 2000 }, devices: devs },
    ],
    rules: withRules ? { file: 'rules.json' } : { enabled: false },
  };
  writeFileSync(join(dir, 'box.yaml'), JSON.stringify(box));
  const t0 = Date.now();
  const proc = spawn(process.execPath, [...DAEMON_NODE_FLAGS, join(DIST, 'edge/main.js'), 'start', '-c', join(dir, 'box.yaml')], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const pid = proc.pid!;
  // The start-up transient: the daemon's anonymous memory every 200 ms, and its heap when /metrics answers.
  let anonPeak = 0;
  let anonPeakAt = 0;
  let heapAtPeak = 'n/a';
  let sampling = true;
  const metricsText = async (): Promise<string> => (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const metricMb = (text: string, name: string): number =>
    Math.round(Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? 0) / 1048576);
  const sampler = (async () => {
    while (sampling) {
      const anon = statusOf(pid).RssAnon ?? 0;
      if (anon > anonPeak) {
        anonPeak = anon;
        anonPeakAt = (Date.now() - t0) / 1000;
        const text = await metricsText().catch(() => '');
        if (text)
          heapAtPeak = `heap ${metricMb(text, 'edge_process_nodejs_heap_size_used_bytes')}/${metricMb(text, 'edge_process_nodejs_heap_size_total_bytes')} MB, external ${metricMb(text, 'edge_process_nodejs_external_memory_bytes')} MB`;
      }
      await sleep(200);
    }
  })();
  await new Promise<void>((res, rej) => {
    proc.once('exit', (code) => rej(new Error(`daemon exited ${code}`)));
    let buf = '';
    proc.stdout!.on('data', (c: Buffer) => {
      buf += c.toString();
      if (buf.includes('ready in')) res();
    });
  });
  // Alarms as a local application sees them (published after their commit).
  const seen = new Set<string>();
  // The pipeline's own lag, rules or not: a few devices' reports as the bus delivers them, against the driver's reading time.
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
    ...[1, 250, 500, 750].map((d) => `/sys/${PK}/dev-${d}/thing/event/property/post`),
  ]);
  const accepted = async (): Promise<number> => Number(/^edge_property_values_total (\S+)/m.exec(await metricsText())?.[1] ?? 0);
  await sleep(WARM_S * 1000);
  const pids = [pid, ...childPids(pid)];
  const v0 = await accepted();
  lags.length = 0;
  const c0 = cpuSeconds(pid);
  const d0 = pids.slice(1).reduce((n, p) => n + cpuSeconds(p), 0);
  const m0 = Date.now();
  let rss = 0;
  let daemonRss = 0;
  let driverRss = 0;
  for (let t = 0; t < MEASURE_S; t++) {
    await sleep(1000);
    const d = statusOf(pid).VmRSS ?? 0;
    const k = pids.slice(1).reduce((n, p) => n + (statusOf(p).VmRSS ?? 0), 0);
    daemonRss = Math.max(daemonRss, d);
    driverRss = Math.max(driverRss, k);
    rss = Math.max(rss, d + k);
  }
  const elapsed = (Date.now() - m0) / 1000;
  const v1 = await accepted();
  const daemonCpu = (cpuSeconds(pid) - c0) / elapsed;
  const driverCpu = (pids.slice(1).reduce((n, p) => n + cpuSeconds(p), 0) - d0) / elapsed;
  const steadyAnon = statusOf(pid).RssAnon ?? 0;
  const text = await metricsText();
  const q = (quantile: string): number =>
    Number(new RegExp(`^edge_rules_alarm_latency_ms\\{quantile="${quantile}"\\} (\\S+)`, 'm').exec(text)?.[1] ?? Number.NaN);
  const gauge = (name: string): number => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? 0);
  const raised = gauge('edge_rules_alarms_raised_total');
  const recovered = gauge('edge_rules_alarms_recovered_total');
  sampling = false;
  await sampler;
  await client.endAsync();
  proc.kill('SIGTERM');
  await new Promise((r) => proc.once('exit', r));
  let lost = 0;
  if (withRules) {
    const db = new Database(join(dir, 'data', 'edge.db'), { readonly: true });
    const stored = new Set(db.prepare('SELECT alarm_id FROM rules_alarm_records').pluck().all() as string[]);
    db.close();
    for (const id of seen) if (!stored.has(id)) lost++;
    lost += Math.max(0, raised - stored.size);
  }
  rmSync(dir, { recursive: true, force: true });
  return {
    values_per_s: Math.round((v1 - v0) / elapsed),
    daemon_cpu_cores: round(daemonCpu, 3),
    driver_cpu_cores: round(driverCpu, 3),
    rss_mb: Math.round(rss),
    daemon_rss_mb: Math.round(daemonRss),
    driver_rss_mb: Math.round(driverRss),
    start_anon_peak_mb: Math.round(anonPeak),
    start_anon_peak_at_s: round(anonPeakAt, 1),
    steady_anon_mb: Math.round(steadyAnon),
    heap_at_peak: heapAtPeak,
    raised,
    recovered,
    latency_p50_ms: round(q('0.5'), 2),
    latency_p99_ms: round(q('0.99'), 2),
    latency_max_ms: round(q('1'), 2),
    lost,
    bus_seen: seen.size,
    report_lag_p99_ms: Math.round(
      percentile(
        lags.sort((a, b) => a - b),
        99,
      ),
    ),
  };
}

/**
 * The engine's own cost, free of the machine's load: the registry and the engine in this process,
 * fed the daemon's traffic (every device reports its 200 points once a "second", 10 % of them
 * changed) as fast as they go, CPU time measured with and without the 10 000 rules.
 */
async function inProcess(
  seconds: number,
): Promise<{ cpu_ms_per_s_without: number; cpu_ms_per_s_with: number; added_cores: number; alarms_per_s: number }> {
  const properties = Array.from({ length: POINTS }, (_, i) => ({
    identifier: `P${i}`,
    name: `点${i}`,
    accessMode: 'r',
    dataType: { type: layoutPoint(i).tsl, specs: { min: '-1000', max: '1000000' } },
  }));
  const model = compileModel(parseThingModel({ profile: { productKey: PK }, properties, events: [], services: [] }));
  const values = (kind: number, r: number): number =>
    kind === 0
      ? Math.floor(r * 1000)
      : kind === 1
        ? Math.floor(r * 200) - 100
        : kind === 2
          ? Math.round(r * 2500) / 10
          : Math.floor(r * 10_000_000) / 100;
  const state = Array.from({ length: DEVICES }, () => Array.from({ length: POINTS }, (_, i) => values(i % 4, Math.random())));
  const measure = async (withRules: boolean): Promise<{ cpuMs: number; raised: number }> => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-rules-ip-'));
    const db = openDatabase(join(dir, 'edge.db'));
    const events = new EventBus(silentLogger());
    const registry = new DeviceRegistry({ events, log: silentLogger() });
    for (let d = 0; d < DEVICES; d++) registry.upsert({ productKey: PK, deviceName: `dev-${d}`, driver: 'bench', custom: {} }, model);
    const engine = new RulesEngine({
      db,
      events,
      registry,
      log: silentLogger(),
      gateway: { productKey: 'gw', deviceName: 'box' },
      publish: () => undefined,
    });
    if (withRules) for (const r of rules(RULES)) engine.addOrUpdate(r, 'file');
    await engine.start();
    for (let d = 0; d < DEVICES; d++) registry.setStatus(PK, `dev-${d}`, 'online');
    const c0 = process.cpuUsage();
    for (let t = 0; t < seconds; t++) {
      for (let d = 0; d < DEVICES; d++) {
        const row = state[d]!;
        for (let k = 0; k < POINTS / 10; k++) {
          const i = Math.floor(Math.random() * POINTS);
          row[i] = values(i % 4, Math.random());
        }
        const raw: Record<string, unknown> = {};
        for (let i = 0; i < POINTS; i++) raw[`P${i}`] = row[i];
        // What the host does with a driver's report: the TSL boundary, then the event.
        const { accepted } = registry.acceptProperties(PK, `dev-${d}`, raw, Date.now());
        events.emit('device.properties', { productKey: PK, deviceName: `dev-${d}`, params: accepted });
        if (d % 100 === 99) await new Promise((r) => setImmediate(r)); // let the engine's state writes run, as the event loop would
      }
    }
    await new Promise((r) => setImmediate(r));
    const c = process.cpuUsage(c0);
    const raised = engine.counts.raised;
    await engine.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
    return { cpuMs: (c.user + c.system) / 1000, raised };
  };
  const without = await measure(false);
  const withR = await measure(true);
  return {
    cpu_ms_per_s_without: round(without.cpuMs / seconds, 1),
    cpu_ms_per_s_with: round(withR.cpuMs / seconds, 1),
    added_cores: round((withR.cpuMs - without.cpuMs) / seconds / 1000, 3),
    alarms_per_s: round(withR.raised / seconds, 1),
  };
}

async function main(): Promise<void> {
  const ip = await inProcess(20);
  if (process.env.RULES_BENCH_IN_PROCESS_ONLY) {
    process.stdout.write(`${JSON.stringify(ip)}\n`);
    return;
  }
  process.stdout.write(
    `in process (registry + engine, ${DEVICES * POINTS} values per simulated second, 20 s): ${ip.cpu_ms_per_s_without} ms CPU per second without rules, ${ip.cpu_ms_per_s_with} ms with ${RULES} rules: added ${ip.added_cores} cores, ${ip.alarms_per_s} alarms/s\n`,
  );
  process.stdout.write(
    `rules bench: ${DEVICES} devices × ${POINTS} points at 1 s, ${RULES} rules (100 multiDevice), ${WARM_S} s warm-up, ${MEASURE_S} s window\n`,
  );
  const sim = await startSim();
  try {
    const base = await run(sim, false);
    process.stdout.write(
      `baseline (no rules): ${base.values_per_s} values/s, daemon ${base.daemon_cpu_cores} cores, driver ${base.driver_cpu_cores} cores, RSS ${base.rss_mb} MB (daemon ${base.daemon_rss_mb}, driver ${base.driver_rss_mb}); start-up anon peak ${base.start_anon_peak_mb} MB at ${base.start_anon_peak_at_s} s (${base.heap_at_peak}), steady ${base.steady_anon_mb} MB; report lag p99 ${base.report_lag_p99_ms} ms\n`,
    );
    const withRules = await run(sim, true);
    const added = round(withRules.daemon_cpu_cores - base.daemon_cpu_cores, 3);
    process.stdout.write(
      `with ${RULES} rules: ${withRules.values_per_s} values/s, daemon ${withRules.daemon_cpu_cores} cores (added ${added}), RSS ${withRules.rss_mb} MB (daemon ${withRules.daemon_rss_mb}, driver ${withRules.driver_rss_mb}); start-up anon peak ${withRules.start_anon_peak_mb} MB at ${withRules.start_anon_peak_at_s} s (${withRules.heap_at_peak}), steady ${withRules.steady_anon_mb} MB\n` +
        `  alarms: ${withRules.raised} raised, ${withRules.recovered} recovered in the run (${withRules.bus_seen} seen on the bus), lost ${withRules.lost}; value-to-alarm p50 ${withRules.latency_p50_ms} ms, p99 ${withRules.latency_p99_ms} ms, max ${withRules.latency_max_ms} ms; report lag p99 ${withRules.report_lag_p99_ms} ms\n` +
        `  ratio: daemon CPU with rules / without ${round(withRules.daemon_cpu_cores / base.daemon_cpu_cores, 2)}×; RSS with / without ${round(withRules.rss_mb / base.rss_mb, 2)}×\n`,
    );
    process.stdout.write(
      `${JSON.stringify({
        bench: 'rules',
        rules: RULES,
        devices: DEVICES,
        points_per_device: POINTS,
        values_per_s: withRules.values_per_s,
        baseline_values_per_s: base.values_per_s,
        added_cpu_cores: added,
        daemon_cpu_cores: withRules.daemon_cpu_cores,
        baseline_daemon_cpu_cores: base.daemon_cpu_cores,
        cpu_ratio_vs_baseline: round(withRules.daemon_cpu_cores / base.daemon_cpu_cores, 2),
        alarm_latency_p50_ms: withRules.latency_p50_ms,
        alarm_latency_p99_ms: withRules.latency_p99_ms,
        alarm_latency_max_ms: withRules.latency_max_ms,
        report_lag_p99_ms: withRules.report_lag_p99_ms,
        baseline_report_lag_p99_ms: base.report_lag_p99_ms,
        alarms_raised: withRules.raised,
        alarms_recovered: withRules.recovered,
        alarms_lost: withRules.lost,
        in_process_added_cores: ip.added_cores,
        in_process_cpu_ms_per_s_without: ip.cpu_ms_per_s_without,
        in_process_cpu_ms_per_s_with: ip.cpu_ms_per_s_with,
        in_process_alarms_per_s: ip.alarms_per_s,
        rss_mb: withRules.rss_mb,
        daemon_rss_mb: withRules.daemon_rss_mb,
        driver_rss_mb: withRules.driver_rss_mb,
        baseline_rss_mb: base.rss_mb,
        rss_ratio_vs_baseline: round(withRules.rss_mb / base.rss_mb, 2),
        start_anon_peak_mb: withRules.start_anon_peak_mb,
        baseline_start_anon_peak_mb: base.start_anon_peak_mb,
        steady_anon_mb: withRules.steady_anon_mb,
      })}\n`,
    );
  } finally {
    sim.proc.kill('SIGTERM');
  }
}

await main();
