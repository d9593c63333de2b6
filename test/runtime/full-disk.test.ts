/**
 * The daemon on a really full disk: its data directory is a small tmpfs mounted in a private
 * mount namespace (`unshare`, needs root as CI has), the cloud broker is down so the outbox must
 * grow, and a filler file takes every free byte. The daemon keeps running, says so once per
 * writer in its log (one episode), in /healthz and /metrics; once the filler is gone it writes what it held, and after the
 * broker returns the cloud stand-in has every message of every device, gap-free and in order.
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDelivery, metric, startDaemon, startRig, writeConfig, type CloudRig, type Daemon } from '../cloud/helpers.js';
import { waitFor } from '../helpers/runtime.js';

/** Write zeros until the filesystem refuses (ENOSPC), big chunks first, then small ones. */
function fillUp(file: string): number {
  const fd = openSync(file, 'w');
  let bytes = 0;
  try {
    for (const size of [1 << 20, 64 << 10, 4 << 10, 512]) {
      const chunk = Buffer.alloc(size);
      for (;;) {
        try {
          bytes += writeSync(fd, chunk);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
          break;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return bytes;
}

/** The areas of the log's "cannot write" lines (pino JSON), in order. */
const failingAreas = (log: string): string[] =>
  [...log.matchAll(/^.*cannot write \(disk full or failing\).*$/gm)].map((m) => /"area":"([^"]+)"/.exec(m[0])?.[1] ?? '?');
const recoveries = (log: string): number => log.match(/writes again; held data written/g)?.length ?? 0;

describe('daemon on a full disk', () => {
  let rig: CloudRig;
  let dir: string;
  let daemon: Daemon | undefined;

  beforeAll(async () => {
    rig = await startRig();
    dir = mkdtempSync(join(tmpdir(), 'pe-full-disk-'));
    mkdirSync(join(dir, 'data'));
  });
  afterAll(async () => {
    if (daemon && daemon.child.exitCode === null) daemon.child.kill('SIGKILL');
    await rig?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds data in memory while the disk is full, reports it once, and loses nothing', async () => {
    const config = writeConfig(dir, rig.broker.url, false);
    // The data directory becomes a 16 MB tmpfs that only the daemon (and its drivers) see.
    daemon = startDaemon(config, dir, [
      'unshare',
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-c',
      'mount -t tmpfs -o size=16m pe-full-disk ./data && exec "$@"',
      'sh',
    ]);
    const d = daemon;
    const url = await waitFor(() => /health: (http:\/\/\S+)\/healthz/.exec(d.out())?.[1], 30_000);
    await waitFor(() => rig.cloud.loggedIn.size === 3 && rig.cloud.posts.length > 20, 30_000);

    await rig.broker.stop(); // from now on every report must be stored first
    // The daemon's view of its data directory (its own mount namespace).
    const filler = `/proc/${d.child.pid}/root${join(dir, 'data')}/filler`;
    const filled = fillUp(filler);
    expect(filled).toBeGreaterThan(1 << 20);

    await waitFor(async () => (await metric(url, 'edge_store_writable')) === 0, 30_000);
    await waitFor(async () => ((await metric(url, 'edge_cloud_outbox_held')) ?? 0) > 30, 30_000);
    const health = (await (await fetch(`${url}/healthz`)).json()) as { status: string; store: { writable: boolean; area: string } };
    expect(health.status).toBe('degraded');
    expect(health.store.writable).toBe(false);
    const held = (await metric(url, 'edge_cloud_outbox_held')) ?? 0;
    await waitFor(async () => ((await metric(url, 'edge_cloud_outbox_held')) ?? 0) > held + 10, 30_000); // keeps going, holding more
    expect(d.child.exitCode).toBeNull();
    // One episode, not a line per write: each writer (area) that fails says so once. A write that
    // still fits into pages SQLite holds does not end it: recovery counts only in the area that failed.
    expect(failingAreas(d.out()).length).toBeGreaterThan(0);
    expect(recoveries(d.out())).toBe(0);

    unlinkSync(filler);
    await waitFor(async () => (await metric(url, 'edge_store_writable')) === 1, 30_000);
    await waitFor(async () => (await metric(url, 'edge_cloud_outbox_held')) === 0, 30_000);
    await waitFor(() => recoveries(d.out()) > 0, 10_000); // the log line may trail the metric
    const areas = failingAreas(d.out());
    expect(areas).toContain('cloud outbox');
    expect(new Set(areas).size).toBe(areas.length); // exactly one "cannot write" per area
    expect(recoveries(d.out())).toBe(1);

    await rig.broker.start();
    await waitFor(async () => (await metric(url, 'edge_cloud_link_up')) === 1, 30_000);
    await waitFor(async () => (await metric(url, 'edge_cloud_outbox_depth')) === 0, 60_000);
    const { devices, unique } = checkDelivery(rig.cloud.posts); // gap-free ids per device: nothing lost
    expect(devices).toBe(3);
    expect(unique).toBeGreaterThan(60);
    expect(failingAreas(d.out())).toEqual(areas); // still the one episode
    expect(recoveries(d.out())).toBe(1);
    expect(d.out()).not.toMatch(/uncaught exception|unhandled promise rejection/);
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  }, 180_000);
});
