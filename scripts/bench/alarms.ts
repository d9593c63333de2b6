/**
 * Security alarms at a community's scale (issue 18): the real daemon (dist/, its drivers in their
 * own processes) with 500 indoor alarm units (encrypted, 8 zones each, keepalive 10 s, each on its
 * own 127.0.x.y address), 20 DC-09 panels and 10 camera vendors' event adapters. Figures:
 *
 * - connect storm: the 500 units connect at once (each retrying no faster than the protocol's
 *   10 connects/s per unit) — from the first connect to every unit connected, zones reported and
 *   pinged back by the box (goal ≤ 5 s);
 * - steady CPU: the box's processes (daemon + drivers, from /proc/<pid>/stat) over a window of
 *   keepalives only, panels' link tests and the box's adapter polling (goal ≤ 0.1 core);
 * - alarm-to-outbox p99 while the units report 100 alarms/s in total (keepalives going on): each
 *   report's `alarmTime` is the ms it was sent; the daemon's database gives, per alarm, the
 *   `created_at` of its cloud_outbox row, written in the transaction that commits it (the unit is
 *   answered only after that commit, so the report's round trip bounds it from above) (goal ≤ 20 ms).
 * Baseline, same run: a bare Node HTTP server (scripts/bench/alarms/bare.ts) taking the same
 * keepalives and reports from the same addresses; ratios are box / bare.
 * The cloud link points at a closed port: alarms wait in the outbox as history, as offline.
 *
 *   npm run bench -- alarms [--units 500] [--panels 20] [--adapters 10] [--steady-s 30] [--alarm-s 20] [--rate 100]
 * (≈ 4 min at full size; `--units 50 --steady-s 5 --alarm-s 5` for development). With
 * BENCH_DEBUG=1 it also prints the 15 slowest alarms as `ms@offset` into the window.
 * Last line: one JSON object.
 */
