/**
 * OTA of a hosted app (`module: app.<name>`) with real app processes: the version is reported on
 * connect; a bad checksum is refused (-3) with nothing unpacked; a good package is installed
 * beside the running version by the app host's deployer, runs, and is reported (100, new
 * version informed); one that crashes at start is rolled back (-4, the reason) and the earlier
 * version runs again. An app the box does not host is refused (-1).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppHost } from '../../edge/apps/index.js';
import { writeTar } from '../../edge/backup/tar.js';
import { silentLogger } from '../../edge/log.js';
import { OtaAgent } from '../../edge/ota/agent.js';
import { appTargets } from '../../edge/ota/app-target.js';
import { OTA_STEP, otaTopics } from '../../edge/ota/messages.js';
import { APP_FIXTURES, fastHost, writeApp } from '../apps/helpers.js';
import { freePort, waitFor } from '../helpers/runtime.js';
import { firmwareOf, firmwareServer, type FirmwareServer } from './fixtures.js';

const GW = { productKey: 'PEGateway', deviceName: 'box-01' };
const dir = mkdtempSync(join(tmpdir(), 'pe-ota-app-'));
const appDir = join(dir, 'data', 'apps', 'metered');
let host: AppHost;
let srv: FirmwareServer;
let port = 0;

/** An app package as DeployApp takes it: app.json and the fixture as main.cjs. */
function pkg(version: string, fixture: 'serve' | 'crash'): Buffer {
  const manifest = {
    name: 'metered',
    version,
    command: ['node', 'main.cjs'],
    provides: [{ serviceModelId: 'metered_model', port }],
    env: { PORT: String(port) },
  };
  return gzipSync(
    writeTar([
      { name: 'app.json', data: Buffer.from(JSON.stringify(manifest)) },
      { name: 'main.cjs', data: readFileSync(join(APP_FIXTURES, `${fixture}.cjs`)) },
    ]),
  );
}

beforeAll(async () => {
  port = await freePort();
  const configured = writeApp(join(dir, 'configured'), {
    name: 'metered',
    fixture: 'serve',
    version: '1.0.0',
    provides: [{ serviceModelId: 'metered_model', port }],
  });
  host = new AppHost(
    { log: silentLogger(), dataDir: join(dir, 'data'), apiDomain: '127.0.0.1:10061', logMaxBytes: 1 << 20, logKeep: 2 },
    fastHost({ deployDeadlineMs: 2500 }),
    [configured],
  );
  await host.start();
  srv = await firmwareServer();
  await waitFor(() => host.get('metered')?.process.state === 'running', { what: 'configured app running' });
});

afterAll(async () => {
  await host.stop();
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

function rig() {
  const sent: Array<{ topic: string; params: Record<string, string> }> = [];
  let id = 0;
  const apps = appTargets(host, silentLogger());
  const agent = new OtaAgent({
    log: silentLogger(),
    gateway: GW,
    publish: (topic, body) => {
      sent.push({ topic, params: (JSON.parse(body) as { params: Record<string, string> }).params });
      return true;
    },
    nextId: () => String(++id),
    target: (_d, module) => apps.target(module),
    versions: () => apps.versions().map((v) => ({ ...GW, ...v })),
    workDir: join(dir, 'ota'),
    freeBytes: async () => 1024 ** 3,
  });
  const progress = () => sent.filter((s) => s.topic === otaTopics.progress(GW.productKey, GW.deviceName));
  return { agent, sent, steps: () => progress().map((s) => Number(s.params.step)), progress };
}

async function upgrade(a: OtaAgent, name: string, data: Buffer, version: string, o: { sign?: string; module?: string } = {}) {
  srv.put(name, data);
  const fw = firmwareOf(data, srv.url(name), { module: o.module ?? 'app.metered', version, ...(o.sign ? { sign: o.sign } : {}) });
  a.handle(otaTopics.upgrade(GW.productKey, GW.deviceName), Buffer.from(JSON.stringify({ code: '1000', id: 1, data: fw })));
  await a.idle();
}

describe('hosted app OTA', () => {
  it('reports the running version of every hosted app on connect', () => {
    const { agent, sent } = rig();
    agent.informAll();
    expect(sent).toEqual([{ topic: otaTopics.inform(GW.productKey, GW.deviceName), params: { version: '1.0.0', module: 'app.metered' } }]);
  });

  it('refuses a package with a bad checksum (-3): nothing unpacked, the app untouched', async () => {
    const { agent, steps } = rig();
    const pid = host.get('metered')?.process.status().pid;
    await upgrade(agent, 'bad.tgz', pkg('1.0.5', 'serve'), '1.0.5', { sign: createHash('sha256').update('other').digest('hex') });
    expect(steps().at(-1)).toBe(OTA_STEP.VERIFY_FAILED);
    expect(existsSync(join(appDir, '1.0.5'))).toBe(false);
    expect(host.get('metered')?.process.status().pid).toBe(pid);
  });

  it('installs a good package beside the running version, runs it, reports 100 and the version', async () => {
    const { agent, sent, steps } = rig();
    await upgrade(agent, 'good.tgz', pkg('1.1.0', 'serve'), '1.1.0');
    expect(steps().slice(-4)).toEqual([75, 85, 95, 100]);
    expect(host.get('metered')?.manifest.version).toBe('1.1.0');
    expect(host.get('metered')?.process.state).toBe('running');
    expect(readFileSync(join(appDir, 'current'), 'utf8').trim()).toBe('1.1.0');
    expect(sent.at(-1)).toEqual({
      topic: otaTopics.inform(GW.productKey, GW.deviceName),
      params: { version: '1.1.0', module: 'app.metered' },
    });
  });

  it('rolls back a package that crashes at start and reports -4 with the reason', async () => {
    const { agent, steps, progress } = rig();
    await upgrade(agent, 'crash.tgz', pkg('1.2.0', 'crash'), '1.2.0');
    expect(steps().at(-1)).toBe(OTA_STEP.INSTALL_FAILED);
    expect(progress().at(-1)?.params.desc).toMatch(/metered 1\.2\.0 did not run within 2500 ms .*rolled back to 1\.1\.0/);
    await waitFor(() => host.get('metered')?.process.state === 'running', { what: '1.1.0 running again' });
    expect(host.get('metered')?.manifest.version).toBe('1.1.0');
    expect(readFileSync(join(appDir, 'current'), 'utf8').trim()).toBe('1.1.0');
  });

  it('refuses an app the box does not host (-1)', async () => {
    const { agent, steps } = rig();
    await upgrade(agent, 'other.tgz', pkg('1.0.0', 'serve'), '1.0.0', { module: 'app.nobody' });
    expect(steps()).toEqual([OTA_STEP.UPGRADE_FAILED]);
  });
});
