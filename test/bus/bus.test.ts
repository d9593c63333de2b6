/** The local MQTT bus with a real mqtt.js client against the embedded broker. */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MISBEHAVE, startBox, waitFor, type TestBox } from '../helpers/runtime.js';

describe('local bus', () => {
  let box: TestBox;
  let client: MqttClient;
  const url = () => `mqtt://127.0.0.1:${box.runtime.busPort}`;
  const messages: Array<{ topic: string; body: Record<string, unknown>; retain: boolean }> = [];

  beforeAll(async () => {
    box = await startBox(`
drivers:
  - name: Bus_Test
    module: ${MISBEHAVE}
    devices:
      - { productKey: TestCounter, deviceName: bus-1, custom: { intervalMs: 50 } }
`);
    const user = box.busApp();
    client = await mqtt.connectAsync(url(), { username: user.username, password: user.password, reconnectPeriod: 0 });
    client.on('message', (topic, payload, packet) => {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(payload.toString()) as Record<string, unknown>;
      } catch {
        body = { unparsable: true }; // our own hostile requests echo back to us through /sys/#
      }
      messages.push({ topic, body, retain: packet.retain });
    });
    await client.subscribeAsync(['/sys/#', '/edge/#', 'linkedge/#']);
  });
  afterAll(async () => {
    await client?.endAsync();
    await box?.close();
  });

  it('generated a random credential (no default password) and refuses wrong or missing credentials', async () => {
    const user = box.runtime.busUser!;
    expect(user.password.length).toBeGreaterThanOrEqual(20);
    await expect(mqtt.connectAsync(url(), { username: user.username, password: 'wrong-password', reconnectPeriod: 0 })).rejects.toThrow(
      /Bad username or password|Not authorized/i,
    );
    await expect(mqtt.connectAsync(url(), { reconnectPeriod: 0 })).rejects.toThrow(/Bad username or password|Not authorized/i);
    await expect(mqtt.connectAsync(url(), { username: 'nobody', password: user.password, reconnectPeriod: 0 })).rejects.toThrow(
      /Bad username or password|Not authorized/i,
    );
  });

  it('carries property reports in the Alink shape with device times', async () => {
    const post = await waitFor(() => messages.find((m) => m.topic === '/sys/TestCounter/bus-1/thing/event/property/post'));
    expect(post.body).toMatchObject({ version: '1.0', method: 'thing.event.property.post' });
    const params = post.body.params as Record<string, { value: number; time: number }>;
    expect(typeof params.Counter!.value).toBe('number');
    expect(Math.abs(params.Counter!.time - Date.now())).toBeLessThan(10_000);
  });

  it('publishes retained device status', async () => {
    const status = await waitFor(() => messages.find((m) => m.topic === '/edge/TestCounter/bus-1/status'));
    expect(status.body).toMatchObject({ status: 'online', code: 1 });
  });

  it('carries events checked against the thing model', async () => {
    box.runtime.events.emit('device.event', {
      productKey: 'TestCounter',
      deviceName: 'bus-1',
      eventId: 'Alarm',
      params: { Code: 3 },
      time: 42,
    });
    const ev = await waitFor(() => messages.find((m) => m.topic === '/sys/TestCounter/bus-1/thing/event/Alarm/post'));
    expect(ev.body).toMatchObject({ params: { value: { Code: 3 }, time: 42 }, method: 'thing.event.Alarm.post' });
  });

  async function call(topic: string, payload: string): Promise<Record<string, unknown>> {
    const replyTopic = `${topic}_reply`;
    const start = messages.length;
    client.publish(topic, payload);
    const reply = await waitFor(() => messages.slice(start).find((m) => m.topic === replyTopic));
    return reply.body;
  }

  it('routes a service call to the driver and replies with the same id', async () => {
    const reply = await call('/sys/TestCounter/bus-1/thing/service/Echo', JSON.stringify({ id: 'req-77', params: { Text: 'hello' } }));
    expect(reply).toMatchObject({ id: 'req-77', code: 200, data: { Text: 'hello', Device: 'bus-1' } });
  });

  it('sets and gets properties through the property services', async () => {
    expect(
      await call('/sys/TestCounter/bus-1/thing/service/property/set', JSON.stringify({ id: '5', params: { Level: 7 } })),
    ).toMatchObject({ id: '5', code: 200 });
    expect(
      await call('/sys/TestCounter/bus-1/thing/service/property/set', JSON.stringify({ id: '6', params: { Level: 70 } })),
    ).toMatchObject({ id: '6', code: 460, message: expect.stringMatching(/above max 10/) });
    expect(await call('/sys/TestCounter/bus-1/thing/service/property/get', JSON.stringify({ id: '7', params: ['Pid'] }))).toMatchObject({
      id: '7',
      code: 200,
      data: { Pid: expect.any(Number) },
    });
  });

  const errors: Array<[string, string, string, number, RegExp]> = [
    ['an unknown device', '/sys/TestCounter/ghost/thing/service/Echo', '{"id":"1","params":{}}', 6100, /not configured/],
    ['an unknown service', '/sys/TestCounter/bus-1/thing/service/Fly', '{"id":"2","params":{}}', 6200, /service Fly is not defined/],
    ['wrong argument types', '/sys/TestCounter/bus-1/thing/service/Slow', '{"id":"3","params":{"Ms":"soon"}}', 460, /Ms: not a number/],
    ['an unknown argument', '/sys/TestCounter/bus-1/thing/service/Echo', '{"id":"4","params":{"Nope":1}}', 460, /unknown parameter Nope/],
    ['bad JSON', '/sys/TestCounter/bus-1/thing/service/Echo', '{"id":', 460, /not valid JSON/],
    ['a JSON array', '/sys/TestCounter/bus-1/thing/service/Echo', '[1,2]', 460, /must be a JSON object/],
    ['a missing id', '/sys/TestCounter/bus-1/thing/service/Echo', '{"params":{}}', 460, /needs an id/],
    [
      'an oversized payload',
      '/sys/TestCounter/bus-1/thing/service/Echo',
      JSON.stringify({ id: '9', params: { Text: 'x'.repeat(300_000) } }),
      460,
      /exceeds/,
    ],
  ];
  it.each(errors)('answers %s with a clear error code', async (_what, topic, payload, code, message) => {
    const reply = await call(topic, payload);
    expect(reply.code).toBe(code);
    expect(String(reply.message)).toMatch(message);
  });

  it('disconnects a local client that publishes on a topic only the box may publish [MQTT-3.3.5-2]', async () => {
    const user = box.busApp();
    for (const topic of [
      '/sys/TestCounter/bus-1/thing/event/property/post',
      '/sys/TestCounter/bus-1/thing/service/Echo_reply',
      '/edge/TestCounter/bus-1/status',
    ]) {
      const spoofer = await mqtt.connectAsync(url(), { username: user.username, password: user.password, reconnectPeriod: 0 });
      const closed = new Promise<void>((resolve) => spoofer.once('close', () => resolve()));
      spoofer.publish(topic, JSON.stringify({ id: 'spoof', status: 'offline' }), { retain: true });
      await closed;
      await spoofer.endAsync(true);
    }
    // The box's own client is unaffected and nothing spoofed was delivered or retained.
    await call('/sys/TestCounter/bus-1/thing/service/Echo', JSON.stringify({ id: 'after', params: { Text: 'a' } }));
    expect(messages.some((m) => m.body.id === 'spoof')).toBe(false);
    const fresh = await mqtt.connectAsync(url(), { username: user.username, password: user.password, reconnectPeriod: 0 });
    const retained: string[] = [];
    fresh.on('message', (_t, p) => retained.push(p.toString()));
    await fresh.subscribeAsync('/edge/TestCounter/bus-1/status');
    await waitFor(() => retained.length > 0);
    await fresh.endAsync();
    expect(retained.every((r) => !r.includes('spoof'))).toBe(true);
  });

  it('refuses a retained command (it would run again for every later subscriber) and $ topics, and disconnects the client', async () => {
    const user = box.busApp();
    const calls = (): number =>
      messages.filter((m) => m.topic === '/sys/TestCounter/bus-1/thing/service/Echo_reply' && m.body.id === 'retained-cmd').length;
    for (const [topic, retain] of [
      ['/sys/TestCounter/bus-1/thing/service/Echo', true],
      ['$SYS/broker/uptime', false],
    ] as const) {
      const app = await mqtt.connectAsync(url(), { username: user.username, password: user.password, reconnectPeriod: 0 });
      const closed = new Promise<void>((resolve) => app.once('close', () => resolve()));
      app.publish(topic, JSON.stringify({ id: 'retained-cmd', params: { Text: 'x' } }), { retain });
      await closed;
      await app.endAsync(true);
    }
    // Not run, and nothing retained for a later subscriber to receive.
    const later = await mqtt.connectAsync(url(), { username: user.username, password: user.password, reconnectPeriod: 0 });
    const got: string[] = [];
    later.on('message', (_t, p) => got.push(p.toString()));
    await later.subscribeAsync('/sys/TestCounter/bus-1/thing/service/Echo');
    await call('/sys/TestCounter/bus-1/thing/service/Echo', JSON.stringify({ id: 'after-retained', params: { Text: 'b' } }));
    await later.endAsync();
    expect(got.some((g) => g.includes('retained-cmd'))).toBe(false);
    expect(calls()).toBe(0);
  });

  it('answers the Link IoT Edge device-list request (seed 001 L19880-19976)', async () => {
    client.publish('app1/request/linkedge/getDeviceList', JSON.stringify({ requestId: 'r-1', timestamp: 1, timeout: 3, version: '1.0' }));
    const reply = await waitFor(() => messages.find((m) => m.topic === 'linkedge/response/app1/getDeviceList'));
    expect(reply.body).toMatchObject({ requestId: 'r-1', code: 0, message: 'success', version: '1.0' });
    const gw = (reply.body.params as Array<{ deviceList: Array<Record<string, unknown>> }>)[0]!;
    expect(gw.deviceList).toContainEqual(
      expect.objectContaining({ productKey: 'TestCounter', deviceName: 'bus-1', localOnline: 'true', tags: [] }),
    );
  });
});
