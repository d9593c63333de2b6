/**
 * Issue 14 part 2: the local bus's per-application users and topic rights, managed with
 * `edge bus-user` (the built CLI, another process) while the box runs; the generated default user
 * is read-only; per-user connection and message-rate limits; packet size after login.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observeFor } from '../helpers/wait.js';
import { filterCovers, filterProblem, topicMatches } from '../../edge/bus/acl.js';
import { MISBEHAVE, startBox, waitFor, type TestBox } from '../helpers/runtime.js';

const MAIN = resolve(import.meta.dirname, '..', '..', 'dist', 'edge', 'main.js');

describe('topic filters', () => {
  it('match topics as MQTT does, $ topics only by $ filters', () => {
    expect(topicMatches('/sys/+/+/thing/event/#', '/sys/P/d/thing/event/property/post')).toBe(true);
    expect(topicMatches('/sys/+/+/thing/event/#', '/sys/P/d/thing/service/x')).toBe(false);
    expect(topicMatches('#', '$SYS/broker/uptime')).toBe(false);
    expect(topicMatches('$SYS/#', '$SYS/broker/uptime')).toBe(true);
    expect(topicMatches('a/+', 'a/b/c')).toBe(false);
    expect(topicMatches('a/#', 'a')).toBe(true); // MQTT 4.7.1.2: # includes the parent level
  });

  it('a right covers a subscription only when it covers everything the subscription can match', () => {
    expect(filterCovers('/sys/P/+/thing/event/#', '/sys/P/d1/thing/event/property/post')).toBe(true);
    expect(filterCovers('/sys/P/+/thing/event/#', '/sys/+/+/thing/event/#')).toBe(false); // other products
    expect(filterCovers('/sys/P/+/thing/event/#', '/sys/P/d1/#')).toBe(false); // deeper than the right
    expect(filterCovers('#', '/sys/#')).toBe(true);
    expect(filterCovers('#', '$SYS/#')).toBe(false);
    expect(filterCovers('a/+', 'a/+')).toBe(true);
    expect(filterCovers('a/b', 'a/+')).toBe(false);
  });

  it('refuses filters MQTT does not allow', () => {
    expect(filterProblem('a/#/b')).toMatch(/# must be/);
    expect(filterProblem('a/b+')).toMatch(/\+ must be/);
    expect(filterProblem('')).toMatch(/empty/);
    expect(filterProblem('/sys/+/+/thing/event/#')).toBeUndefined();
  });
});

describe('bus users and their rights on a running box', () => {
  let box: TestBox;
  let configFile: string;
  const url = (): string => `mqtt://127.0.0.1:${box.runtime.busPort}`;
  const cli = (...args: string[]): { code: number | null; out: string; err: string } => {
    const r = spawnSync(process.execPath, [MAIN, 'bus-user', ...args, '-c', configFile], { encoding: 'utf8', timeout: 20_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  /** Logged in, or rejected — also when the box closes the socket before its CONNACK (connectAsync would wait forever). */
  const login = (u: { username: string; password: string }): Promise<MqttClient> =>
    new Promise((resolve, reject) => {
      const c = mqtt.connect(url(), { ...u, reconnectPeriod: 0 });
      c.once('connect', () => resolve(c));
      c.once('error', (err) => reject(err));
      c.once('close', () => reject(new Error('closed before CONNACK')));
    });
  const closed = (c: MqttClient): Promise<void> => new Promise((r) => (c.disconnected || !c.connected ? r() : c.once('close', () => r())));
  /** Publish and report whether the box closed the connection for it (MQTT 3.1.1 has no negative ack). */
  async function publishRefused(c: MqttClient, topic: string, payload: string, retain = false): Promise<boolean> {
    const gone = closed(c).then(() => true);
    c.publish(topic, payload, { qos: 1, retain });
    return Promise.race([gone, new Promise<boolean>((r) => setTimeout(() => r(false), 1500))]);
  }
  /** The SUBACK codes (0x80: refused); mqtt.js rejects when any filter was refused. */
  async function granted(c: MqttClient, filters: string[]): Promise<number[]> {
    try {
      return (await c.subscribeAsync(filters)).map((g) => g.qos);
    } catch (err) {
      const packet = (err as { packet?: { granted?: number[] } }).packet;
      if (!packet?.granted) throw err;
      return packet.granted;
    }
  }
  /** Created with the CLI: the password is printed once. */
  function addWithCli(name: string, read: string, write: string): { username: string; password: string } {
    const r = cli('add', name, '--read', read, '--write', write);
    expect(r.code, r.err).toBe(0);
    return { username: name, password: /password: (\S+)/.exec(r.out)![1]! };
  }

  beforeAll(async () => {
    box = await startBox(`
bus: { limits: { connectionsPerUser: 3, messagesPerSecondPerUser: 40, maxPacketBytes: 4096 } }
drivers:
  - name: Acl_Test
    module: ${MISBEHAVE}
    devices:
      - { productKey: TestCounter, deviceName: acl-1, custom: { intervalMs: 100 } }
      - { productKey: TestCounter, deviceName: acl-2, custom: { intervalMs: 100 } }
`);
    configFile = join(box.dir, 'box.yaml');
    writeFileSync(configFile, `box: { name: test-box, dataDir: ${box.dir} }\n`);
  }, 30_000);
  afterAll(async () => {
    await box?.close();
  });

  it('the generated default user reads but cannot call services', async () => {
    const c = await login(box.runtime.busUser!);
    const seen = new Promise<string>((r) => c.once('message', (t) => r(t)));
    await c.subscribeAsync('/sys/#');
    expect(await seen).toMatch(/^\/sys\/TestCounter\//);
    expect(await publishRefused(c, '/sys/TestCounter/acl-1/thing/service/Echo', '{"id":"1","params":{}}')).toBe(true);
  });

  it('an app user reads and writes only its topics, per topic class', async () => {
    const app = addWithCli(
      'door-app',
      '/sys/TestCounter/acl-1/thing/event/#,/sys/TestCounter/acl-1/thing/service/+,door-app/#,linkedge/response/door-app/#',
      '/sys/TestCounter/acl-1/thing/service/#,door-app/request/linkedge/#',
    );
    const listed = JSON.parse(cli('list', '--json').out) as Array<{ username: string; source: string; read: string[] }>;
    expect(listed.find((u) => u.username === 'door-app')).toMatchObject({ source: 'app', read: expect.arrayContaining(['door-app/#']) });
    expect(listed.find((u) => u.username === 'edge-local')).toMatchObject({ source: 'generated' });

    const c = await login(app);
    // Subscriptions: granted inside the rights, refused (SUBACK 0x80) outside, the connection stays.
    expect(
      await granted(c, ['/sys/TestCounter/acl-1/thing/event/#', '/sys/#', '/sys/TestCounter/acl-2/thing/event/#', '/edge/#', '$SYS/#']),
    ).toEqual([0, 128, 128, 128, 128]);
    expect(c.connected).toBe(true);
    // A service call on its device is answered.
    await c.subscribeAsync('/sys/TestCounter/acl-1/thing/service/+');
    const reply = new Promise<string>((r) => c.on('message', (t, p) => t.endsWith('Echo_reply') && r(p.toString())));
    c.publish('/sys/TestCounter/acl-1/thing/service/Echo', JSON.stringify({ id: 'acl', params: { Text: 'hi' } }));
    expect(JSON.parse(await reply)).toMatchObject({ id: 'acl', code: 200 });
    // The device-list request of its own app name is allowed.
    const list = new Promise<string>((r) => c.on('message', (t, p) => t === 'linkedge/response/door-app/getDeviceList' && r(p.toString())));
    await c.subscribeAsync('linkedge/response/door-app/#');
    c.publish(
      'door-app/request/linkedge/getDeviceList',
      JSON.stringify({ requestId: 'r1', timestamp: Date.now(), timeout: 3, version: '1.0' }),
    );
    expect(await list).toContain('acl-1');

    // Each refused class closes the connection: another device's service, another app's request
    // name, a device report, $SYS, a retained command on its own device.
    const refusals: Array<[string, boolean?]> = [
      ['/sys/TestCounter/acl-2/thing/service/Echo'],
      ['other-app/request/linkedge/getDeviceList'],
      ['/sys/TestCounter/acl-1/thing/event/property/post'],
      ['$SYS/broker/forged'],
      ['/sys/TestCounter/acl-1/thing/service/Echo', true],
    ];
    await c.endAsync();
    for (const [topic, retain] of refusals) {
      const k = await login(app);
      expect(await publishRefused(k, topic, JSON.stringify({ id: 'x', params: {} }), retain ?? false), topic).toBe(true);
    }
    // Nothing retained reaches a later subscriber.
    const later = await login(box.busApp('watcher'));
    const retained: string[] = [];
    later.on('message', (t, _p, packet) => packet.retain && retained.push(t));
    await later.subscribeAsync('/sys/#');
    await observeFor(300); // quiet: no retained message arrives
    expect(retained).toEqual([]);
    await later.endAsync();
  });

  it('removing or changing a user closes its live connections; a removed user cannot log in', async () => {
    const app = addWithCli('short-lived', '/sys/#', '');
    const c = await login(app);
    const gone = closed(c);
    expect(cli('set', 'short-lived', '--read', '/sys/TestCounter/acl-1/#').code).toBe(0);
    await gone; // the daemon noticed the CLI's change
    const again = await login(app);
    expect(await granted(again, ['/sys/#'])).toEqual([128]); // the narrowed right holds
    const gone2 = closed(again);
    expect(cli('remove', 'short-lived').code).toBe(0);
    await gone2;
    await expect(login(app)).rejects.toThrow(/Bad username or password|Not authorized/i);
    // Bad input: an invalid filter, an existing name, the generated user.
    expect(cli('add', 'bad-filter', '--read', 'a/#/b').err).toMatch(/# must be/);
    expect(cli('add', 'door-app', '--read', '#').err).toMatch(/exists/);
    expect(cli('remove', 'edge-local').err).toMatch(/generated user/);
    expect(cli('add', '../etc', '--read', '#').code).toBe(1);
  });

  it('limits connections and messages per user, and packet size after login', async () => {
    const app = box.busApp('limited', { read: ['#'], write: ['/sys/TestCounter/acl-1/thing/service/#'] });
    const held = await Promise.all([login(app), login(app), login(app)]);
    await expect(login(app)).rejects.toThrow(/Server unavailable/i);
    await Promise.all(held.map((c) => c.endAsync()));
    await waitFor(async () => {
      const c = await login(app);
      await c.endAsync();
      return true;
    });

    // 40 messages a second: a burst of 200 closes the connection.
    const fast = await login(app);
    const gone = closed(fast);
    for (let i = 0; i < 200; i++) fast.publish('/sys/TestCounter/acl-1/thing/service/Nope', '{}');
    await gone;

    // A packet larger than maxPacketBytes (4 KiB here) closes the connection.
    const big = await login(app);
    const gone3 = closed(big);
    big.publish('/sys/TestCounter/acl-1/thing/service/Echo', 'x'.repeat(10_000));
    await gone3;
  });

  it('keeps at most 256 sockets waiting for their CONNECT', async () => {
    const port = box.runtime.busPort;
    let closedByBox = 0;
    const sockets = await Promise.all(
      Array.from(
        { length: 300 },
        () =>
          new Promise<import('node:net').Socket>((r) => {
            const s = connect(port, '127.0.0.1', () => r(s));
            s.on('error', () => undefined);
            s.on('close', () => closedByBox++);
            s.resume();
          }),
      ),
    );
    // 256 wait (until their 10 s are up); the rest are closed at once.
    await waitFor(() => closedByBox >= 44, 5000);
    expect(closedByBox).toBeLessThan(100);
    for (const s of sockets) s.destroy();
    // Served again once they are gone.
    await waitFor(async () => {
      const c = await login(box.busApp('after-flood', { read: ['#'], write: [] }));
      await c.endAsync();
      return true;
    }, 5000);
  });
});
