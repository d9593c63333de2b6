/** The broker admits the gateway only with the platform's signature of the right deviceSecret. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { bootRuntime, startBox, waitFor } from '../helpers/runtime.js';
import { cloudYaml, DEMO_DRIVER, startRig, type CloudRig } from './helpers.js';

describe('gateway authentication', () => {
  let rig: CloudRig;
  beforeAll(async () => {
    rig = await startRig();
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('is refused with a wrong deviceSecret, says so once with the fix, keeps retrying with backoff, and queues data meanwhile', async () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) });
    const dir = mkdtempSync(join(tmpdir(), 'pe-auth-'));
    const runtime = bootRuntime(dir, DEMO_DRIVER(100) + cloudYaml(rig.broker.url, { deviceSecret: 'wrong-secret' }), log);
    await runtime.start();
    const box = {
      runtime,
      close: async () => {
        await runtime.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
    try {
      const cloud = box.runtime.cloud!;
      await waitFor(() => cloud.status().reconnects >= 3, 15_000);
      expect(cloud.status().state).not.toBe('online');
      expect(cloud.status().lastError).toMatch(/refused|authori/i);
      const refusals = lines.filter((l) => /refused the box's credentials/.test(l.msg));
      expect(refusals).toHaveLength(1);
      expect(refusals[0]!.msg).toMatch(/cloud\.deviceSecret/);
      expect(JSON.stringify(lines)).not.toContain('wrong-secret'); // the secret is never logged
      await waitFor(() => cloud.outbox.depth > 0, 10_000);
      expect(rig.cloud.posts).toHaveLength(0);
      expect(await box.runtime.metrics.registry.metrics()).toMatch(/edge_cloud_link_up 0/);
    } finally {
      await box.close();
    }
  });

  it('connects with the right deviceSecret', async () => {
    const box = await startBox(DEMO_DRIVER(100) + cloudYaml(rig.broker.url));
    try {
      await waitFor(() => box.runtime.cloud!.status().state === 'online', 15_000);
      await waitFor(() => rig.cloud.posts.length > 0, 15_000);
    } finally {
      await box.close();
    }
  });
});
