/**
 * OTA of a driver package on a running box (real driver processes): a bad checksum is refused,
 * a good release is installed and reported, one that crashes at start is rolled back and
 * reported with -4 while the driver runs the earlier release again.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTar } from '../../edge/backup/tar.js';
import { OtaAgent } from '../../edge/ota/agent.js';
import { driversOfPackage, packageTarget, packageVersions } from '../../edge/ota/driver-target.js';
import { OTA_STEP, otaTopics } from '../../edge/ota/messages.js';
import { silentLogger } from '../../edge/log.js';
import type { Runtime } from '../../edge/runtime.js';
import { bootRuntime, MISBEHAVE, waitFor } from '../helpers/runtime.js';
import { firmwareOf, firmwareServer, type FirmwareServer } from './fixtures.js';

const GW = { productKey: 'PEGateway', deviceName: 'box-01' };
let dir: string;
let packages: string;
let runtime: Runtime;
let srv: FirmwareServer;

/** A package whose index re-exports the misbehave driver and leaves a marker when loaded. */
function goodIndex(version: string): string {
  return `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(join(dir, `loaded-${version}`))}, '');\nexport { default } from ${JSON.stringify(MISBEHAVE)};\n`;
}

function pkg(files: Record<string, string>): Buffer {
  return gzipSync(writeTar(Object.entries(files).map(([name, text]) => ({ name: `package/${name}`, data: Buffer.from(text) }))));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pe-ota-pkg-'));
  packages = join(dir, 'packages');
  mkdirSync(join(packages, 'counter', 'releases', '1.0.0'), { recursive: true });
  writeFileSync(join(packages, 'counter', 'releases', '1.0.0', 'index.ts'), goodIndex('1.0.0'));
  symlinkSync(join('releases', '1.0.0'), join(packages, 'counter', 'current'));
  runtime = bootRuntime(
    dir,
    `host: { heartbeatMs: 200, hangTimeoutMs: 3000, restartBaseMs: 200, restartMaxMs: 800 }
drivers:
  - name: Counter_Pkg
    module: ${join(packages, 'counter', 'current')}
    devices:
      - { productKey: TestCounter, deviceName: c-1, custom: { intervalMs: 100 } }
  - name: Other
    module: ${MISBEHAVE}
    devices:
      - { productKey: TestCounter, deviceName: o-1, custom: { intervalMs: 100 } }
`,
  );
  await runtime.start();
  srv = await firmwareServer();
});

afterAll(async () => {
  await runtime.stop();
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

function rig() {
  const sent: Array<{ topic: string; params: Record<string, string> }> = [];
  let id = 0;
  const agent = new OtaAgent({
    log: silentLogger(),
    gateway: GW,
    publish: (topic, body) => {
      sent.push({ topic, params: (JSON.parse(body) as { params: Record<string, string> }).params });
      return true;
    },
    nextId: () => String(++id),
    target: (_d, module) =>
      module === 'pkg.counter'
        ? packageTarget(
            { packagesDir: packages, baseDir: dir, host: runtime.host, log: silentLogger(), readyMs: 8000, steadyMs: 1500 },
            'counter',
          )
        : undefined,
    versions: () => packageVersions(packages, ['counter']).map((v) => ({ ...GW, ...v })),
    workDir: join(dir, 'ota'),
    freeBytes: async () => 1024 ** 3,
  });
  const steps = () => sent.filter((s) => s.topic === otaTopics.progress(GW.productKey, GW.deviceName)).map((s) => Number(s.params.step));
  return { agent, sent, steps };
}

async function upgrade(a: OtaAgent, name: string, data: Buffer, version: string, sign?: string): Promise<void> {
  srv.put(name, data);
  const fw = firmwareOf(data, srv.url(name), { module: 'pkg.counter', version, ...(sign ? { sign } : {}) });
  a.handle(otaTopics.upgrade(GW.productKey, GW.deviceName), Buffer.from(JSON.stringify({ code: '1000', id: 1, data: fw })));
  await a.idle();
}

describe('driver package OTA', () => {
  it('knows which drivers run the package and reports its version', async () => {
    expect(driversOfPackage({ packagesDir: packages, baseDir: dir, host: runtime.host }, 'counter')).toEqual(['Counter_Pkg']);
    await waitFor(() => runtime.host.driver('Counter_Pkg')?.state === 'running', { what: 'driver running' });
    const { agent, sent } = rig();
    agent.informAll();
    expect(sent).toEqual([{ topic: otaTopics.inform(GW.productKey, GW.deviceName), params: { version: '1.0.0', module: 'pkg.counter' } }]);
  });

  it('refuses a package with a bad checksum (-3): nothing unpacked, the driver untouched', async () => {
    const { agent, steps } = rig();
    const pid = runtime.host.driver('Counter_Pkg')?.pid;
    await upgrade(agent, 'bad.tgz', pkg({ 'index.ts': goodIndex('1.0.5') }), '1.0.5', createHash('sha256').update('other').digest('hex'));
    expect(steps().at(-1)).toBe(OTA_STEP.VERIFY_FAILED);
    expect(existsSync(join(packages, 'counter', 'releases', '1.0.5'))).toBe(false);
    expect(runtime.host.driver('Counter_Pkg')?.pid).toBe(pid);
  });

  it('installs a good package beside the old one, restarts its driver on it, reports 100 and the version', async () => {
    const { agent, sent, steps } = rig();
    await upgrade(agent, 'good.tgz', pkg({ 'index.ts': goodIndex('1.1.0') }), '1.1.0');
    expect(steps().slice(-4)).toEqual([75, 85, 90, 100]);
    expect(readlinkSync(join(packages, 'counter', 'current'))).toBe(join('releases', '1.1.0'));
    expect(existsSync(join(packages, 'counter', 'releases', '1.0.0'))).toBe(true);
    expect(existsSync(join(dir, 'loaded-1.1.0'))).toBe(true);
    expect(runtime.host.driver('Counter_Pkg')?.state).toBe('running');
    expect(sent.at(-1)).toEqual({
      topic: otaTopics.inform(GW.productKey, GW.deviceName),
      params: { version: '1.1.0', module: 'pkg.counter' },
    });
  });

  it('rolls back a package that crashes at start and reports -4', async () => {
    const { agent, steps, sent } = rig();
    const otherPid = runtime.host.driver('Other')?.pid;
    rmSync(join(dir, 'loaded-1.1.0'));
    await upgrade(agent, 'crash.tgz', pkg({ 'index.ts': "throw new Error('broken build');\n" }), '1.2.0');
    expect(steps().at(-1)).toBe(OTA_STEP.INSTALL_FAILED);
    const last = sent.filter((s) => s.topic.startsWith('/ota/device/progress/')).at(-1);
    expect(last?.params.desc).toMatch(/Counter_Pkg (failed: broken build|did not reach running).*; rolled back to 1\.1\.0/);
    expect(readlinkSync(join(packages, 'counter', 'current'))).toBe(join('releases', '1.1.0'));
    await waitFor(() => runtime.host.driver('Counter_Pkg')?.state === 'running', { what: 'driver running again' });
    expect(existsSync(join(dir, 'loaded-1.1.0'))).toBe(true); // the earlier release was loaded again
    expect(runtime.host.driver('Other')?.pid).toBe(otherPid); // other drivers were left alone
  });
});
