/**
 * `npm run bench -- backup [--scale 1] [--doors 200]`: backing up and restoring a full box.
 * Box A holds 50,000 persons each with a card and a QR code on two of the 200 doors, 20,000
 * faces with 512-float vectors and their images, the point tables of 1,000 EBA devices × 200
 * points and 10,000 alarm rules (scripts/bench/backup/seed.ts). With the daemon running and 200
 * simulated door-standard doors (scripts/sim/door-standard, the real protocol) online:
 *   1. QR round trips from the doors at 200/s, idle, then during `edge backup` beside the daemon
 *      (backup time, file size, p99 of the round trips while it runs)
 *   2. `edge restore` into box B (another folder and ports), B started, 200 blank doors at the
 *      old addresses: time from the restore command until every door holds every card it must
 * Baseline (same run, same data): better-sqlite3's `db.backup()` of the database plus
 * `tar czf` of the data folder. The QR figure is the door's whole round trip (door → driver
 * process → daemon decision → door), an upper bound of the daemon's decision time.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { SimulatedDoor } from '../sim/door-standard/door.js';
import { cardOf, doorSn, FAR, personsPerDoor, qrOf, seedBox, type BoxShape } from './backup/seed.js';
import { ascending, benchDir, freePort, launchDaemon, MAIN, percentile, poll, printJsonLine, ratio, round, type Daemon } from './lib.js';

const { values } = parseArgs({ options: { scale: { type: 'string', default: '1' }, doors: { type: 'string', default: '200' } } });
const scale = Number(values.scale);
const shape: BoxShape = {
  persons: Math.round(50_000 * scale),
  faces: Math.round(20_000 * scale),
  ebaDevices: Math.round(1_000 * scale),
  pointsPerDevice: 200,
  rules: Math.round(10_000 * scale),
  doors: Number(values.doors),
};
const ipOf = (d: number): string => `127.0.${10 + Math.floor(d / 250)}.${2 + (d % 250)}`;
const seconds = (t0: number): number => (performance.now() - t0) / 1000;
const say = (line: string): void => void process.stdout.write(`${line}\n`);

function boxConfig(name: string, edgePort: number, doors: SimulatedDoor[]): object {
  return {
    box: { name, dataDir: './data' },
    log: { level: 'warn', file: 'logs/edge.log' },
    http: { host: '127.0.0.1', port: 0 },
    bus: { host: '127.0.0.1', port: 0 },
    drivers: [
      {
        name: 'Property_Door_PerAccess_Standard',
        type: 'door-standard',
        config: { host: '127.0.0.1', port: edgePort, boxIp: '127.0.0.1', keepaliveS: 60 },
        devices: doors.flatMap((door) => [
          { productKey: 'PEDoorQr', deviceName: `${door.opts.sn}.2`, custom: { ip: door.opts.ip, port: door.port } },
          { productKey: 'PEDoorCard', deviceName: `${door.opts.sn}.3`, custom: { ip: door.opts.ip, port: door.port } },
        ]),
      },
    ],
  };
}

async function startDoors(edgeUrl: string, ports: number[]): Promise<SimulatedDoor[]> {
  const doors = Array.from(
    { length: shape.doors },
    (_, d) => new SimulatedDoor({ sn: doorSn(d), ip: ipOf(d), port: ports[d] ?? 0, edgeUrl, keepaliveS: 60, autoKeepalive: false }),
  );
  await Promise.all(doors.map((d) => d.start()));
  return doors;
}

/** Every door's half of /connect, retried until the box takes it, then the box's half. */
async function connectAll(doors: SimulatedDoor[]): Promise<void> {
  await Promise.all(
    doors.map(async (door) => {
      await poll(
        async () => ((await door.connect().catch(() => ({ code: -1 }))).code === 0 ? true : undefined),
        120_000,
        200,
        `${door.opts.sn} connect`,
      );
      await door.waitEdgeConnected(120_000);
    }),
  );
}

