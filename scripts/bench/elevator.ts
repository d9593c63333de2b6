/**
 * Elevator-linkage benchmark (`npm run bench -- elevator [--doors 200] [--gateways 20]
 * [--users 50000] [--passes 1000]`): a real box (runtime in this process, the door-standard
 * driver in its child process) with 200 simulated doors and 20 simulated elevator gateways on
 * the door standard protocol, one CALL_WITH_TARGET relation per door (delaySeconds 0) and 50,000
 * linkage users spread over them. QR passes at 200/s, each by another person:
 *   baseline (same run): the passes with the linkage switched off at every gateway
 *   then: the same number of passes with it on
 * Figures: pass-to-elevator-command latency (the pass record's commit → the gateway holds the
 * /elevator/call), the QR round trip the door sees with and without linkage (what the linkage
 * adds to a pass), and records lost (passes that matched minus AutoElevatorCallRecords stored).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseConfig } from '../../edge/config/load.js';
import { silentLogger } from '../../edge/log.js';
import { Runtime } from '../../edge/runtime.js';
import type { UserEntry } from '../../edge/elevators/validate.js';
import { SimulatedDoor } from '../sim/door-standard/door.js';
import { freePort, percentile, round } from './lib.js';

const { values } = parseArgs({
  options: {
    doors: { type: 'string', default: '200' },
    gateways: { type: 'string', default: '20' },
    users: { type: 'string', default: '50000' },
    passes: { type: 'string', default: '1000' },
  },
});
const DOORS = Number(values.doors);
const GATEWAYS = Number(values.gateways);
const USERS = Number(values.users);
const PASSES = Number(values.passes);
const ipOf = (i: number): string => `127.0.${20 + Math.floor(i / 250)}.${2 + (i % 250)}`;
const qrOf = (user: number): string => `ALI${String(user).padStart(29, '0')}`;
const userOf = (door: number, k: number): number => door + k * DOORS;
const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
let PASSES_NOW = PASSES;

async function paced(n: number, perSecond: number, fn: (i: number) => Promise<void>): Promise<void> {
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const wait = started + (i * 1000) / perSecond - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(fn(i));
  }
  await Promise.all(pending);
}

const dir = mkdtempSync(join(tmpdir(), 'pe-bench-elev-'));
const sims: SimulatedDoor[] = [];
let runtime: Runtime | undefined;
try {
  const boxPort = await freePort();
  const edgeUrl = `http://127.0.0.1:${boxPort}`;
  const doors = Array.from(
    { length: DOORS },
    (_, i) => new SimulatedDoor({ sn: `DOOR-${i}`, ip: ipOf(i), port: 0, edgeUrl, keepaliveS: 60, autoKeepalive: false }),
  );
  const gateways = Array.from(
    { length: GATEWAYS },
    (_, i) => new SimulatedDoor({ sn: `EL-${i}`, ip: ipOf(DOORS + i), port: 0, edgeUrl, keepaliveS: 60, autoKeepalive: false }),
  );
  sims.push(...doors, ...gateways);
  await Promise.all(sims.map((d) => d.start()));
  const devices = [
    ...doors.map((d, i) => ({ productKey: 'PEDoorQr', deviceName: `DOOR-${i}.2`, custom: { ip: d.opts.ip, port: d.port } })),
    ...gateways.map((g, i) => ({ productKey: 'PEElevatorGateway', deviceName: `EL-${i}`, custom: { ip: g.opts.ip, port: g.port } })),
  ];
  // Logging off (error level, no output): the figure is the linkage, not log I/O.
  const config = parseConfig(
    JSON.stringify({
      box: { name: 'bench', dataDir: dir },
      http: { host: '127.0.0.1', port: 0 },
      bus: { enabled: false },
      log: { level: 'error' },
      drivers: [
        {
          name: 'Property_Door_PerAccess_Standard',
          type: 'door-standard',
          config: { host: '127.0.0.1', port: boxPort, boxIp: '127.0.0.1', keepaliveS: 60 },
          devices,
        },
      ],
    }),
  );
  runtime = new Runtime({ config, baseDir: dir, file: undefined }, { log: silentLogger() });
  await runtime.start();
  const rt = runtime;
  const linkage = rt.elevators!;

  // Relations and users: door i → gateway i % GATEWAYS, floor 1; user u of door u % DOORS goes to floor 2 + u % 30.
  for (let i = 0; i < DOORS; i++)
    linkage.api.addRelation(
      {
        dataId: `door-${i}`,
        controlMode: 'CALL_WITH_TARGET',
        elevatorIotId: `PEElevatorGateway/EL-${i % GATEWAYS}`,
        triggerIotId: `PEDoorQr/DOOR-${i}.2`,
        triggerFloor: '1',
      },
      'bench',
    );
  const entries: UserEntry[] = Array.from({ length: USERS }, (_, u) => ({
    dataId: `door-${u % DOORS}`,
    paramType: 'IDENTITY',
    paramValue: `user-${u}`,
    expiryTime: '',
    expiryMs: undefined,
    userTargetList: [{ targetFloor: String(2 + (u % 30)) }],
    version: '1.0.2',
  }));
  const tUsers = performance.now();
  linkage.store.putUsers(entries);
  const usersMs = performance.now() - tUsers;
  // The door permissions of the persons who pass (two phases of PASSES passes).
  const perDoor = Math.ceil(PASSES / 5 / DOORS) + 2 * Math.ceil(PASSES / DOORS);
  for (let i = 0; i < DOORS; i++) {
    const list = Array.from({ length: perDoor }, (_, k) => ({
      type: 1,
      qrCode: qrOf(userOf(i, k)),
      userId: `user-${userOf(i, k)}`,
      startTime: String(Date.now() - 86_400_000),
      endTime: String(Date.now() + 86_400_000),
      maxScanTimes: -1,
    }));
    rt.access!.applyPermissionText(`PEDoorQr/DOOR-${i}.2`, JSON.stringify({ qrCodePermissionList: list }));
  }

  await Promise.all(sims.map((d) => d.connect()));
  await Promise.all(sims.map((d) => d.waitEdgeConnected(60_000)));
  for (;;) {
    if (devices.every((d) => rt.registry.get(d.productKey, d.deviceName)?.status === 'online')) break;
    await new Promise((r) => setTimeout(r, 20));
  }

  // When each pass was committed, by the person's QR code (the commit is the start of the linkage).
  const committedAt = new Map<string, number>();
  rt.events.on('bench', 'access.pass', (p) => void committedAt.set(p.content, performance.now()));
  const commandLatency: number[] = [];
  const setSwitch = async (a: 'enable' | 'disable') => {
    for (let g = 0; g < GATEWAYS; g++) {
      const r = await rt.host.callService('PEElevatorGateway', `EL-${g}`, 'SetElevatorRuleState', { Availability: a });
      if (r.code !== 200) throw new Error(`SetElevatorRuleState: ${JSON.stringify(r)}`);
    }
  };

  async function phase(k0: number, withLinkage: boolean): Promise<{ rtt: number[]; commands: number }> {
    const rtt: number[] = [];
    let commands = 0;
    const counters = gateways.map((g) => {
      const fn = (): void => void commands++;
      g.on('elevatorCommand', fn);
      return () => g.off('elevatorCommand', fn);
    });
    await paced(PASSES_NOW, 200, async (n) => {
      const door = n % DOORS;
      const user = userOf(door, k0 + Math.floor(n / DOORS));
      const code = qrOf(user);
      const gateway = gateways[door % GATEWAYS]!;
      // The gateway learns nothing of the QR code: a pass's call is told apart by its gateway and target floor.
      const got = withLinkage
        ? new Promise<number>((resolve) => {
            const fn = (c: { path: string; value: unknown; at: number }): void => {
              if (c.path !== '/elevator/call' || (c.value as { targetFloor?: string }).targetFloor !== String(2 + (user % 30))) return;
              gateway.off('elevatorCommand', fn);
              resolve(performance.now());
            };
            gateway.on('elevatorCommand', fn);
          })
        : undefined;
      const s = performance.now();
      const r = await doors[door]!.scanQr(code);
      rtt.push(performance.now() - s);
      if (r.code !== 0) throw new Error(`scan refused: ${JSON.stringify(r)}`);
      if (got) {
        const at = await got;
        commandLatency.push(at - (committedAt.get(code) ?? s));
      }
    });
    for (const off of counters) off();
    return { rtt, commands };
  }

  // Warm-up (not measured): JIT, connection set-up and SQLite caches would otherwise land on the baseline.
  const WARM = Math.ceil(PASSES / 5 / DOORS);
  const measured = PASSES;
  PASSES_NOW = Math.min(PASSES, WARM * DOORS);
  await phase(0, true);
  PASSES_NOW = measured;
  commandLatency.length = 0;
  await setSwitch('disable');
  const base = await phase(WARM, false);
  await setSwitch('enable');
  const recordsBefore = linkage.records.count();
  const matchedBefore = linkage.engine.stats.matched;
  const linked = await phase(WARM + Math.ceil(PASSES / DOORS), true);
  for (
    let t = 0;
    t < 200 && linkage.engine.waiting + (linkage.engine.stats.matched - matchedBefore) - (linkage.records.count() - recordsBefore) > 0;
    t++
  )
    await new Promise((r) => setTimeout(r, 25));
  const matched = linkage.engine.stats.matched - matchedBefore;
  const stored = linkage.records.count() - recordsBefore;
  const failed = linkage.engine.stats.failed;

  const cmd = sorted(commandLatency);
  const baseRtt = sorted(base.rtt);
  const linkRtt = sorted(linked.rtt);
  const result = {
    doors: DOORS,
    gateways: GATEWAYS,
    linkage_users: USERS,
    users_load_ms: round(usersMs, 0),
    passes: PASSES,
    command_p50_ms: round(percentile(cmd, 50), 2),
    command_p99_ms: round(percentile(cmd, 99), 2),
    pass_rtt_p50_ms: round(percentile(linkRtt, 50), 2),
    pass_rtt_baseline_p50_ms: round(percentile(baseRtt, 50), 2),
    pass_rtt_p99_ms: round(percentile(linkRtt, 99), 2),
    pass_rtt_baseline_p99_ms: round(percentile(baseRtt, 99), 2),
    added_p99_ms: round(Math.max(0, percentile(linkRtt, 99) - percentile(baseRtt, 99)), 2),
    pass_rtt_p99_ratio_vs_baseline: round(percentile(linkRtt, 99) / Math.max(0.001, percentile(baseRtt, 99)), 2),
    commands: linked.commands,
    baseline_commands: base.commands,
    records_lost: matched - stored,
    records_failed: failed,
  };
  process.stdout.write(`linkage users: ${USERS} over ${DOORS} relations loaded in ${result.users_load_ms} ms\n`);
  process.stdout.write(
    `pass → elevator command at 200 passes/s: p50 ${result.command_p50_ms} ms, p99 ${result.command_p99_ms} ms (goal ≤ 20)\n`,
  );
  process.stdout.write(
    `QR pass round trip p50: ${result.pass_rtt_p50_ms} ms with linkage, ${result.pass_rtt_baseline_p50_ms} ms switched off\n`,
  );
  process.stdout.write(
    `QR pass round trip p99: ${result.pass_rtt_p99_ms} ms with linkage, ${result.pass_rtt_baseline_p99_ms} ms switched off (added ${result.added_p99_ms} ms, goal ≤ 5; ratio ${result.pass_rtt_p99_ratio_vs_baseline})\n`,
  );
  process.stdout.write(
    `commands: ${result.commands} (baseline ${result.baseline_commands}); records lost ${result.records_lost}, failed ${result.records_failed}\n`,
  );
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (result.baseline_commands !== 0 || result.records_lost !== 0 || result.commands !== PASSES) process.exitCode = 1;
} finally {
  await runtime?.stop();
  await Promise.all(sims.map((d) => d.stop()));
  rmSync(dir, { recursive: true, force: true });
}
