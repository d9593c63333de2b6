/**
 * The box's own upgrade and its rollback. This test plays systemd: before each start it runs
 * the boot check exactly as the unit's ExecStartPre does (`node <install>/boot-check.mjs
 * <install>`, the check transpiled on its own, so it needs nothing of the release), then starts
 * `current/run.mjs` and waits the ready deadline (TimeoutStartSec) for it to say ready.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTar } from '../../edge/backup/tar.js';
import { bootCheck, confirmRelease, readBootState, switchCurrent, writeBootState } from '../../edge/ota/boot.js';
import { boxTarget, installDirOf } from '../../edge/ota/box-target.js';
import { OTA_STEP, OtaError } from '../../edge/ota/messages.js';
import { silentLogger } from '../../edge/log.js';
import { waitFor } from '../helpers/wait.js';
import { firmwareOf } from './fixtures.js';

let root: string;
let install: string;
const children: ChildProcess[] = [];

/** A release whose run.mjs writes `ready` into the install folder, or never does. */
function releaseFiles(version: string, becomesReady: boolean): Array<{ name: string; data: Buffer }> {
  const run = becomesReady
    ? `import { writeFileSync } from 'node:fs'; writeFileSync(process.argv[2] + '/ready', '${version}'); setInterval(() => {}, 1000);`
    : 'setInterval(() => {}, 1000); // boots forever';
  return [
    { name: 'package/package.json', data: Buffer.from(JSON.stringify({ name: 'property-edge', version })) },
    { name: 'package/dist/edge/main.js', data: Buffer.from('// entry') },
    { name: 'package/run.mjs', data: Buffer.from(run) },
  ];
}

function packageFile(version: string, becomesReady: boolean): { file: string; data: Buffer } {
  const data = gzipSync(writeTar(releaseFiles(version, becomesReady)));
  const file = join(root, `box-${version}.tgz`);
  writeFileSync(file, data);
  return { file, data };
}

/** systemd's part: ExecStartPre, ExecStart, and a ready deadline (TimeoutStartSec; long where Node start-up on a loaded machine must not count). Resolves what ran and whether it became ready. */
async function systemdStart(deadlineMs = 20_000): Promise<{ ran: string; ready: boolean; pre: string }> {
  rmSync(join(install, 'ready'), { force: true });
  const pre = spawnSync(process.execPath, [join(install, 'boot-check.mjs'), install], { encoding: 'utf8' });
  expect(pre.status).toBe(0);
  const ran = readlinkSync(join(install, 'current'));
  const child = spawn(process.execPath, [join(install, 'current', 'run.mjs'), install], { stdio: 'ignore' });
  children.push(child);
  let ready = false;
  try {
    await waitFor(() => existsSync(join(install, 'ready')), { timeoutMs: deadlineMs, what: 'READY=1' });
    ready = true;
  } catch {
    // TimeoutStartSec passed: systemd kills the unit and (Restart=on-failure) starts it again.
  }
  if (!ready) {
    child.kill('SIGKILL');
    await waitFor(() => child.exitCode !== null || child.signalCode !== null, { what: 'killed' });
  }
  return { ran, ready, pre: pre.stdout.trim() };
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'pe-ota-box-'));
  install = join(root, 'opt');
  mkdirSync(join(install, 'releases', '1.0.0', 'dist', 'edge'), { recursive: true });
  for (const f of releaseFiles('1.0.0', true)) writeFileSync(join(install, 'releases', '1.0.0', f.name.slice('package/'.length)), f.data);
  symlinkSync(join('releases', '1.0.0'), join(install, 'current'));
  // The boot check as the installer puts it: compiled alone, beside the releases.
  const src = readFileSync(resolve(import.meta.dirname, '../../edge/ota/boot.ts'), 'utf8');
  const js = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  writeFileSync(join(install, 'boot-check.mjs'), js);
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await waitFor(() => children.every((c) => c.exitCode !== null || c.signalCode !== null), { what: 'children gone' });
  rmSync(root, { recursive: true, force: true });
});

function target(running: string, restarts: string[]) {
  return boxTarget({ installDir: install, runningVersion: running, log: silentLogger(), requestRestart: () => restarts.push(running) });
}