import { fork } from 'node:child_process';
import { createPublicKey, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { AES_KEY_BYTES } from '../../protocols/alarm-unit/index.js';
import type { SimulatedAlarmUnit } from '../sim/alarm-unit/unit.js';
import {
  adapterDrivers,
  connectUnit,
  driversYaml,
  KEEPALIVE_S,
  makeAdapters,
  makePanels,
  makeUnits,
  ZONES_PER_UNIT,
} from './alarms/fleet.js';
import { childPids, cpuSeconds, freePort, percentile, round, sleep, startDaemon } from './lib.js';

const { values: args } = parseArgs({
  options: {
    units: { type: 'string', default: '500' },
    panels: { type: 'string', default: '20' },
    adapters: { type: 'string', default: '10' },
    'steady-s': { type: 'string', default: '30' },
    'alarm-s': { type: 'string', default: '20' },
    rate: { type: 'string', default: '100' },
  },
});
const UNITS = Number(args.units);
const PANELS = Number(args.panels);
const ADAPTERS = Number(args.adapters);
const STEADY_S = Number(args['steady-s']);
const ALARM_S = Number(args['alarm-s']);
const RATE = Number(args.rate);
/** Before a measuring window: the JIT warm, the first keepalives' connections gone. */
const WARM_S = 5;

interface Load {
  /** Round trips of the requests answered code 0, ms, sorted. */
  rtt: number[];
  failed: number;
  first?: string;
}

/** Fire `fire(i)` at `rate` per second for `seconds`, each at its own time; the round trips. */
async function paced(rate: number, seconds: number, fire: (i: number) => Promise<{ body: Record<string, unknown> }>): Promise<Load> {
  const out: Load = { rtt: [], failed: 0 };
  const pending: Promise<void>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < Math.round(rate * seconds); i++) {
    const wait = t0 + (i * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
    const s = performance.now();
    pending.push(
      fire(i).then(
        (r) => {
          if (r.body.code === 0) out.rtt.push(performance.now() - s);
          else {
            out.failed++;
            out.first ??= JSON.stringify(r.body);
          }
        },
        (err: Error) => {
          out.failed++;
          out.first ??= err.message;
        },
      ),
    );
  }
  await Promise.all(pending);
  out.rtt.sort((a, b) => a - b);
  return out;
}

/** Keepalives of every unit, each every KEEPALIVE_S, spread evenly; with `alarms` reports at RATE/s besides. */
function traffic(units: SimulatedAlarmUnit[], seconds: number, alarms: boolean): Promise<[Load, Load | undefined]> {
  const keep = paced(units.length / KEEPALIVE_S, seconds, (i) => units[i % units.length]!.keepalive());
  const report = alarms
    ? paced(RATE, seconds, (i) => {
        const u = units[(i * 7919) % units.length]!;
        const zoneID = String((Math.floor(i / units.length) % ZONES_PER_UNIT) + 1).padStart(2, '0');
        return u.reportAlarm([{ zoneID, alarmTime: String(Date.now()) }]);
      })
    : Promise.resolve(undefined);
  return Promise.all([keep, report]);
}

/** CPU cores the processes used while `fn` ran. */
async function coresDuring<T>(pids: () => number[], fn: () => Promise<T>): Promise<{ value: T; cores: number; each: number[] }> {
  const ps = pids();
  const c0 = ps.map(cpuSeconds);
  const t0 = performance.now();
  const value = await fn();
  const s = (performance.now() - t0) / 1000;
  const each = ps.map((p, i) => round((cpuSeconds(p) - c0[i]!) / s, 3));
  return {
    value,
    cores: round(
      each.reduce((a, b) => a + b, 0),
      3,
    ),
    each,
  };
}

const p99 = (l: Load): number => round(percentile(l.rtt, 99), 2);
const check = (what: string, l: Load | undefined): void => {
  if (l && l.failed > 0) throw new Error(`${what}: ${l.failed} failed, first: ${l.first}`);
};

// ── baseline: the bare server, the same requests from the same addresses ─────────────
const bare = fork(join(dirname(fileURLToPath(import.meta.url)), 'alarms', 'bare.js'), [], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
const barePort = await new Promise<number>((r) => bare.stdout!.once('data', (b: Buffer) => r(Number(b.toString().trim()))));
const bareUnits = makeUnits(UNITS, `http://127.0.0.1:${barePort}`, '');
for (const u of bareUnits) {
  u.token = 'bare';
  u.key = randomBytes(AES_KEY_BYTES); // the reports carry a ciphertext of the same size as the box's
}
const bareSteady = await coresDuring(
  () => [bare.pid!],
  () => traffic(bareUnits, STEADY_S, false),
);
const [, bareReports] = await traffic(bareUnits, ALARM_S, true);
check('bare keepalive', bareSteady.value[0]);
bare.kill('SIGTERM');

// ── the box ──────────────────────────────────────────────────────────────────────
const ports = { unit: await freePort(), dc09: await freePort(), adapter: [] as number[] };
for (let d = 0; d < adapterDrivers(ADAPTERS); d++) ports.adapter.push(await freePort());
const cloud = `cloud: ${JSON.stringify({ productKey: 'PEGateway', deviceName: 'bench-box', deviceSecret: 'bench-secret-0123456789', url: `mqtt://127.0.0.1:${await freePort()}`, reconnectMaxMs: 30_000 })}\n`;
const daemon = await startDaemon(cloud + driversYaml({ units: UNITS, panels: PANELS, adapters: ADAPTERS, ports }));
const boxPids = (): number[] => [daemon.pid, ...childPids(daemon.pid)];
try {
  const pem = createPublicKey(readFileSync(join(daemon.dir, 'data', 'device-rsa-key.pem')))
    .export({ type: 'spki', format: 'pem' })
    .toString();
  const units = makeUnits(UNITS, `http://127.0.0.1:${ports.unit}`, pem);
  await Promise.all(units.map((u) => u.start()));
  // The driver is up and has its devices once a unit's address is answered pong.
  for (const until = Date.now() + 60_000; (await units[UNITS - 1]!.get('/alarm/ping').catch(() => undefined))?.body.message !== 'pong'; ) {
    if (Date.now() > until) throw new Error('the alarm-unit driver did not come up');
    await sleep(100);
  }

  const t0 = performance.now();
  await Promise.all(units.map((u) => connectUnit(u, Date.now() + 60_000)));
  const connectedS = (performance.now() - t0) / 1000;
  for (const until = Date.now() + 60_000; units.some((u) => u.state.pings === 0); await sleep(10))
    if (Date.now() > until) throw new Error(`${units.filter((u) => u.state.pings === 0).length} units never pinged`);
  const stormS = (performance.now() - t0) / 1000;

  const panels = makePanels(PANELS, ports.dc09);
  const adapters = makeAdapters(ADAPTERS, ports.adapter);
  for (const p of panels) if ((await p.linkTest()).kind !== 'ACK') throw new Error(`panel ${p.o.account}: no ACK`);
  for (const a of adapters) {
    await a.start();
    for (const r of [await a.authenticate(), await a.getConfig()])
      if (r.body.code !== 200) throw new Error(`adapter ${a.o.ip}: ${JSON.stringify(r.body)}`);
  }
  const linkTests = setInterval(() => panels.forEach((p) => void p.linkTest().catch(() => undefined)), 20_000);

  await traffic(units, WARM_S, true); // the alarm path warm too (its first reports pay the JIT)
  const steady = await coresDuring(boxPids, () => traffic(units, STEADY_S, false));
  check('keepalive', steady.value[0]);
  const alarmFrom = Date.now();
  const [keep, reports] = await traffic(units, ALARM_S, true);
  check('keepalive under alarms', keep);
  check('reportAlarm', reports);
  clearInterval(linkTests);

  const db = new Database(join(daemon.dir, 'data', 'edge.db'), { readonly: true });
  const rows = db
    .prepare(
      "SELECT o.created_at - a.time AS ms, a.time AS t FROM security_alarms a JOIN cloud_outbox o ON o.ref = 'secalarm:' || a.alarm_id WHERE a.time >= ? AND a.event_id = 'Alarm'",
    )
    .all(alarmFrom) as Array<{ ms: number; t: number }>;
  db.close();
  if (process.env.BENCH_DEBUG)
    console.log(
      rows
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 15)
        .map((r) => `${r.ms}@${r.t - alarmFrom}`)
        .join(' '),
    );
  const toOutbox = rows.map((r) => r.ms).sort((a, b) => a - b);
  const sent = Math.round(RATE * ALARM_S);
  if (toOutbox.length !== sent) throw new Error(`${sent} alarms reported, ${toOutbox.length} in the outbox`);
  const outboxP99 = percentile(toOutbox, 99);

  const ratioCpu = round(steady.cores / Math.max(bareSteady.cores, 0.001), 1);
  const ratioRtt = round(percentile(reports!.rtt, 99) / percentile(bareReports!.rtt, 99), 1);
  console.log(`units ${UNITS} (× ${ZONES_PER_UNIT} zones, encrypted, keepalive ${KEEPALIVE_S} s), panels ${PANELS}, adapters ${ADAPTERS}`);
  console.log(`connect storm: all connected in ${round(connectedS, 2)} s, all pinged back (online) in ${round(stormS, 2)} s (goal ≤ 5 s)`);
  console.log(
    `steady keepalive CPU: box ${steady.cores} cores [daemon, drivers: ${steady.each.join(', ')}] (goal ≤ 0.1); bare server ${bareSteady.cores}; ratio ${ratioCpu}`,
  );
  console.log(
    `alarm → outbox row at ${RATE}/s: p50 ${percentile(toOutbox, 50)} ms, p99 ${outboxP99} ms, max ${toOutbox.at(-1)} ms (goal p99 ≤ 20 ms; ms resolution)`,
  );
  console.log(`reportAlarm round trip p99: box ${p99(reports!)} ms, bare ${p99(bareReports!)} ms, ratio ${ratioRtt}`);
  await Promise.all([...units.map((u) => u.stop()), ...panels.map((p) => p.close()), ...adapters.map((a) => a.stop())]);
  console.log(
    JSON.stringify({
      units: UNITS,
      alarm_to_outbox_p99_ms: outboxP99,
      steady_cpu_cores: steady.cores,
      connect_storm_s: round(stormS, 2),
      report_rtt_p99_ms: p99(reports!),
      bare_report_rtt_p99_ms: p99(bareReports!),
      report_rtt_p99_ratio_vs_bare: ratioRtt,
      bare_steady_cpu_cores: bareSteady.cores,
      steady_cpu_ratio_vs_bare: ratioCpu,
    }),
  );
} finally {
  await daemon.stop();
}
