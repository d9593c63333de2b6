/** The local bus on an external broker (a real mosquitto) instead of the embedded aedes. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mosquitto } from '../../scripts/sim/cloud/broker.js';
import { MISBEHAVE, startBox, waitFor, type TestBox } from '../helpers/runtime.js';

describe('local bus on an external broker', () => {
  let broker: Mosquitto;
  let box: TestBox;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pe-ext-'));
    broker = new Mosquitto({ dir, users: { edge: 'edge-password-1', app: 'app-password-1' } });
    await broker.start();
    box = await startBox(`
bus: { externalUrl: "${broker.url}", externalUsername: edge, externalPassword: edge-password-1 }
drivers:
  - name: Ext_Test
    module: ${MISBEHAVE}
    devices: [ { productKey: TestCounter, deviceName: ext-1, custom: { intervalMs: 50 } } ]
`);
  });
  afterAll(async () => {
    await box?.close();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes reports and answers service calls through the external broker; no embedded broker runs', async () => {
    expect(box.runtime.broker).toBeUndefined();
    const app = await mqtt.connectAsync(broker.url, { username: 'app', password: 'app-password-1', reconnectPeriod: 0 });
    const got: Array<{ topic: string; body: Record<string, unknown> }> = [];
    app.on('message', (topic, p) => got.push({ topic, body: JSON.parse(p.toString()) as Record<string, unknown> }));
    await app.subscribeAsync([
      '/sys/TestCounter/ext-1/thing/event/property/post',
      '/sys/TestCounter/ext-1/thing/service/Echo_reply',
      '/edge/TestCounter/ext-1/status',
    ]);
    try {
      await waitFor(() => got.find((m) => m.topic.endsWith('/property/post')));
      await waitFor(() => got.find((m) => m.topic.endsWith('/status') && m.body.status === 'online'));
      app.publish('/sys/TestCounter/ext-1/thing/service/Echo', JSON.stringify({ id: 'x1', params: { Text: 'via mosquitto' } }));
      const reply = await waitFor(() => got.find((m) => m.topic.endsWith('Echo_reply')));
      expect(reply.body).toMatchObject({ id: 'x1', code: 200, data: { Text: 'via mosquitto' } });
    } finally {
      await app.endAsync();
    }
  });
});
