/**
 * Issue 12, first test: no acknowledged pass is lost and every pass record reaches the cloud
 * once, while the daemon is killed with SIGKILL again and again.
 *
 * Two simulated doors (face .1, QR .2, card .3, BLE .4 each) send card, BLE, QR (allowed and
 * unknown) and face passes at ≥ 200/s in total; every credential is unique, so a door answer, a
 * store row and a cloud message are matched by content as well as by pass id. The daemon runs
 * from dist/ as a child, with the cloud stand-in on a real mosquitto; it is killed after a
 * random 1.5-4 s of traffic, ≥ 10 times, and restarted on the same data folder. The doors go on
 * sending all along (refused connections while the box is down) and reconnect on code 4.
 *
 * Checked after the last run drained its outbox and stopped:
 * - every pass answered code 0 is in `access_pass_records` (with code 0) and its pass id is at
 *   the cloud in exactly one Alink message (realtime or history form);
 * - every refused pass (unknown QR code, answered 1) is stored and reported to the cloud too;
 * - every stored record is at the cloud, every pass at the cloud is in the store, and no door
 *   pass event reaches the cloud without a pass id (the one route);
 * - a message seen twice at the cloud is a redelivery: same device, Alink id and events (the
 *   outbox may have moved a late replay to the history form).
 * Runs dist/: `npm run build` first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/sim/cloud/broker.js';
import { SimulatedDoor } from '../../scripts/sim/door-standard/door.js';
import { metric, startDaemon, startRig, type CloudRig, type Daemon } from '../cloud/helpers.js';
import { waitFor } from '../helpers/runtime.js';
import {
  DOORS,
  DOOR_SUBS,
  KILLS,
  KINDS,
  PassLoad,
  alive,
  boxConfig,
  childrenOf,
  passesOf,
  sleep,
  type Attempt,
  type CloudPass,
  type StoreRow,
} from './kill-passes-rig.js';

describe('kill -9 while doors pass (issue 12)', () => {
  let rig: CloudRig | undefined;
  let dir: string | undefined;
  const doors: SimulatedDoor[] = [];
  const daemons: Daemon[] = [];
  const drivers = new Set<number>();

  afterAll(async () => {
    for (const d of daemons) if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGKILL');
    for (const pid of drivers) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await Promise.all(doors.map((d) => d.stop()));
    await rig?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`loses no acknowledged pass and reports every record once through ${KILLS} SIGKILLs`, async () => {
    rig = await startRig(DOOR_SUBS);
    dir = mkdtempSync(join(tmpdir(), 'pe-kill-passes-'));
    const boxPort = await freePort();
    for (const d of DOORS) {
      const door = new SimulatedDoor({
        sn: d.sn,
        ip: d.ip,
        port: 0,
        edgeUrl: `http://127.0.0.1:${boxPort}`,
        keepaliveS: 30,
        autoKeepalive: false,
      });
      await door.start();
      doors.push(door);
    }
    const first = boxConfig(
      dir,
      rig.broker.url,
      boxPort,
      doors.map((d) => d.port),
      true,
    );
    const cfg = boxConfig(
      dir,
      rig.broker.url,
      boxPort,
      doors.map((d) => d.port),
      false,
    );
    const boot = async (config = cfg): Promise<{ daemon: Daemon; url: string }> => {
      const daemon = startDaemon(config, dir!, [], true);
      daemons.push(daemon);
      const url = await waitFor(() => {
        if (daemon.child.exitCode !== null) throw new Error(`exited with ${daemon.child.exitCode}`);
        return /health: (http:\/\/\S+)\/healthz/.exec(daemon.out())?.[1];
      }, 30_000).catch((err: Error) => {
        throw new Error(`daemon did not start: ${err.message}\n${daemon.out()}`);
      });
      return { daemon, url };
    };

    let { daemon, url } = await boot(first);
    // The first run: doors connected both ways and the cloud sessions up, so the run starts clean.
    for (const door of doors) await waitFor(async () => (await door.connect().catch(() => ({ code: -1 }))).code === 0, 20_000, 100);
    await Promise.all(doors.map((d) => d.waitEdgeConnected()));
    await waitFor(() => DOOR_SUBS.every((s) => rig!.cloud.loggedIn.has(`${s.productKey}/${s.deviceName}`)), 30_000);

    const load = new PassLoad(doors);
    load.start();
    let reconnects = 0;
    for (const d of doors) d.on('connected', () => reconnects++);

    let kills = 0;
    const restartMs: number[] = [];
    const orphanMs: number[] = [];
    let upSince = Date.now();
    let upMs = 0;
    for (let k = 0; k < KILLS; k++) {
      await sleep(1500 + Math.random() * 2500);
      for (const pid of childrenOf(daemon.child.pid!)) drivers.add(pid);
      daemon.child.kill('SIGKILL');
      await daemon.exited;
      kills++;
      const down = Date.now();
      upMs += down - upSince;
      // The orphaned driver notices its host is gone and exits; its port must be free again.
      const orphans = [...drivers].filter(alive);
      await waitFor(() => orphans.every((pid) => !alive(pid)), 5000).catch(() => {
        for (const pid of orphans) if (alive(pid)) process.kill(pid, 'SIGKILL');
      });
      orphanMs.push(Date.now() - down);
      ({ daemon, url } = await boot());
      upSince = Date.now();
      restartMs.push(upSince - down);
    }
    await sleep(3000); // the last run takes passes too
    await load.stop();
    upMs += load.stoppedAt - upSince;

    // Drain: the link is up and the outbox empty for a second, or 20 s have passed.
    let drained = false;
    const drainUntil = Date.now() + 20_000;
    let emptySince = 0;
    while (Date.now() < drainUntil) {
      const up = await metric(url, 'edge_cloud_link_up').catch(() => undefined);
      const depth = await metric(url, 'edge_cloud_outbox_depth').catch(() => undefined);
      if (up === 1 && depth === 0) {
        emptySince ||= Date.now();
        if (Date.now() - emptySince >= 1000) {
          drained = true;
          break;
        }
      } else emptySince = 0;
      await sleep(200);
    }
    for (const pid of childrenOf(daemon.child.pid!)) drivers.add(pid);
    daemon.child.kill('SIGTERM');
    const exitCode = await daemon.exited;

    // ── the box store ──
    const db = new Database(join(dir, 'data', 'edge.db'), { readonly: true, fileMustExist: true });
    const rows = db.prepare('SELECT pass_id, device_key, kind, content, face_id, code FROM access_pass_records').all() as StoreRow[];
    db.close();
    const byCredential = new Map<string, StoreRow[]>();
    // A face record names its face in face_id (content may be empty): index both, the
    // credentials of the run never collide across kinds.
    for (const r of rows) {
      for (const credential of new Set([r.content, r.face_id ?? ''].filter((c) => c !== '')))
        byCredential.set(credential, [...(byCredential.get(credential) ?? []), r]);
    }
    const storeIds = new Set(rows.map((r) => r.pass_id).filter((id): id is string => !!id));
    // Messages the broker acknowledged may still be on their way to the stand-in: wait for every
    // stored pass there (what is still missing after that is reported below as lost at the cloud).
    await waitFor(() => {
      const atCloud = new Set(rig!.cloud.posts.flatMap((p) => passesOf(p).map((c) => c.passId)));
      return [...storeIds].every((id) => atCloud.has(id));
    }, 5000).catch(() => undefined);

    // ── the cloud ──
    const doorDevices = new Set(DOOR_SUBS.map((s) => `${s.productKey}/${s.deviceName}`));
    const posts = rig.cloud.posts.filter((p) => doorDevices.has(p.device));
    // A message delivered again keeps its Alink id and its events; the outbox may have rewritten
    // it to the history form meanwhile (realtimeToHistory), so the events are compared, not bytes.
    const firstEvents = new Map<string, string>();
    let redeliveries = 0;
    const differingRedeliveries: string[] = [];
    const cloudPasses: CloudPass[] = [];
    for (const p of posts) {
      const key = `${p.device}#${p.id}`;
      const found = passesOf(p);
      const events = JSON.stringify(found.map((c) => c.event));
      const seen = firstEvents.get(key);
      if (seen !== undefined) {
        redeliveries++;
        if (seen !== events) differingRedeliveries.push(key);
        continue;
      }
      firstEvents.set(key, events);
      cloudPasses.push(...found);
    }
    const messagesOf = new Map<string, Set<string>>();
    const cloudById = new Map<string, CloudPass>();
    for (const c of cloudPasses) {
      if (!c.passId) continue;
      messagesOf.set(c.passId, (messagesOf.get(c.passId) ?? new Set()).add(c.message));
      if (!cloudById.has(c.passId)) cloudById.set(c.passId, c);
    }
    const withoutId = cloudPasses.filter((c) => !c.passId);
    const duplicated = [...messagesOf].filter(([, m]) => m.size > 1).map(([id]) => id);
    const atCloud = (r: StoreRow | undefined) => !!r?.pass_id && messagesOf.has(r.pass_id);

    // ── the doors' view ──
    const success = load.attempts.filter((a) => a.code === 0);
    const refused = load.attempts.filter((a) => a.code === 1);
    const lostStore = success.filter((a) => !byCredential.get(a.credential)?.some((r) => r.code === 0));
    const lostCloud = success.filter(
      (a) =>
        byCredential.get(a.credential)?.some((r) => r.code === 0) &&
        !byCredential.get(a.credential)!.some((r) => r.code === 0 && atCloud(r)),
    );
    const lost = [...lostStore, ...lostCloud];
    const refusedNotStored = refused.filter((a) => !byCredential.get(a.credential)?.some((r) => r.code !== 0));
    const refusedNotAtCloud = refused.filter(
      (a) =>
        byCredential.get(a.credential)?.some((r) => r.code !== 0) &&
        !byCredential.get(a.credential)!.some((r) => r.code !== 0 && atCloud(r)),
    );
    const storedNotAtCloud = rows.filter((r) => !atCloud(r));
    // The cloud's event says what the store says: same credential, same result code.
    const cloudDiffers = rows.filter((r) => {
      const c = r.pass_id ? cloudById.get(r.pass_id) : undefined;
      return c !== undefined && (c.code !== r.code || (c.content !== r.content && c.content !== r.face_id));
    });
    const cloudNotStored = [...messagesOf.keys()].filter((id) => !storeIds.has(id));
    // Recorded although the door got no answer: a real door that resends such a pass (card and BLE
    // reports carry no id of their own) would make a second record.
    const unansweredStored = load.attempts.filter((a) => a.code === undefined && byCredential.has(a.credential));
    // A credential is used once, so two records of it mean the box stored one pass twice.
    const storedTwice = [...byCredential].filter(([, rs]) => rs.length > 1).map(([c]) => c);

    const trafficS = (load.stoppedAt - load.startedAt) / 1000;
    const codes = new Map<string, number>();
    // Refused connections are the box being down; resets and timeouts are requests the kill cut.
    const outcome = (a: Attempt) =>
      a.code !== undefined
        ? `code ${a.code}`
        : /ECONNREFUSED/.test(a.error ?? '')
          ? 'refused connection'
          : /ECONNRESET|hang up/.test(a.error ?? '')
            ? 'reset'
            : /timed out/.test(a.error ?? '')
              ? 'timeout'
              : 'other error';
    for (const a of load.attempts) codes.set(outcome(a), (codes.get(outcome(a)) ?? 0) + 1);
    const perKind = KINDS.map(
      (k) => `${k} ${success.filter((a) => a.kind === k).length}/${load.attempts.filter((a) => a.kind === k).length}`,
    ).join(', ');
    const summary = [
      `kill -9 passes: ${load.attempts.length} passes sent in ${trafficS.toFixed(1)} s (${(load.attempts.length / trafficS).toFixed(0)}/s), ${success.length} answered success, ${refused.length} refused, ${kills} kills, lost ${lost.length}, duplicate deliveries ${redeliveries} (duplicate passes ${duplicated.length})`,
      `  answers: ${[...codes].map(([c, n]) => `${c} ${n}`).join(', ')}; success/sent per kind: ${perKind}; door reconnects ${reconnects}`,
      `  answered while up (health → kill): ${((success.length + refused.length) / (upMs / 1000)).toFixed(0)}/s over ${(upMs / 1000).toFixed(1)} s; restart (kill → health) ms: ${restartMs.join(' ')}`,
      `  driver processes ${drivers.size}, orphaned driver gone after (ms): ${orphanMs.join(' ')}; outbox drained: ${drained}; last exit code ${exitCode}`,
      `  store: ${rows.length} records; lost not in store ${lostStore.length} (${[...new Set(lostStore.map((a) => a.kind))].join(' ')}), lost not at cloud ${lostCloud.length}`,
      `  cloud: ${posts.length} door posts, ${firstEvents.size} messages, ${cloudPasses.length} pass events (${cloudPasses.filter((c) => c.form === 'history').length} history), ${withoutId.length} without pass id, ${duplicated.length} pass ids in two messages, ${differingRedeliveries.length} redeliveries that differ`,
      `  refused not stored ${refusedNotStored.length}, refused not at cloud ${refusedNotAtCloud.length}; stored not at cloud ${storedNotAtCloud.length}; at cloud not stored ${cloudNotStored.length}; cloud event differs from its record ${cloudDiffers.length}; stored twice ${storedTwice.length}; stored but unanswered ${unansweredStored.length}`,
    ].join('\n');
    console.log(summary);

    // The harness itself: load, kills, restarts and reconnects happened as designed.
    expect(kills).toBeGreaterThanOrEqual(10);
    expect(load.attempts.length / trafficS).toBeGreaterThanOrEqual(200);
    expect(reconnects).toBeGreaterThanOrEqual(kills); // each restart forgot the doors' tokens
    for (const k of KINDS)
      expect.soft(load.attempts.filter((a) => a.kind === k && a.code !== undefined).length, `${k} answered`).toBeGreaterThan(0);
    expect.soft(success.length, 'answered success').toBeGreaterThan(load.attempts.length / 4);
    expect.soft(refused.length, 'refused').toBeGreaterThan(0);
    expect.soft(drained, 'outbox drained before the end').toBe(true);
    // The contract.
    const sample = (list: Attempt[]) => list.slice(0, 5).map((a) => `${a.kind} ${a.credential}`);
    expect.soft(sample(lostStore), `passes answered success but not in the store (${lostStore.length})`).toEqual([]);
    expect.soft(sample(lostCloud), `passes answered success, stored, but not at the cloud (${lostCloud.length})`).toEqual([]);
    expect.soft(sample(refusedNotStored), `refused passes not in the store (${refusedNotStored.length})`).toEqual([]);
    expect.soft(sample(refusedNotAtCloud), `refused passes not reported to the cloud (${refusedNotAtCloud.length})`).toEqual([]);
    expect.soft(storedNotAtCloud.length, 'stored records not at the cloud').toBe(0);
    expect.soft(withoutId.slice(0, 3), `door pass events at the cloud without a pass id (${withoutId.length})`).toEqual([]);
    expect.soft(duplicated.slice(0, 5), `pass ids in more than one cloud message (${duplicated.length})`).toEqual([]);
    expect.soft(differingRedeliveries.slice(0, 5), `redeliveries that are not identical (${differingRedeliveries.length})`).toEqual([]);
    expect.soft(cloudNotStored.slice(0, 5), `pass ids at the cloud that the store does not hold (${cloudNotStored.length})`).toEqual([]);
    expect.soft(storedTwice.slice(0, 5), `credentials stored twice (${storedTwice.length})`).toEqual([]);
    expect.soft(cloudDiffers.slice(0, 3), `cloud events that differ from their records (${cloudDiffers.length})`).toEqual([]);
    expect.soft(exitCode, 'the last run stops cleanly').toBe(0);
  }, 115_000);
});