/** QR scans at 200/s spread over the doors (each its own person's code) until `until()` says stop; round trips in ms. */
async function scanWhile(doors: SimulatedDoor[], until: () => boolean, minScans: number): Promise<number[]> {
  const rtt: number[] = [];
  const failures: unknown[] = [];
  const pending: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; i < minScans || !until(); i++) {
    const wait = started + i * 5 - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const d = i % doors.length;
    pending.push(
      (async () => {
        const t = performance.now();
        const r = await doors[d]!.scanQr(qrOf(d));
        rtt.push(performance.now() - t);
        if (r.code !== 0) throw new Error(`QR of person ${d} refused at door ${d}: ${JSON.stringify(r)}`);
      })().catch((err: unknown) => void failures.push(err)),
    );
  }
  await Promise.all(pending);
  if (failures.length > 0) throw new Error(`${failures.length} of ${pending.length} QR scans failed, first: ${String(failures[0])}`);
  return ascending(rtt);
}

/** Until the box database has no card delivery left to make (read beside the daemon, WAL). */
async function untilInSync(dbFile: string): Promise<void> {
  const db = new Database(dbFile, { readonly: true });
  try {
    const open = db
      .prepare("SELECT count(*) FROM access_deploy WHERE kind = 'tradCard' AND status NOT IN ('transferred','transferDeleted')")
      .pluck();
    await poll(() => ((open.get() as number) === 0 ? true : undefined), 600_000, 500, 'box A in sync with its doors');
  } finally {
    db.close();
  }
}

function runCli(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out })));
}

