/**
 * Backups of the box: the config text and a consistent copy of the box database (SQLite's
 * online backup, so the daemon keeps running), packed as a gzipped tar with a manifest.
 *
 * Restore is staged: the checked files go to `<dataDir>/restore-pending/`; the config (when
 * the box runs from a file) is written and redeployed at once, the database is swapped in by
 * `applyPendingRestore` at the next start, before anything opens it — replacing a database
 * under running areas would lose their writes. The replaced database is kept beside it.
 */
import { writeFileAtomic } from '../../store/atomic-file.js';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { edgeError } from '../../errors.js';
import { parseConfig } from '../../config/load.js';
import type { Db } from '../../store/db.js';
import { readTar, writeTar } from './tar.js';

export const BACKUP_FORMAT = 'property-edge-backup';
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const PENDING = 'restore-pending';

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  formatVersion: 1;
  createdAt: number;
  box: string;
  appVersion: string;
  files: string[];
}

export async function createBackup(input: { db: Db; configText: string; box: string; appVersion: string }): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'pe-backup-'));
  try {
    const file = join(dir, 'edge.db');
    await input.db.backup(file);
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      formatVersion: 1,
      createdAt: Date.now(),
      box: input.box,
      appVersion: input.appVersion,
      files: ['config.yaml', 'edge.db'],
    };
    const tar = writeTar([
      { name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest, null, 2)) },
      { name: 'config.yaml', data: Buffer.from(input.configText) },
      { name: 'edge.db', data: await readFile(file) },
    ]);
    return gzipSync(tar);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface CheckedBackup {
  manifest: BackupManifest;
  configText: string;
  db: Buffer;
  /** Areas and versions of the database's migrations, shown before the user confirms. */
  areas: Record<string, number>;
}

/** Unpack and check a backup completely; throws EDGE_ERR_CONSOLE_BACKUP_INVALID with the reason. */
export async function checkBackup(data: Buffer, maxUnpackedBytes: number): Promise<CheckedBackup> {
  const invalid = (why: string) => edgeError('EDGE_ERR_CONSOLE_BACKUP_INVALID', why);
  let entries;
  try {
    entries = readTar(gunzipSync(data, { maxOutputLength: maxUnpackedBytes }));
  } catch (err) {
    throw invalid(`cannot unpack (${(err as Error).message})`);
  }
  const get = (name: string) => entries.find((e) => e.name === name)?.data;
  const rawManifest = get('manifest.json');
  if (!rawManifest) throw invalid('manifest.json missing');
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(rawManifest.toString('utf8')) as BackupManifest;
  } catch {
    throw invalid('manifest.json is not JSON');
  }
  if (manifest.format !== BACKUP_FORMAT || manifest.formatVersion !== 1) throw invalid('not a property-edge backup (format)');
  const configText = get('config.yaml')?.toString('utf8');
  const db = get('edge.db');
  if (configText === undefined || !db) throw invalid('config.yaml or edge.db missing');
  try {
    parseConfig(configText, 'backup config.yaml');
  } catch (err) {
    throw invalid(`config.yaml: ${(err as Error).message}`);
  }
  if (db.length < 100 || !db.subarray(0, 16).equals(SQLITE_MAGIC)) throw invalid('edge.db is not an SQLite database');
  const dir = await mkdtemp(join(tmpdir(), 'pe-restore-check-'));
  try {
    const file = join(dir, 'edge.db');
    await writeFile(file, db);
    const check = new Database(file, { readonly: true });
    try {
      const ok = check.pragma('quick_check', { simple: true });
      if (ok !== 'ok') throw invalid(`edge.db damaged (${String(ok)})`);
      const rows = check.prepare('SELECT area, version FROM schema_migrations').all() as { area: string; version: number }[];
      return { manifest, configText, db, areas: Object.fromEntries(rows.map((r) => [r.area, r.version])) };
    } catch (err) {
      if ((err as { code?: string }).code === 'EDGE_ERR_CONSOLE_BACKUP_INVALID') throw err;
      throw invalid(`edge.db unreadable (${(err as Error).message})`);
    } finally {
      check.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Put a checked backup's database where the next start will pick it up. */
export function stageRestore(dataDir: string, backup: CheckedBackup): string {
  const dir = join(dataDir, PENDING);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'edge.db.part'), backup.db, { mode: 0o600 });
  writeFileSync(join(dir, 'config.yaml'), backup.configText, { mode: 0o600 });
  renameSync(join(dir, 'edge.db.part'), join(dir, 'edge.db')); // the rename marks the stage complete
  return dir;
}

export function pendingRestore(dataDir: string): boolean {
  return existsSync(join(dataDir, PENDING, 'edge.db'));
}

/**
 * At start, before the database opens: swap in a staged database. The replaced one (and its
 * WAL) is kept as `edge.db.before-restore-<time>`. Returns the kept file's name, if any.
 */
export function applyPendingRestore(dataDir: string, dbFile = join(dataDir, 'edge.db')): string | undefined {
  const staged = join(dataDir, PENDING, 'edge.db');
  if (!existsSync(staged)) return undefined;
  const kept = `${dbFile}.before-restore-${Date.now()}`;
  if (existsSync(dbFile)) renameSync(dbFile, kept);
  for (const suffix of ['-wal', '-shm']) if (existsSync(dbFile + suffix)) renameSync(dbFile + suffix, kept + suffix);
  renameSync(staged, dbFile);
  rmSync(join(dataDir, PENDING), { recursive: true, force: true });
  return kept;
}

/** Write a config file atomically, keeping the previous one as `<file>.bak`. */
export function writeConfigFile(file: string, text: string): void {
  if (existsSync(file)) writeFileAtomic(`${file}.bak`, readFileSync(file), 0o600);
  writeFileAtomic(file, text, 0o600);
}
