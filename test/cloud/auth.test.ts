/** The broker admits the gateway only with the platform's signature of the right deviceSecret. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBox, waitFor } from '../helpers/runtime.js';
import { cloudYaml, DEMO_DRIVER, startRig, type CloudRig } from './helpers.js';

describe('gateway authentication', () => {
  let rig: CloudRig;
  beforeAll(async () => {
    rig = await startRig();
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('is refused with a wrong deviceSecret, keeps retrying with backoff, and queues data meanwhile', async () => {
    const box = await startBox(DEMO_DRIVER(100) + cloudYaml(rig.broker.url, { deviceSecret: 'wrong-secret' }));
    try {
      const cloud = box.runtime.cloud!;
      await waitFor(() => cloud.status().reconnects >= 2, 15_000);
      expect(cloud.status().state).not.toBe('online');
      expect(cloud.status().lastError).toMatch(/refused|authori/i);
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
