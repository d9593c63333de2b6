/**
 * A driver in "another language": a bare MQTT client speaking the host protocol on its
 * edge-driver topics. It is configured, supervised (heartbeat, restart) and routed like a
 * child-process driver; its topics are private to its bus user.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observeFor } from '../helpers/wait.js';
import { startBox, waitFor, type TestBox } from '../helpers/runtime.js';

const DRIVER_USER = { username: 'py-driver', password: 'py-driver-secret-1' };
const APP_USER = { username: 'local-app', password: 'local-app-secret-1' };

interface Remote {
  client: MqttClient;
  inits: number;
  stop(): Promise<void>;
}

/** The remote driver: answers init with ready + online + a value, Echo calls, heartbeats. */
async function remoteDriver(port: number, opts: { heartbeat?: boolean } = {}): Promise<Remote> {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { ...DRIVER_USER, reconnectPeriod: 0 });
  const up = (m: unknown) => client.publish('edge-driver/Py_Remote/up', JSON.stringify(m));
  const remote: Remote = { client, inits: 0, stop: () => client.endAsync(true) };
  let hb: NodeJS.Timeout | undefined;
  client.on('message', (_topic, payload) => {
    const m = JSON.parse(payload.toString()) as {
      t: string;
      id?: number;
      deviceList?: Array<{ productKey: string; deviceName: string; custom: Record<string, unknown> }>;
      service?: string;
      params?: Record<string, unknown>;
    };
    if (m.t === 'init') {
      remote.inits++;
      clearInterval(hb);
      if (opts.heartbeat !== false) hb = setInterval(() => up({ t: 'hb' }), 100);
      for (const d of m.deviceList ?? []) {
        up({ t: 'status', pk: d.productKey, dn: d.deviceName, online: true });
        up({ t: 'props', items: [[d.productKey, d.deviceName, { Counter: 7, Level: Number(d.custom.level ?? 0) }, 1700000000000]] });
      }
      up({ t: 'ready' });
    } else if (m.t === 'call') {
      up({ t: 'reply', id: m.id, code: 200, message: 'success', data: { Text: `py:${String(m.params?.Text)}`, Device: 'remote' } });
    } else if (m.t === 'stop') {
      clearInterval(hb);
      up({ t: 'stopped' });
    }
  });
  client.on('close', () => clearInterval(hb));
  await client.subscribeAsync('edge-driver/Py_Remote/down');
  up({ t: 'hello' });
  return remote;
}

describe('drivers over the local bus', () => {
  let box: TestBox;

  beforeAll(async () => {
    box = await startBox(`
bus: { users: [ { username: ${DRIVER_USER.username}, password: ${DRIVER_USER.password} }, { username: ${APP_USER.username}, password: ${APP_USER.password} } ] }
host: { heartbeatMs: 100, hangTimeoutMs: 1000, restartBaseMs: 100, restartMaxMs: 400 }
drivers:
  - name: Py_Remote
    transport: mqtt
    busUser: ${DRIVER_USER.username}
    devices:
      - { productKey: TestCounter, deviceName: remote-1, custom: { level: 4, password: device-secret } }
`);
  });
  afterAll(async () => box?.close());

  it('initialises a remote driver that says hello, and its reports pass the thing-model boundary', async () => {
    const remote = await remoteDriver(box.runtime.busPort);
    try {
      await waitFor(() => box.runtime.registry.get('TestCounter', 'remote-1')?.status === 'online');
      await waitFor(() => box.runtime.host.driver('Py_Remote')?.state === 'running');
      expect(box.runtime.registry.get('TestCounter', 'remote-1')!.shadow.get('Level')).toEqual({ value: 4, time: 1700000000000 });
      expect(await box.runtime.host.callService('TestCounter', 'remote-1', 'Echo', { Text: 'hi' })).toMatchObject({
        code: 200,
        data: { Text: 'py:hi' },
      });
      expect(remote.inits).toBeGreaterThanOrEqual(1);
    } finally {
      await remote.stop();
    }
  });

  it('keeps its topics private: another bus user neither sees its config nor can impersonate it', async () => {
    const app = await mqtt.connectAsync(`mqtt://127.0.0.1:${box.runtime.busPort}`, { ...APP_USER, reconnectPeriod: 0 });
    const seen: string[] = [];
    app.on('message', (t) => seen.push(t));
    await app.subscribeAsync('#');
    const remote = await remoteDriver(box.runtime.busPort); // triggers an init carrying custom config
    try {
      await waitFor(() => remote.inits > 0);
      await observeFor(200); // quiet: the driver's config must not reach the app
      expect(seen.filter((t) => t.startsWith('edge-driver/'))).toEqual([]);
      const closed = new Promise<void>((r) => app.once('close', () => r()));
      app.publish('edge-driver/Py_Remote/up', JSON.stringify({ t: 'status', pk: 'TestCounter', dn: 'remote-1', online: false }));
      await closed;
      expect(box.runtime.registry.get('TestCounter', 'remote-1')!.status).toBe('online');
    } finally {
      await app.endAsync(true);
      await remote.stop();
    }
  });

  it('marks the devices offline when the remote driver falls silent and recovers when it comes back', async () => {
    const silent = await remoteDriver(box.runtime.busPort, { heartbeat: false });
    await waitFor(() => box.runtime.registry.get('TestCounter', 'remote-1')?.status === 'online');
    const restarts = box.runtime.host.driver('Py_Remote')!.restarts;
    await waitFor(() => box.runtime.registry.get('TestCounter', 'remote-1')?.status === 'offline', 10_000);
    expect(box.runtime.registry.get('TestCounter', 'remote-1')!.statusReason).toMatch(/no heartbeat/);
    await silent.stop();
    const back = await remoteDriver(box.runtime.busPort);
    try {
      await waitFor(() => box.runtime.registry.get('TestCounter', 'remote-1')?.status === 'online', 10_000);
      expect(box.runtime.host.driver('Py_Remote')!.restarts).toBeGreaterThan(restarts);
    } finally {
      await back.stop();
    }
  });
});
