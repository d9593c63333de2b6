/**
 * `edge restore` killed with SIGKILL at each step (the built CLI as a child process, stopped at a
 * named step by EDGE_RESTORE_HALT_AT and killed there): after the next start's recovery the data
 * folder and config are exactly the old box or exactly the new one, never a mix.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { completeRestore } from '../../edge/cli/restore.js';
import { waitFor } from '../helpers/wait.js';
import { folderImage, makeBoxFolder } from './box-folder.js';

const MAIN = resolve(import.meta.dirname, '..', '..', 'dist', 'edge', 'main.js');
const root = mkdtempSync(join(tmpdir(), 'pe-restore-kill-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const source = makeBoxFolder(join(root, 'source'), 'new');
const backupFile = join(root, 'backup.tar.gz');
const made = spawnSync(process.execPath, [MAIN, 'backup', '-c', source.config, '-o', backupFile], { encoding: 'utf8' });

/** The restored box's image: the source's files, except the secrets it keeps from the target. */
function expectedNew(oldImage: Record<string, string>): Record<string, string> {
  const img = folderImage(source.dataDir);
  return { ...img, 'device-rsa-key.pem': oldImage['device-rsa-key.pem']!, 'bus-credentials.json': oldImage['bus-credentials.json']! };
}

async function killedAt(
  step: string,
): Promise<{ image: Record<string, string>; config: string; old: Record<string, string>; oldConfig: string }> {
  const target = makeBoxFolder(join(root, `target-${step}`), 'old');
  const old = folderImage(target.dataDir);
  const oldConfig = readFileSync(target.config, 'utf8');
  const child = spawn(process.execPath, [MAIN, 'restore', backupFile, '-c', target.config], {
    env: { ...process.env, EDGE_RESTORE_HALT_AT: step },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise((r) => child.on('exit', r));
  await waitFor(() => err.includes(`restore halted at ${step}`), 15_000);
  child.kill('SIGKILL');
  await exited;
  completeRestore(target.config, target.dataDir); // what `edge start` runs first
  return { image: folderImage(target.dataDir), config: readFileSync(target.config, 'utf8'), old, oldConfig };
}

describe('kill -9 during edge restore', () => {
  it('made the backup with the CLI', () => {
    expect(made.status, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/secrets left out \(no --passphrase-file\): device-rsa-key.pem, bus-credentials.json/);
  });

  for (const step of ['database', 'files', 'staged']) {
    it(`killed at "${step}" (before the commit): the old box, whole`, async () => {
      const r = await killedAt(step);
      expect(r.image).toEqual(r.old);
      expect(r.config).toBe(r.oldConfig);
      expect(readdirSync(join(root, `target-${step}`)).filter((n) => n.includes('restore'))).toEqual([]);
    });
  }

  for (const step of ['committed', 'moved-old', 'swapped']) {
    it(`killed at "${step}" (after the commit): the new box, whole, with its config`, async () => {
      const r = await killedAt(step);
      expect(r.image).toEqual(expectedNew(r.old));
      expect(r.config).toContain('name: box-new');
      expect(readdirSync(join(root, `target-${step}`)).filter((n) => /restore-(ready|staging)/.test(n))).toEqual([]);
    });
  }

  it('refuses while the box answers on its HTTP port (the daemon runs), touching nothing', async () => {
    const target = makeBoxFolder(join(root, 'target-running'), 'old');
    const old = folderImage(target.dataDir);
    const running = createServer((s) => s.destroy());
    await new Promise<void>((r) => running.listen(0, '127.0.0.1', r));
    try {
      const port = (running.address() as AddressInfo).port;
      writeFileSync(target.config, readFileSync(target.config, 'utf8').replace('port: 0 }\nbus', `port: ${port} }\nbus`));
      const r = await new Promise<{ code: number | null; err: string }>((done) => {
        const child = spawn(process.execPath, [MAIN, 'restore', backupFile, '-c', target.config], { stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        child.stderr.on('data', (b: Buffer) => (err += b.toString()));
        child.on('exit', (code) => done({ code, err }));
      });
      expect(r.code).toBe(1);
      expect(r.err).toMatch(`the box answers on its HTTP port (${port}): stop the daemon first`);
      expect(folderImage(target.dataDir)).toEqual(old);
    } finally {
      await new Promise((r) => running.close(r));
    }
  });

  it('with --passphrase-file on both sides the secrets come back; a wrong passphrase is refused, touching nothing', () => {
    const pass = join(root, 'pass.txt');
    writeFileSync(pass, 'a long installer passphrase\n');
    const sealed = join(root, 'sealed.tar.gz');
    const made = spawnSync(process.execPath, [MAIN, 'backup', '-c', source.config, '-o', sealed, '--passphrase-file', pass], {
      encoding: 'utf8',
    });
    expect(made.status, made.stderr).toBe(0);
    expect(made.stdout).not.toMatch(/secrets left out/);
    const target = makeBoxFolder(join(root, 'target-sealed'), 'old');
    const old = folderImage(target.dataDir);
    const wrong = join(root, 'wrong.txt');
    writeFileSync(wrong, 'not the passphrase\n');
    const refused = spawnSync(process.execPath, [MAIN, 'restore', sealed, '-c', target.config, '--passphrase-file', wrong], {
      encoding: 'utf8',
    });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/the passphrase does not open the backup’s secrets/);
    expect(folderImage(target.dataDir)).toEqual(old);
    const ok = spawnSync(process.execPath, [MAIN, 'restore', sealed, '-c', target.config, '--passphrase-file', pass], { encoding: 'utf8' });
    expect(ok.status, ok.stderr).toBe(0);
    expect(folderImage(target.dataDir)).toEqual(folderImage(source.dataDir)); // keys and credentials included
  });

  it('not killed: the new box; a corrupt file is refused with the reason', async () => {
    const target = makeBoxFolder(join(root, 'target-full'), 'old');
    const old = folderImage(target.dataDir);
    const ok = spawnSync(process.execPath, [MAIN, 'restore', backupFile, '-c', target.config], { encoding: 'utf8' });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/not restored \(secrets\): device-rsa-key.pem/);
    expect(folderImage(target.dataDir)).toEqual(expectedNew(old));
    const bad = Buffer.from(readFileSync(backupFile));
    bad.writeUInt8(bad.readUInt8(bad.length - 20) ^ 0xff, bad.length - 20); // inside the gzip stream
    const badFile = join(root, 'bad.tar.gz');
    writeFileSync(badFile, bad);
    const refused = spawnSync(process.execPath, [MAIN, 'restore', badFile, '-c', target.config], { encoding: 'utf8' });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/edge restore: not a valid box backup: (cannot unpack|.* is corrupt)/);
  });

  it('refuses a config it could not write afterwards, before staging anything', () => {
    const target = makeBoxFolder(join(root, 'target-unwritable'), 'old');
    const old = folderImage(target.dataDir);
    const config = join(root, 'no-such-folder', 'box.yaml');
    const refused = spawnSync(process.execPath, [MAIN, 'restore', backupFile, '-c', config], { encoding: 'utf8' });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`edge restore: cannot write the box config ${config} (ENOENT)`);
    expect(folderImage(target.dataDir)).toEqual(old);
    expect(readdirSync(root).filter((f) => f.includes('restore-staging'))).toEqual([]);
  });
});
