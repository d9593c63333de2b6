/**
 * Check a backup completely before anything is touched: format version, every entry's checksum,
 * the config, the database (SQLite quick_check), the product version (a backup from a newer
 * product is refused unless forced, saying what differs) and the sealed secrets' passphrase.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parseConfig } from '../config/load.js';
import { compareVersions, invalidBackup, unpackBackup, type BackupManifest } from './format.js';
import { openSecrets, type SecretBundle } from './secrets.js';

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

export interface CheckedBackup {
  manifest: BackupManifest;
  configText: string;
  db: Buffer;
  /** Data-folder files by relative path. */
  files: Map<string, Buffer>;
  secrets?: SecretBundle;
  /** Secrets this restore will not bring back (the box keeps its own, or makes new ones). */
  missingSecrets: string[];
  /** Areas and versions of the database's migrations, shown before the user confirms. */
  areas: Record<string, number>;
}

export interface CheckOptions {
  maxUnpackedBytes: number;
  productVersion: string;
  force?: boolean;
  passphrase?: string;
}

async function checkDatabase(db: Buffer): Promise<Record<string, number>> {
  if (db.length < 100 || !db.subarray(0, 16).equals(SQLITE_MAGIC)) throw invalidBackup('edge.db is not an SQLite database');
  const dir = await mkdtemp(join(tmpdir(), 'pe-restore-check-'));
  try {
    const file = join(dir, 'edge.db');
    await writeFile(file, db);
    const check = new Database(file, { readonly: true });
    try {
      const ok = check.pragma('quick_check', { simple: true });
      if (ok !== 'ok') throw invalidBackup(`edge.db damaged (${String(ok)})`);
      const rows = check.prepare('SELECT area, version FROM schema_migrations').all() as { area: string; version: number }[];
      return Object.fromEntries(rows.map((r) => [r.area, r.version]));
    } catch (err) {
      if ((err as { code?: string }).code === 'EDGE_ERR_CONSOLE_BACKUP_INVALID') throw err;
      throw invalidBackup(`edge.db unreadable (${(err as Error).message})`);
    } finally {
      check.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function checkBackup(data: Buffer, o: CheckOptions): Promise<CheckedBackup> {
  const { manifest, entries } = unpackBackup(data, o.maxUnpackedBytes);
  if (compareVersions(manifest.productVersion, o.productVersion) > 0 && !o.force)
    throw invalidBackup(
      `made by product ${manifest.productVersion}, this box runs ${o.productVersion} (older): upgrade this box first, or restore with --force`,
    );
  const configText = entries.get('config.yaml')?.toString('utf8');
  const db = entries.get('edge.db');
  if (configText === undefined || !db) throw invalidBackup('config.yaml or edge.db missing');
  try {
    parseConfig(configText, 'backup config.yaml');
  } catch (err) {
    throw invalidBackup(`config.yaml: ${(err as Error).message}`);
  }
  const areas = await checkDatabase(db);
  const files = new Map<string, Buffer>();
  for (const [name, buf] of entries) if (name.startsWith('data/')) files.set(name.slice(5), buf);
  const sealed = entries.get('secrets.enc');
  let secrets: SecretBundle | undefined;
  if (sealed && o.passphrase !== undefined) {
    try {
      secrets = openSecrets(sealed, o.passphrase);
    } catch (err) {
      throw invalidBackup((err as Error).message);
    }
  }
  const missingSecrets = secrets
    ? []
    : sealed
      ? ['all secrets (the backup holds them sealed: give its passphrase)']
      : manifest.secrets.missing;
  return { manifest, configText, db, files, ...(secrets ? { secrets } : {}), missingSecrets, areas };
}