const root = benchDir('backup');
const daemons: Daemon[] = [];
// A failure anywhere leaves no daemon behind.
process.once('exit', () => {
  for (const d of daemons) if (d.proc.exitCode === null) d.proc.kill('SIGTERM'); // SIGTERM: it stops its drivers too
});
const allDoors: SimulatedDoor[] = [];
try {
  const a = join(root, 'a');
  let t0 = performance.now();
  await seedBox(join(a, 'data'), shape);
  say(
    `seeded box A in ${seconds(t0).toFixed(1)} s: ${shape.persons} persons (card + QR on 2 of ${shape.doors} doors each), ${shape.faces} faces with vectors and images, ${shape.ebaDevices} × ${shape.pointsPerDevice} points, ${shape.rules} rules`,
  );
  const edgePort = await freePort();
  const edgeUrl = `http://127.0.0.1:${edgePort}`;
  const oldDoors = await startDoors(edgeUrl, []);
  allDoors.push(...oldDoors);
  // A's doors hold what A delivered to them (a blank door would be sent everything again).
  const persons = personsPerDoor(shape);
  for (const [d, door] of oldDoors.entries())
    for (const p of persons[d]!)
      door.state.cards.set(cardOf(p), { type: 1, cardId: cardOf(p), userId: `p${p}`, effectiveTime: '0', expiryTime: FAR });
  const ports = oldDoors.map((d) => d.port);
  writeFileSync(join(a, 'box.yaml'), JSON.stringify(boxConfig('bench-site', edgePort, oldDoors)));
  const boxA = await launchDaemon(a, join(a, 'box.yaml'), { timeoutMs: 120_000 });
  daemons.push(boxA);
  await connectAll(oldDoors);
  say(`box A ready in ${round(boxA.readyMs / 1000)} s; ${shape.doors} doors online`);

  // 1. QR round trips idle, then during `edge backup` beside the running daemon.
  // Warm-up first: the driver's connect-time work with 200 doors is over, the daemon's code is hot.
  // A door-standard door that comes online is sent all its cards again (drivers/door-standard
  // deployment.ts: the protocol cannot ask a door what it holds); measure once A is through that.
  const busy0 = performance.now();
  await untilInSync(join(a, 'data', 'edge.db'));
  say(`box A re-sent every door its cards at their connect: in sync ${seconds(busy0).toFixed(1)} s after the doors were online`);
  await scanWhile(oldDoors, () => true, 600);
  const idle = await scanWhile(oldDoors, () => true, 1000);
  const file = join(root, 'site.tar.gz');
  let backupDone = false;
  t0 = performance.now();
  const backing = runCli(['backup', '-c', join(a, 'box.yaml'), '-o', file]).finally(() => (backupDone = true));
  const during = await scanWhile(oldDoors, () => backupDone, 200);
  const backup = await backing;
  const backupS = seconds(t0);
  if (backup.code !== 0) throw new Error(`edge backup failed: ${backup.out}`);
  const backupMb = statSync(file).size / 1048576;
  say(`edge backup: ${backupS.toFixed(1)} s, ${backupMb.toFixed(1)} MB (goal ≤ 30 s)`);
  say(
    `QR round trip at 200/s: idle p99 ${percentile(idle, 99).toFixed(2)} ms; during the backup (${during.length} scans) p50 ${percentile(during, 50).toFixed(2)} ms, p99 ${percentile(during, 99).toFixed(2)} ms (goal ≤ 2)`,
  );

  // Baseline: the database copied by better-sqlite3 and the data folder by tar, same box, same run.
  t0 = performance.now();
  const base = join(root, 'baseline');
  mkdirSync(base);
  const src = new Database(join(a, 'data', 'edge.db'), { readonly: true });
  await src.backup(join(base, 'edge.db'));
  src.close();
  const tar = spawnSync('tar', ['czf', join(base, 'data.tar.gz'), '-C', join(a, 'data'), '--exclude=edge.db*', '--exclude=logs', '.']);
  if (tar.status !== 0) throw new Error(`tar: ${tar.stderr}`);
  const baselineS = seconds(t0);
  const baselineMb = (statSync(join(base, 'edge.db')).size + statSync(join(base, 'data.tar.gz')).size) / 1048576;
  say(`baseline (db.backup() + tar czf): ${baselineS.toFixed(1)} s, ${baselineMb.toFixed(1)} MB → ratio ${ratio(backupS, baselineS)}`);
  await boxA.stop();
  await Promise.all(oldDoors.map((d) => d.stop()));

  // 2. Restore into box B, blank doors at the old addresses, until every door holds its cards.
  const b = join(root, 'b');
  mkdirSync(b);
  writeFileSync(
    join(b, 'box.yaml'),
    'box: { name: spare, dataDir: ./data }\nhttp: { host: 127.0.0.1, port: 0 }\nbus: { host: 127.0.0.1, port: 0 }\n',
  );
  t0 = performance.now();
  const restore = await runCli(['restore', file, '-c', join(b, 'box.yaml')]);
  if (restore.code !== 0) throw new Error(`edge restore failed: ${restore.out}`);
  const restoreS = seconds(t0);
  say(`edge restore: ${restoreS.toFixed(1)} s`);
  const doors = await startDoors(edgeUrl, ports);
  allDoors.push(...doors);
  const boxB = await launchDaemon(b, join(b, 'box.yaml'), { timeoutMs: 120_000 });
  daemons.push(boxB);
  const startedS = seconds(t0);
  await connectAll(doors);
  await poll(
    () => (doors.every((d, i) => d.state.cards.size === persons[i]!.length) ? true : undefined),
    600_000,
    250,
    'every door in sync',
  );
  const resyncS = seconds(t0);
  const sample = await doors[0]!.scanQr(qrOf(0));
  if (sample.code !== 0) throw new Error(`box B refused a restored QR code: ${JSON.stringify(sample)}`);
  const entries = persons.reduce((n, x) => n + x.length, 0);
  say(
    `restore + re-sync: ${resyncS.toFixed(1)} s (restore ${restoreS.toFixed(1)} s, B ready at ${startedS.toFixed(1)} s; ${entries} cards to ${shape.doors} doors) (goal ≤ 300 s)`,
  );
  await boxB.stop();

  printJsonLine({
    scale,
    doors: shape.doors,
    backup_s: round(backupS, 2),
    backup_mb: round(backupMb, 1),
    backup_baseline_s: round(baselineS, 2),
    backup_baseline_mb: round(baselineMb, 1),
    backup_ratio_vs_baseline: ratio(backupS, baselineS),
    restore_s: round(restoreS, 2),
    restore_resync_s: round(resyncS, 1),
    qr_p99_idle_ms: round(percentile(idle, 99), 2),
    qr_p99_during_backup_ms: round(percentile(during, 99), 2),
    qr_scans_during_backup: during.length,
  });
} finally {
  await Promise.all(daemons.filter((d) => d.proc.exitCode === null).map((d) => d.stop()));
  await Promise.all(allDoors.map((d) => d.stop().catch(() => undefined)));
  if (process.env.BENCH_KEEP) say(`kept ${root}`);
  else rmSync(root, { recursive: true, force: true });
}
