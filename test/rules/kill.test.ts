/**
 * kill -9 loses no alarm that was raised, and never raises one twice. The daemon runs from dist/
 * (`npm run build` first) with a rule of its box config (`rules.alarmRules`) on the demo meters'
 * voltage, which wanders across the threshold every few reports, so alarms are raised and
 * recovered all the time; it is SIGKILLed several times and restarted on the same data folder,
 * with the cloud stand-in on mosquitto. Every alarm seen on the local bus (published only after
 * its commit) must be in the store after the last run and at the cloud; per device at most one
 * alarm is open at a time, and each one starts after the previous one recovered.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { observeFor } from '../helpers/wait.js';
import { freePort } from '../../scripts/sim/cloud/broker.js';
import { cloudYaml, DEMO_DRIVER, GATEWAY, metric, startDaemon, startRig, type CloudRig, type Daemon } from '../cloud/helpers.js';
import { waitFor } from '../helpers/runtime.js';

const KILLS = 4;
const BUS_USER = { username: 'alarm-watcher', password: 'watcher-password-1' };
/** The kill schedule: time itself is what this test shapes. */
const sleep = observeFor;
const childrenOf = (pid: number): number[] => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
};
const alive = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

const rule = {
  alarmRuleId: 'voltage-high',
  alarmName: '电压过高',
  alarmLevel: 2,
  alarmContent: '电压超过220.5V',
  productKey: 'PEDemoMeter',
  alarmType: 1,
  alarmMode: 1,
  runEnv: 'edge',
  multiDevice: 1,
  sceneConfig: JSON.stringify({
    type: 'IFTTT',
    trigger: {
      uri: 'trigger/device/property',
      params: { productKey: 'PEDemoMeter', propertyName: 'Voltage', compareType: '>', compareValue: 220.5 },
    },
    action: [{ uri: 'action/mqtt/pub/sceneInfo', params: { env: 'edge' } }],
    features: {
      supportPauseRule: {
        pauseType: 'time',
        pauseParams: {},
        scope: 'device',
        recoverCondition: 'event.Voltage.value <= 220.5',
        notifyTypeOnRecover: 'MQTT',
      },
    },
  }),
};

