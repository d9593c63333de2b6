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
 *   npm run bench -- rules [--seconds 20] [--rules 10000] [--warm 12] [--devices 1000] [--points 200]
 * Last line: one JSON object.
 */
import { parseArgs } from 'node:util';
import { printJsonLine, ratio, round } from './lib.js';
import { productKeyFor, startModbusSim } from './modbus/scenario.js';
import { run, type Run } from './rules/daemon-run.js';
import { type InProcessResult, inProcess } from './rules/in-process.js';
import { benchRules, multiDeviceOf } from './rules/shapes.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    rules: { type: 'string', default: '10000' },
    warm: { type: 'string', default: '12' },
    devices: { type: 'string', default: '1000' },
    points: { type: 'string', default: '200' },
  },
});
const MEASURE_S = Number(args.seconds);
const RULES = Number(args.rules);
const WARM_S = Number(args.warm);
/** The scenario (1 000 × 200 the EBA box's; smaller to try the bench out). */
const DEVICES = Number(args.devices);
const POINTS = Number(args.points);
const PK = productKeyFor(POINTS);

function printRuns(base: Run, withRules: Run, added: number): void {
  process.stdout.write(
    `baseline (no rules): ${base.values_per_s} values/s, daemon ${base.daemon_cpu_cores} cores, driver ${base.driver_cpu_cores} cores, RSS ${base.rss_mb} MB (daemon ${base.daemon_rss_mb}, driver ${base.driver_rss_mb}); start-up anon peak ${base.start_anon_peak_mb} MB at ${base.start_anon_peak_at_s} s (${base.heap_at_peak}), steady ${base.steady_anon_mb} MB; report lag p99 ${base.report_lag_p99_ms} ms\n`,
  );
  process.stdout.write(
    `with ${RULES} rules: ${withRules.values_per_s} values/s, daemon ${withRules.daemon_cpu_cores} cores (added ${added}), RSS ${withRules.rss_mb} MB (daemon ${withRules.daemon_rss_mb}, driver ${withRules.driver_rss_mb}); start-up anon peak ${withRules.start_anon_peak_mb} MB at ${withRules.start_anon_peak_at_s} s (${withRules.heap_at_peak}), steady ${withRules.steady_anon_mb} MB\n` +
      `  alarms: ${withRules.raised} raised, ${withRules.recovered} recovered in the run (${withRules.bus_seen} seen on the bus), lost ${withRules.lost}; value-to-alarm p50 ${withRules.latency_p50_ms} ms, p99 ${withRules.latency_p99_ms} ms, max ${withRules.latency_max_ms} ms; report lag p99 ${withRules.report_lag_p99_ms} ms\n` +
      `  ratio: daemon CPU with rules / without ${ratio(withRules.daemon_cpu_cores, base.daemon_cpu_cores)}×; RSS with / without ${ratio(withRules.rss_mb, base.rss_mb)}×\n`,
  );
}

function printResult(base: Run, withRules: Run, added: number, ip: InProcessResult): void {
  printJsonLine({
    bench: 'rules',
    rules: RULES,
    devices: DEVICES,
    points_per_device: POINTS,
    values_per_s: withRules.values_per_s,
    baseline_values_per_s: base.values_per_s,
    added_cpu_cores: added,
    daemon_cpu_cores: withRules.daemon_cpu_cores,
    baseline_daemon_cpu_cores: base.daemon_cpu_cores,
    cpu_ratio_vs_baseline: ratio(withRules.daemon_cpu_cores, base.daemon_cpu_cores),
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
    rss_ratio_vs_baseline: ratio(withRules.rss_mb, base.rss_mb),
    start_anon_peak_mb: withRules.start_anon_peak_mb,
    baseline_start_anon_peak_mb: base.start_anon_peak_mb,
    steady_anon_mb: withRules.steady_anon_mb,
  });
}

async function main(): Promise<void> {
  const rules = benchRules(RULES, PK, DEVICES, POINTS);
  const ip = await inProcess({ pk: PK, devices: DEVICES, points: POINTS, rules }, 20);
  if (process.env.RULES_BENCH_IN_PROCESS_ONLY) {
    printJsonLine({ ...ip });
    return;
  }
  process.stdout.write(
    `in process (registry + engine, ${DEVICES * POINTS} values per simulated second, 20 s): ${ip.cpu_ms_per_s_without} ms CPU per second without rules, ${ip.cpu_ms_per_s_with} ms with ${RULES} rules: added ${ip.added_cores} cores, ${ip.alarms_per_s} alarms/s\n`,
  );
  process.stdout.write(
    `rules bench: ${DEVICES} devices × ${POINTS} points at 1 s, ${RULES} rules (${multiDeviceOf(RULES)} multiDevice), ${WARM_S} s warm-up, ${MEASURE_S} s window\n`,
  );
  const sim = await startModbusSim(DEVICES, POINTS);
  try {
    const setup = { ports: sim.ports, devices: DEVICES, points: POINTS, warmS: WARM_S, measureS: MEASURE_S };
    const base = await run({ ...setup, rules: undefined });
    const withRules = await run({ ...setup, rules });
    const added = round(withRules.daemon_cpu_cores - base.daemon_cpu_cores, 3);
    printRuns(base, withRules, added);
    printResult(base, withRules, added, ip);
  } finally {
    sim.proc.kill('SIGTERM');
  }
}

await main();
