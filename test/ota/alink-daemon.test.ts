/**
 * OTA over Alink with the daemon and a real mosquitto: the box reports its versions when it
 * connects, takes an upgrade notice for a driver package on `/ota/device/upgrade/…`, reports its
 * steps on `/ota/device/progress/…` and the new version on `/ota/device/inform/…`; it answers a
 * firmware request's reply (`thing/ota/firmware/get_reply`) the same way.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTar } from '../../edge/backup/tar.js';
import { unpackBackup } from '../../edge/backup/format.js';
import { otaTopics } from '../../edge/ota/messages.js';
import { waitFor } from '../helpers/wait.js';
import { cloudYaml, GATEWAY, startDaemon, startRig, type CloudRig, type Daemon } from '../cloud/helpers.js';
import { firmwareOf, firmwareServer, type FirmwareServer } from './fixtures.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const DEMO = join(ROOT, 'drivers', 'demo-sim', 'index.ts');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const { productKey: PK, deviceName: DN } = GATEWAY;

let rig: CloudRig;
let srv: FirmwareServer;
let dir: string;
let daemon: Daemon | undefined;
let watcher: mqtt.MqttClient;
const seen: Array<{ topic: string; params: Record<string, string> }> = [];

const index = (v: string) => `// release ${v}\nexport { default } from ${JSON.stringify(DEMO)};\n`;

beforeAll(async () => {
  rig = await startRig();
  srv = await firmwareServer();
  dir = mkdtempSync(join(tmpdir(), 'pe-ota-alink-'));
  const pkgDir = join(dir, 'data', 'packages', 'counter');
  mkdirSync(join(pkgDir, 'releases', '1.0.0'), { recursive: true });
  writeFileSync(join(pkgDir, 'releases', '1.0.0', 'index.ts'), index('1.0.0'));
  symlinkSync(join('releases', '1.0.0'), join(pkgDir, 'current'));
  writeFileSync(
    join(dir, 'box.yaml'),
    `box: { name: ota-box, dataDir: ./data }\nhttp: { port: 0 }\nbus: { port: 0 }\nlog: { file: logs/edge.log }\nbackup: { folder: ./backups, keep: 2 }
drivers:
  - name: Counter_Pkg
    module: ./data/packages/counter/current
    config: { intervalMs: 500 }
    devices:
      - { productKey: PEDemoMeter, deviceName: m1, custom: { kind: meter } }
${cloudYaml(rig.broker.url, { subDevices: [], dynamicRegister: false, ota: { driverReadyS: 20 }, health: { probe: `127.0.0.1:${new URL(srv.url('x')).port}`, probeIntervalS: 5 } })}`,
  );
  watcher = await mqtt.connectAsync(rig.broker.url, {
    username: 'cloud',
    password: 'cloud-password-1',
    clientId: `ota-watch-${process.pid}`,
  });
  watcher.on('message', (topic, payload) => {
    const body = JSON.parse(payload.toString()) as { params?: Record<string, string> };
    seen.push({ topic, params: body.params ?? {} });
  });
  await watcher.subscribeAsync(['/ota/device/inform/#', '/ota/device/progress/#', `/sys/${PK}/${DN}/thing/ota/firmware/get`], { qos: 1 });
});

afterAll(async () => {
  if (daemon && daemon.child.exitCode === null) daemon.child.kill('SIGKILL');
  if (daemon) await daemon.exited;
  await watcher?.endAsync(true);
  await srv?.close();
  await rig?.close();
  rmSync(dir, { recursive: true, force: true });
});

const informs = () => seen.filter((s) => s.topic === otaTopics.inform(PK, DN)).map((s) => s.params);
const steps = () => seen.filter((s) => s.topic === otaTopics.progress(PK, DN)).map((s) => Number(s.params.step));

function notice(file: string, data: Buffer, version: string): string {
  srv.put(file, data);
  return JSON.stringify({
    code: '1000',
    id: 1,
    message: 'success',
    data: firmwareOf(data, srv.url(file), { module: 'pkg.counter', version }),
  });
}

const pkg = (v: string) => gzipSync(writeTar([{ name: 'index.ts', data: Buffer.from(index(v)) }]));

describe('OTA over Alink (daemon, mosquitto)', () => {
  it('reports versions on connect, upgrades a driver package on a notice, reports steps and the new version', async () => {
    daemon = startDaemon(join(dir, 'box.yaml'), dir);
    await waitFor(() => informs().length >= 2, { timeoutMs: 60_000, what: 'version reports', explain: () => daemon?.out() ?? '' });
    expect(informs()).toEqual(
      expect.arrayContaining([
        { version: VERSION, module: 'default' },
        { version: '1.0.0', module: 'pkg.counter' },
      ]),
    );
    watcher.publish(otaTopics.upgrade(PK, DN), notice('c-1.1.0.tgz', pkg('1.1.0'), '1.1.0'), { qos: 1 });
    await waitFor(() => steps().includes(100) || steps().some((s) => s < 0), { timeoutMs: 60_000, what: 'upgrade outcome' });
    expect(steps().at(-1)).toBe(100);
    expect(steps()[0]).toBe(1);
    await waitFor(() => informs().some((i) => i.module === 'pkg.counter' && i.version === '1.1.0'), { what: 'new version reported' });
  }, 120_000);

  it('shows box health as R41 defines it on /healthz and /metrics: Internet, cloud connection, deployment, clock', async () => {
    const url = await waitFor(() => /health: (http:\/\/\S+)\/healthz/.exec(daemon?.out() ?? '')?.[1], { what: 'health URL' });
    type R41 = {
      online: boolean;
      internet: { ok: boolean; target: string };
      cloud: { ok: boolean };
      deployment: { ok: boolean };
      clock: { offsetMs?: number };
    };
    let last: unknown;
    const r41 = await waitFor(
      async () => {
        const h = (await (await fetch(`${url}/healthz`)).json()) as { r41?: R41 };
        last = h.r41;
        return h.r41?.online && h.r41.clock.offsetMs !== undefined ? h.r41 : undefined;
      },
      { timeoutMs: 30_000, what: 'R41 online with a clock offset', explain: () => last },
    );
    expect(r41).toMatchObject({
      internet: { ok: true, target: expect.stringMatching(/^127\.0\.0\.1:\d+$/) },
      cloud: { ok: true },
      deployment: { ok: true },
    });
    expect(Math.abs(r41.clock.offsetMs!)).toBeLessThan(1000);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    for (const m of ['edge_box_online 1', 'edge_internet_reachable 1', 'edge_gateway_connected 1', 'edge_deployment_ok 1'])
      expect(metrics).toContain(m);
    expect(metrics).toMatch(/^edge_clock_offset_ms -?\d+/m);
  }, 60_000);

  it('takes a backup when the cloud calls the gateway service Backup, and answers where it is, its size and checksum', async () => {
    const r = await rig.cloud.invoke(PK, DN, 'Backup', {}, 20_000);
    expect(r.code).toBe(200);
    const d = r.data as { file: string; size: number; sha256: string };
    expect(d.file).toMatch(/backups\/backup-\d{8}T\d{9}Z\.tar\.gz$/);
    const bytes = readFileSync(d.file);
    expect(bytes.length).toBe(d.size);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(d.sha256);
    expect(unpackBackup(bytes, 2 ** 32).manifest.box).toBe('ota-box');
  }, 60_000);

  it('a notice with a bad checksum over the broker is refused with -3', async () => {
    const before = steps().length;
    const data = pkg('1.2.0');
    srv.put('c-bad.tgz', data);
    const body = {
      code: '1000',
      id: 2,
      data: { ...firmwareOf(data, srv.url('c-bad.tgz'), { module: 'pkg.counter', version: '1.2.0' }), sign: 'f'.repeat(64) },
    };
    watcher.publish(otaTopics.upgrade(PK, DN), JSON.stringify(body), { qos: 1 });
    await waitFor(
      () =>
        steps()
          .slice(before)
          .some((s) => s < 0),
      { timeoutMs: 30_000, what: 'refusal' },
    );
    expect(steps().slice(before).at(-1)).toBe(-3);
    daemon?.child.kill('SIGTERM');
    expect(await daemon?.exited).toBe(0);
  }, 60_000);
});