describe('kill -9 while alarms are raised and recovered', () => {
  let rig: CloudRig | undefined;
  let dir: string | undefined;
  const daemons: Daemon[] = [];
  const drivers = new Set<number>();

  afterAll(async () => {
    for (const d of daemons) if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGKILL');
    for (const pid of drivers) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await rig?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`loses no raised alarm and raises none twice through ${KILLS} SIGKILLs`, async () => {
    rig = await startRig();
    dir = mkdtempSync(join(tmpdir(), 'pe-rules-kill-'));
    const busPort = await freePort();
    const config = join(dir, 'box.yaml');
    writeFileSync(
      config,
      `box: { name: kill-rules, dataDir: ./data }\nhttp: { port: 0 }\nbus: { port: ${busPort}, users: [${JSON.stringify(BUS_USER)}] }\nlog: { file: logs/edge.log }\n${DEMO_DRIVER(50)}${cloudYaml(rig.broker.url)}rules: ${JSON.stringify({ alarmRules: [rule] })}\n`,
    );
    const seen = new Map<string, { recovery: number }>();
    const boot = async (): Promise<{ daemon: Daemon; url: string }> => {
      const daemon = startDaemon(config, dir!, [], true);
      daemons.push(daemon);
      const url = await waitFor(() => {
        if (daemon.child.exitCode !== null) throw new Error(`exited with ${daemon.child.exitCode}: ${daemon.out()}`);
        return /health: (http:\/\/\S+)\/healthz/.exec(daemon.out())?.[1];
      }, 30_000);
      // What the bus shows was committed before it was published.
      const client = await waitFor(
        () => mqtt.connectAsync(`mqtt://127.0.0.1:${busPort}`, { ...BUS_USER, reconnectPeriod: 0 }).catch(() => undefined),
        10_000,
      );
      client.on('message', (_t, payload) => {
        const v = (JSON.parse(payload.toString()) as { params: { value: { alarmId: string; recovery: number } } }).params.value;
        seen.set(v.alarmId, { recovery: Math.max(v.recovery, seen.get(v.alarmId)?.recovery ?? 0) });
      });
      await client.subscribeAsync(`/sys/${GATEWAY.productKey}/${GATEWAY.deviceName}/thing/event/AlarmRecord/post`);
      daemon.exited.then(
        () => client.end(true),
        () => undefined,
      );
      return { daemon, url };
    };

    let { daemon, url } = await boot();
    await waitFor(() => seen.size >= 3, 20_000);
    for (let k = 0; k < KILLS; k++) {
      await sleep(1500 + Math.random() * 1500);
      for (const pid of childrenOf(daemon.child.pid!)) drivers.add(pid);
      daemon.child.kill('SIGKILL');
      await daemon.exited;
      const orphans = [...drivers].filter(alive);
      await waitFor(() => orphans.every((pid) => !alive(pid)), 5000).catch(() => {
        for (const pid of orphans) if (alive(pid)) process.kill(pid, 'SIGKILL');
      });
      ({ daemon, url } = await boot());
    }
    // The last daemon raises alarms of its own before the drain (its restart is covered too).
    const beforeLast = seen.size;
    await waitFor(() => seen.size > beforeLast, 20_000);
    // Drain the outbox, then stop cleanly.
    await waitFor(
      async () =>
        (await metric(url, 'edge_cloud_link_up').catch(() => 0)) === 1 &&
        (await metric(url, 'edge_cloud_outbox_depth').catch(() => 1)) === 0,
      30_000,
    );
    for (const pid of childrenOf(daemon.child.pid!)) drivers.add(pid);
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);

    const db = new Database(join(dir, 'data', 'edge.db'), { readonly: true, fileMustExist: true });
    const rows = db
      .prepare('SELECT alarm_id AS alarmId, device, time, recovery, recovery_time AS recoveryTime FROM rules_alarm_records ORDER BY id')
      .all() as Array<{ alarmId: string; device: string; time: number; recovery: number; recoveryTime: number | null }>;
    // Raised or recovered between the drain check and the stop: still queued, durably (the next start sends it).
    const queued = new Set(
      (db.prepare("SELECT ref FROM cloud_outbox WHERE ref LIKE 'alarm:%'").all() as Array<{ ref: string }>).map((r) =>
        r.ref.slice('alarm:'.length),
      ),
    );
    db.close();
    const stored = new Map(rows.map((r) => [r.alarmId, r]));
    expect(seen.size).toBeGreaterThan(10);
    // Nothing raised is lost, and a recovery seen was recorded.
    for (const [id, v] of seen) {
      expect(stored.has(id), `alarm ${id} seen on the bus`).toBe(true);
      if (v.recovery === 1) expect(stored.get(id)!.recovery).toBe(1);
    }
    // Never raised twice: per device the alarms follow each other, each after the previous recovered.
    for (const device of new Set(rows.map((r) => r.device))) {
      const list = rows.filter((r) => r.device === device);
      expect(list.filter((r) => r.recovery === 0).length, device).toBeLessThanOrEqual(1);
      for (let i = 1; i < list.length; i++) expect(list[i]!.time, `${device} #${i}`).toBeGreaterThanOrEqual(list[i - 1]!.recoveryTime!);
    }
    // Every record reached the cloud (realtime or history form), in its last state.
    const cloud = rig.cloud;
    const cloudState = (): Map<string, number> => {
      const atCloud = new Map<string, number>();
      for (const p of cloud.posts) {
        if (p.kind === 'event:AlarmRecord') {
          const v = (p.body.params as { value: { alarmId: string; recovery: number } }).value;
          atCloud.set(v.alarmId, Math.max(v.recovery, atCloud.get(v.alarmId) ?? 0));
        } else if (p.kind === 'history') {
          for (const e of p.body.params as Array<{ events: Array<Record<string, { value: { alarmId: string; recovery: number } }>> }>) {
            for (const ev of e.events)
              if (ev.AlarmRecord)
                atCloud.set(
                  ev.AlarmRecord.value.alarmId,
                  Math.max(ev.AlarmRecord.value.recovery, atCloud.get(ev.AlarmRecord.value.alarmId) ?? 0),
                );
          }
        }
      }
      return atCloud;
    };
    // The broker acknowledged the last ones (outbox empty); the stand-in may still be receiving them.
    const delivered = (r: (typeof rows)[number], atCloud: Map<string, number>): boolean =>
      atCloud.get(r.alarmId) === r.recovery || queued.has(r.alarmId);
    await waitFor(() => rows.every((r) => delivered(r, cloudState())), 15_000).catch(() => undefined);
    const atCloud = cloudState();
    for (const r of rows)
      expect(
        delivered(r, atCloud),
        `record ${r.alarmId} (recovery ${r.recovery}) at the cloud (${atCloud.get(r.alarmId)}) or still queued`,
      ).toBe(true);
    expect(queued.size, 'most records were delivered, not left queued').toBeLessThan(rows.length / 4);
  }, 180_000);
});