describe('box release upgrade', () => {
  it('finds the install folder from a release path', () => {
    expect(installDirOf('/opt/property-edge/releases/1.2.0')).toBe('/opt/property-edge');
    expect(installDirOf('/home/dev/property-edge')).toBeUndefined();
  });

  it('a release that never reaches ready is rolled back at the next start, and the reason kept for the cloud', async () => {
    expect(await systemdStart()).toMatchObject({ ran: 'releases/1.0.0', ready: true });
    const { file, data } = packageFile('2.0.0', false);
    const restarts: string[] = [];
    const steps: number[] = [];
    const outcome = await target('1.0.0', restarts).install(file, firmwareOf(data, 'http://unused/', { version: '2.0.0' }), (s) =>
      steps.push(s),
    );
    expect(outcome).toBe('on-restart');
    expect(steps).toEqual([85, 90]);
    await waitFor(() => restarts.length === 1, { what: 'restart requested' });
    expect(readBootState(install)).toMatchObject({ previous: '1.0.0', trial: '2.0.0', starts: 0 });

    // First start of the trial: counted, runs 2.0.0, never says ready within the deadline.
    const first = await systemdStart(1500);
    expect(first).toMatchObject({ ran: 'releases/2.0.0', ready: false, pre: 'property-edge boot check: trial (2.0.0)' });
    // systemd starts it again: the boot check switches back before the start.
    const second = await systemdStart();
    expect(second).toMatchObject({ ran: 'releases/1.0.0', ready: true, pre: 'property-edge boot check: rolled-back (1.0.0)' });
    const state = readBootState(install);
    expect(state.trial).toBeUndefined();
    expect(state.rolledBack).toMatchObject({ version: '2.0.0', to: '1.0.0' });
    expect(state.rolledBack?.reason).toMatch(/did not reach ready/);
    // And it stays there.
    expect(await systemdStart()).toMatchObject({ ran: 'releases/1.0.0', ready: true, pre: '' });
  });

  it('a release that reaches ready is confirmed and kept across restarts', async () => {
    const { file, data } = packageFile('2.1.0', true);
    await target('1.0.0', []).install(file, firmwareOf(data, 'http://unused/', { version: '2.1.0' }), () => undefined);
    const first = await systemdStart();
    expect(first).toMatchObject({ ran: 'releases/2.1.0', ready: true });
    expect(confirmRelease(install, '2.1.0')).toBe(true); // what the daemon does at ready
    expect(await systemdStart()).toMatchObject({ ran: 'releases/2.1.0', ready: true, pre: '' });
    expect(existsSync(join(install, 'releases', '1.0.0'))).toBe(true); // the previous stays for a later rollback
  });

  it('refuses a package that is not the announced release, leaving current alone', async () => {
    const data = gzipSync(writeTar(releaseFiles('3.0.0', true)));
    const file = join(root, 'wrong.tgz');
    writeFileSync(file, data);
    const before = readlinkSync(join(install, 'current'));
    const err = await target('2.1.0', [])
      .install(file, firmwareOf(data, 'http://unused/', { version: '3.0.1' }), () => undefined)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OtaError);
    expect((err as OtaError).step).toBe(OTA_STEP.INSTALL_FAILED);
    expect(readlinkSync(join(install, 'current'))).toBe(before);
    expect(existsSync(join(install, 'releases', '3.0.1'))).toBe(false);
    const evil = join(root, 'evil.tgz');
    writeFileSync(evil, gzipSync(writeTar([{ name: '../../escape', data: Buffer.from('x') }])));
    const e2 = await target('2.1.0', [])
      .install(
        evil,
        { ...firmwareOf(Buffer.from('x'), 'http://unused/', { version: '3.0.2' }), sign: createHash('sha256').digest('hex') },
        () => undefined,
      )
      .catch((e: unknown) => e);
    expect((e2 as OtaError).message).toMatch(/outside its folder/);
    expect(existsSync(join(root, 'escape'))).toBe(false);
  });

  it('a power cut during the very first start of a new release rolls it back at the next boot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pe-boot-power-'));
    try {
      for (const v of ['1.0.0', '2.0.0']) mkdirSync(join(dir, 'releases', v), { recursive: true });
      switchCurrent(dir, '2.0.0');
      writeBootState(dir, { previous: '1.0.0', trial: '2.0.0' }); // as the OTA install leaves it
      expect(bootCheck(dir)).toBe('trial'); // ExecStartPre of the first start; then the power goes
      expect(readBootState(dir)).toMatchObject({ trial: '2.0.0', starts: 1 });
      // Power back: the daemon never said ready, nothing else was written.
      expect(bootCheck(dir, new Date('2026-12-08T01:00:00Z'))).toBe('rolled-back');
      expect(readlinkSync(join(dir, 'current'))).toBe(join('releases', '1.0.0'));
      expect(readBootState(dir).rolledBack).toMatchObject({
        version: '2.0.0',
        to: '1.0.0',
        reason: expect.stringMatching(/did not reach ready/),
      });
      expect(bootCheck(dir)).toBe('normal'); // and the old release starts as usual from then on
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
