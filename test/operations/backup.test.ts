/** The backup format and the restore's checks (edge/backup), on stopped boxes in temp folders. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { finishRestore, readRestoreState, stageRestore } from '../../edge/backup/apply.js';
import { checkBackup } from '../../edge/backup/check.js';
import { createBackup } from '../../edge/backup/create.js';
import { ensureRestoreSpace, freeBytesOf, restoreNeedsBytes } from '../../edge/backup/disk.js';
import { withLocalSettings } from '../../edge/backup/local-config.js';
import { readTar, writeTar } from '../../edge/backup/tar.js';
import { snapshotReadOnly } from '../../edge/cli/backup.js';
import { folderImage, makeBoxFolder, type BoxFolder } from './box-folder.js';

const dirs: string[] = [];
const temp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'pe-ops-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const backupOf = (box: BoxFolder, productVersion = '1.0.0', passphrase?: string): Promise<Buffer> =>
  createBackup({
    snapshot: (to) => snapshotReadOnly(join(box.dataDir, 'edge.db'), to),
    dataDir: box.dataDir,
    configText: readFileSync(box.config, 'utf8'),
    box: 'box-a',
    productVersion,
    ...(passphrase ? { passphrase } : {}),
  });
const check = (data: Buffer, o: { productVersion?: string; force?: boolean; passphrase?: string } = {}) =>
  checkBackup(data, { maxUnpackedBytes: 1 << 28, productVersion: o.productVersion ?? '1.0.0', ...o });
const secretRows = (dataDir: string): unknown[] => {
  const db = new Database(join(dataDir, 'edge.db'), { readonly: true });
  try {
    return db.prepare('SELECT device, secret FROM cloud_subdevice_secrets').all();
  } finally {
    db.close();
  }
};

describe('backup and restore of a box folder', () => {
  it('without a passphrase: data folders in, secrets out and listed; a restore keeps the target box’s own secrets', async () => {
    const a = makeBoxFolder(temp(), 'a');
    const data = await backupOf(a);
    const names = readTar(gunzipSync(data)).map((e) => e.name);
    expect(names).toContain('data/drivers/Door_Std/door-standard-intercom.json');
    expect(names).toContain(`data/drivers/Door_Std/groups/${'g'.repeat(120)}.json`);
    expect(names).toContain('data/access/faces/a.jpg');
    expect(names.filter((n) => /rsa|credentials|logs\//.test(n))).toEqual([]);
    expect(data.includes(Buffer.from('secret-a'))).toBe(false);
    const checked = await check(data);
    expect(checked.missingSecrets).toEqual(['device-rsa-key.pem', 'bus-credentials.json', 'edge.db:cloud_subdevice_secrets']);
    const b = makeBoxFolder(temp(), 'b');
    stageRestore(b.dataDir, checked);
    finishRestore(b.dataDir);
    const image = folderImage(b.dataDir);
    expect(image['drivers/Door_Std/door-standard-intercom.json']).toBe('{"tag":"a"}');
    expect(image['device-rsa-key.pem']).toBe('KEY-b'); // the box's own key stays
    expect(secretRows(b.dataDir)).toEqual([]); // not in the backup: the cloud registers the devices again
    expect(readFileSync(join(b.dataDir, 'logs', 'edge.log'), 'utf8')).toBe('log-b'); // logs carried over
    expect(readRestoreState(b.dataDir)).toMatchObject({ box: 'box-a', resync: true, missingSecrets: checked.missingSecrets });
  });

  it('with a passphrase: keys, credentials and secret rows come back; a wrong passphrase is refused with the reason', async () => {
    const a = makeBoxFolder(temp(), 'a');
    const data = await backupOf(a, '1.0.0', 'correct horse battery');
    expect(data.includes(Buffer.from('secret-a'))).toBe(false);
    expect(data.includes(Buffer.from('KEY-a'))).toBe(false);
    await expect(check(data, { passphrase: 'wrong passphrase' })).rejects.toThrow(/passphrase does not open/);
    const withoutPass = await check(data);
    expect(withoutPass.missingSecrets[0]).toMatch(/sealed: give its passphrase/);
    const checked = await check(data, { passphrase: 'correct horse battery' });
    expect(checked.missingSecrets).toEqual([]);
    const b = makeBoxFolder(temp(), 'b');
    stageRestore(b.dataDir, checked);
    finishRestore(b.dataDir);
    expect(readFileSync(join(b.dataDir, 'device-rsa-key.pem'), 'utf8')).toBe('KEY-a');
    expect(JSON.parse(readFileSync(join(b.dataDir, 'bus-credentials.json'), 'utf8')).password).toBe('pw-a');
    expect(secretRows(b.dataDir)).toEqual([{ device: 'PK/door-1', secret: 'secret-a' }]);
  });

  it('refuses a corrupt entry, another format version and a newer product (unless forced), saying why', async () => {
    const a = makeBoxFolder(temp(), 'a');
    const data = await backupOf(a, '2.3.0');
    const entries = readTar(gunzipSync(data));
    const flip = entries.map((e) => (e.name === 'data/access/faces/a.jpg' ? { ...e, data: Buffer.from('jpeg-X') } : e));
    await expect(check(gzipSync(writeTar(flip)), { productVersion: '9.0.0' })).rejects.toThrow(
      'data/access/faces/a.jpg is corrupt (checksum does not match)',
    );
    const manifest = JSON.parse(entries[0]!.data.toString()) as Record<string, unknown>;
    const v9 = [{ name: 'manifest.json', data: Buffer.from(JSON.stringify({ ...manifest, formatVersion: 9 })) }, ...entries.slice(1)];
    await expect(check(gzipSync(writeTar(v9)), { productVersion: '9.0.0' })).rejects.toThrow(
      'backup format version 9, this box reads version 2',
    );
    await expect(check(data, { productVersion: '2.2.9' })).rejects.toThrow(
      'made by product 2.3.0, this box runs 2.2.9 (older): upgrade this box first, or restore with --force',
    );
    await expect(check(data, { productVersion: '2.2.9', force: true })).resolves.toMatchObject({ manifest: { productVersion: '2.3.0' } });
    await expect(check(data, { productVersion: '2.4.0' })).resolves.toBeDefined(); // an older backup on a newer box: migrations run
    const outside = [...entries, { name: 'data/../escape', data: Buffer.from('x') }];
    await expect(check(gzipSync(writeTar(outside)), { productVersion: '9.0.0' })).rejects.toThrow(/not listed in the manifest/);
  });

  it('refuses a restore the disk beside the data folder cannot hold, before writing anything, saying how much is missing', async () => {
    const a = makeBoxFolder(temp(), 'a');
    const checked = await check(await backupOf(a));
    const need = restoreNeedsBytes(checked);
    expect(need).toBeGreaterThan(checked.db.length + 16 * 1024 * 1024);
    const target = join(temp(), 'data');
    const asked: string[] = [];
    const tight = (dir: string) => {
      asked.push(dir);
      return need - 1;
    };
    expect(() => ensureRestoreSpace(target, checked, tight)).toThrow(
      `not enough free disk beside ${target}: ${Math.round((need - 1) / 1e6)} MB free, the restore needs ${Math.ceil(need / 1e6)} MB`,
    );
    expect(asked).toEqual([dirname(target)]);
    expect(existsSync(`${target}.restore-staging`)).toBe(false);
    expect(() => ensureRestoreSpace(target, checked, () => need)).not.toThrow();
    expect(freeBytesOf(tmpdir())).toBeGreaterThan(0); // the real figure, from statfs
  });

  it('keeps the target box’s data folder and listen ports in the restored config', () => {
    const backup =
      '# site\nbox: { name: site-1, dataDir: /var/lib/old }\nhttp: { port: 8080 }\nbus: { port: 1883, users: [] }\ndrivers: []\n';
    const local = 'box: { name: spare, dataDir: ./data }\nhttp: { host: 0.0.0.0, port: 18080 }\nbus: { port: 11883 }\n';
    const merged = withLocalSettings(backup, local);
    expect(merged).toContain('name: site-1');
    expect(merged).toContain('dataDir: ./data');
    expect(merged).toContain('port: 18080');
    expect(merged).toContain('port: 11883');
    expect(merged).toContain('# site');
    expect(existsSync(merged)).toBe(false);
  });
});
