/**
 * The real daemon against a real mosquitto: a 60 s broker outage while devices keep reporting,
 * and a `kill -9` mid-stream. Checked at the cloud stand-in: every message delivered (ids are
 * gap-free per device, so a loss shows as a gap), in order per device, a re-sent message only
 * ever as the identical message with the same Alink id, offline data on the history topic with
 * its original timestamps.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observeFor } from '../helpers/wait.js';
import { waitFor } from '../helpers/runtime.js';
import { checkDelivery, metric, startDaemon, startRig, SUBS, writeConfig, type CloudRig, type Daemon } from './helpers.js';

const OUTAGE_MS = Number(process.env.CLOUD_OUTAGE_S ?? 60) * 1000;

describe('cloud link of the daemon', () => {
  let rig: CloudRig;
  const dirs: string[] = [];
  const daemons: Daemon[] = [];

  beforeAll(async () => {
    rig = await startRig();
  });
  afterAll(async () => {
    for (const d of daemons) if (d.child.exitCode === null) d.child.kill('SIGKILL');
    await rig?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it(
    `delivers everything after a ${OUTAGE_MS / 1000} s broker outage: in order, no gaps, offline data on the history topic`,
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pe-cloud-outage-'));
      dirs.push(dir);
      const d = startDaemon(writeConfig(dir, rig.broker.url), dir);
      daemons.push(d);
      const url = await waitFor(() => /health: (http:\/\/\S+)\/healthz/.exec(d.out())?.[1], 30_000);
      await waitFor(() => rig.cloud.loggedIn.size === 3 && rig.cloud.posts.length > 20, 30_000);

      const outageStart = Date.now();
      await rig.broker.stop();
      await observeFor(OUTAGE_MS / 2); // the outage is what is measured
      // Meanwhile the box queues: the outbox grows and the state says offline.
      expect(await metric(url, 'edge_cloud_link_up')).toBe(0);
      expect(await metric(url, 'edge_cloud_outbox_depth')).toBeGreaterThan(50);
      await observeFor(OUTAGE_MS / 2);
      const outageEnd = Date.now();
      await rig.broker.start();

      await waitFor(async () => (await metric(url, 'edge_cloud_link_up')) === 1, 30_000);
      await waitFor(async () => (await metric(url, 'edge_cloud_outbox_depth')) === 0, 60_000);

      const { unique, duplicates, devices } = checkDelivery(rig.cloud.posts);
      expect(devices).toBe(3);
      expect(unique).toBeGreaterThan((3 * OUTAGE_MS) / 200); // ≥ half of 3 devices × 10 reports/s
      expect(duplicates).toBeLessThan(100); // only what was in flight when the broker went away

      const history = rig.cloud.posts.filter((p) => p.kind === 'history' && p.at >= outageEnd);
      expect(history.length).toBeGreaterThan(OUTAGE_MS / 1000);
      for (const h of history) {
        const entry = (
          h.body.params as Array<{ identity: { deviceName: string }; properties: Array<Record<string, { time: number }>> }>
        )[0]!;
        expect(h.topic).toBe(`/sys/${h.device}/thing/event/property/history/post`);
        expect(`${SUBS.find((s) => s.deviceName === entry.identity.deviceName)?.productKey}/${entry.identity.deviceName}`).toBe(h.device);
        for (const props of entry.properties)
          for (const v of Object.values(props)) {
            expect(v.time).toBeGreaterThanOrEqual(outageStart - 1000);
            expect(v.time).toBeLessThanOrEqual(outageEnd + 5000);
          }
      }
      d.child.kill('SIGTERM');
      expect(await d.exited).toBe(0);
    },
    OUTAGE_MS + 150_000,
  );

  it('loses nothing on kill -9 mid-stream: the restarted daemon replays with the same ids', async () => {
    rig.cloud.posts.splice(0);
    const dir = mkdtempSync(join(tmpdir(), 'pe-cloud-kill-'));
    dirs.push(dir);
    const cfg = writeConfig(dir, rig.broker.url);
    const first = startDaemon(cfg, dir);
    daemons.push(first);
    await waitFor(() => /health: (http:\/\/\S+)\/healthz/.exec(first.out())?.[1], 30_000);
    await waitFor(() => rig.cloud.posts.length > 60, 30_000);
    first.child.kill('SIGKILL');
    await first.exited;
    const before = rig.cloud.posts.length;
    // The killed daemon's drivers notice and exit before the next daemon starts its own.
    await waitFor(() => !processRunningIn(dir), 15_000);

    const second = startDaemon(cfg, dir);
    daemons.push(second);
    const url = await waitFor(() => /health: (http:\/\/\S+)\/healthz/.exec(second.out())?.[1], 30_000);
    // Distinct messages, not posts: the replay re-sends what was in flight (same ids).
    await waitFor(
      () => rig.cloud.posts.length > before + 60 && new Set(rig.cloud.posts.map((p) => `${p.device}#${p.id}`)).size > 130,
      30_000,
    );
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    void url;

    const { unique, duplicates, devices } = checkDelivery(rig.cloud.posts);
    expect(devices).toBe(3);
    expect(unique).toBeGreaterThan(120);
    expect(duplicates).toBeLessThan(100);
    // The second run continued each device's ids where the first stopped (ids are never reused).
    for (const s of SUBS) {
      const ids = rig.cloud.postsOf(s.productKey, s.deviceName).map((p) => Number(p.id));
      expect(Math.max(...ids)).toBe(new Set(ids).size);
    }
  }, 120_000);
});

/** Whether any process still runs with `dir` in its command line (a driver of a killed daemon). */
function processRunningIn(dir: string): boolean {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir)) return true;
    } catch {
      // gone meanwhile
    }
  }
  return false;
}
