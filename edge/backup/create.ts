/**
 * Make a backup of a box: the config text, an online snapshot of the database (taken by the
 * caller's `snapshot`: the daemon's own connection, or a read-only one from `edge backup`), every
 * file of the data folder except the database files, logs and secrets, and — sealed with the
 * installer's passphrase — the secrets. Without a passphrase the manifest lists what is missing.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { TarEntry } from './tar.js';
import { type BackupManifest, packBackup } from './format.js';
import { SECRET_FILES, SECRET_TABLES, sealSecrets, type SecretBundle } from './secrets.js';

export interface BackupInput {
  /** Write a consistent copy of the box database to `file`. */
  snapshot(file: string): Promise<void>;
  dataDir: string;
  configText: string;
  box: string;
  productVersion: string;
  passphrase?: string;
}

/** Not in a backup: the database files (the snapshot stands for them), logs, leftovers of earlier restores. */
export function backedUp(rel: string): boolean {
  if (/^edge\.db(-wal|-shm|-journal|\.before-restore-.*)?$/.test(rel)) return false;
  if (rel === 'logs' || rel.startsWith('logs/') || /\.log(\.\d+)?$/.test(rel) || rel.endsWith('.tmp')) return false;
  return rel !== 'restore-state.json' && !(SECRET_FILES as readonly string[]).includes(rel);
}

/** Every regular file under `dir` (relative paths, sorted); symlinks and special files skipped. */
export function filesUnder(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const d of readdirSync(join(dir, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = rel ? `${rel}/${d.name}` : d.name;
    if (d.isDirectory()) out.push(...filesUnder(dir, path));
    else if (d.isFile()) out.push(path);
  }
  return out;
}

/** The data folder's files as `data/<rel>` entries, 16 reads in flight (tens of thousands of face images). */
async function readFiles(dir: string, rels: string[]): Promise<TarEntry[]> {
  const out = new Array<TarEntry>(rels.length);
  let next = 0;
  const reader = async (): Promise<void> => {
    for (let i = next++; i < rels.length; i = next++) out[i] = { name: `data/${rels[i]}`, data: await readFile(join(dir, rels[i]!)) };
  };
  await Promise.all(Array.from({ length: 16 }, reader));
  return out;
}

/** Take the secret tables' rows out of a snapshot (secure_delete: no copy left in free pages). */
function scrubSnapshot(file: string): SecretBundle['tables'] {
  const db = new Database(file);
  try {
    db.pragma('secure_delete = ON');
    const tables: SecretBundle['tables'] = {};
    for (const t of SECRET_TABLES) {
      if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(t)) continue;
      tables[t] = db.prepare(`SELECT * FROM ${t}`).all() as Array<Record<string, unknown>>;
      db.prepare(`DELETE FROM ${t}`).run();
    }
    db.pragma('journal_mode = DELETE');
    return tables;
  } finally {
    db.close();
  }
}

export async function createBackup(input: BackupInput): Promise<Buffer> {
  return (await createBackupWithManifest(input)).data;
}

/** The backup file and its manifest (what `edge backup` prints). */
export async function createBackupWithManifest(input: BackupInput): Promise<{ data: Buffer; manifest: BackupManifest }> {
  const tmp = await mkdtemp(join(tmpdir(), 'pe-backup-'));
  try {
    const dbFile = join(tmp, 'edge.db');
    await input.snapshot(dbFile);
    const tables = scrubSnapshot(dbFile);
    const entries: TarEntry[] = [
      { name: 'config.yaml', data: Buffer.from(input.configText) },
      { name: 'edge.db', data: await readFile(dbFile) },
    ];
    entries.push(...(await readFiles(input.dataDir, filesUnder(input.dataDir).filter(backedUp))));
    const files: SecretBundle['files'] = {};
    for (const f of SECRET_FILES)
      if (existsSync(join(input.dataDir, f))) files[f] = readFileSync(join(input.dataDir, f)).toString('base64');
    const secretNames = [
      ...Object.keys(files),
      ...Object.entries(tables)
        .filter(([, rows]) => rows.length > 0)
        .map(([t]) => `edge.db:${t}`),
    ];
    if (input.passphrase) entries.push({ name: 'secrets.enc', data: sealSecrets({ files, tables }, input.passphrase) });
    return packBackup(
      {
        productVersion: input.productVersion,
        box: input.box,
        createdAt: Date.now(),
        secrets: { included: Boolean(input.passphrase), missing: input.passphrase ? [] : secretNames },
      },
      entries,
    );
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
