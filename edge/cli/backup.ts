/**
 * `edge backup` / `edge restore` (edge/backup: the one format the console uses too).
 *
 * `edge backup` runs beside a running daemon without stopping it: it opens the box database
 * read-only and takes SQLite's online backup (a consistent snapshot; the daemon's writes go on).
 * `edge restore` needs the daemon stopped (it refuses while the box answers on its HTTP port):
 * the data folder is swapped as a whole (edge/backup/apply.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { createBackupWithManifest } from '../backup/create.js';
import { loadConfig } from '../config/load.js';
import { DEFAULT_CONFIG_YAML } from '../config/defaults.js';
import { writeFileAtomic } from '../store/atomic-file.js';
import { VERSION } from '../version.js';

const USAGE = `usage: edge backup [-c box.yaml] [-o file] [--passphrase-file f]
  writes one file: the config, a snapshot of the database, the drivers' data folders, the face
  library and edge files; keys and secrets only when a passphrase is given (sealed with it)
`;

/** The passphrase file's first line (so an editor's trailing newline does not change it). */
export function readPassphrase(file: string | undefined): string | undefined {
  if (!file) return undefined;
  const p = readFileSync(file, 'utf8').split(/\r?\n/)[0] ?? '';
  if (p.length < 8) throw new Error(`${file}: the passphrase must have at least 8 characters`);
  return p;
}

/** SQLite's online backup from a read-only connection, all pages in one step (no restart under writes). */
export async function snapshotReadOnly(dbFile: string, to: string): Promise<void> {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    await db.backup(to, { progress: () => 1 << 30 });
  } finally {
    db.close();
  }
}

export async function backupCommand(args: string[]): Promise<number> {
  let values: { config?: string; output?: string; 'passphrase-file'?: string };
  try {
    ({ values } = parseArgs({
      args,
      options: { config: { type: 'string', short: 'c' }, output: { type: 'string', short: 'o' }, 'passphrase-file': { type: 'string' } },
    }));
  } catch (err) {
    process.stderr.write(`edge backup: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  try {
    // Beside a running box the backup yields the CPU to it: passage decisions first (nice 10;
    // only ever raised — lowering it needs privileges).
    if (getPriority() < 10) setPriority(10);
    const file = values.config ?? process.env.EDGE_CONFIG;
    const { config, baseDir } = loadConfig(file);
    const dataDir = resolve(baseDir, config.box.dataDir);
    const dbFile = resolve(dataDir, 'edge.db');
    if (!existsSync(dbFile)) throw new Error(`no box database in ${dataDir}: nothing to back up`);
    const passphrase = readPassphrase(values['passphrase-file']);
    const { data, manifest } = await createBackupWithManifest({
      snapshot: (to) => snapshotReadOnly(dbFile, to),
      dataDir,
      configText: file ? readFileSync(resolve(file), 'utf8') : DEFAULT_CONFIG_YAML,
      box: config.box.name,
      productVersion: VERSION,
      ...(passphrase ? { passphrase } : {}),
    });
    const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
    const out = resolve(values.output ?? `${config.box.name.replace(/[^A-Za-z0-9_.-]/g, '_')}-${stamp}.tar.gz`);
    writeFileAtomic(out, data, 0o600);
    process.stdout.write(
      `backup of ${manifest.box} (product ${VERSION}): ${basename(out)}, ${manifest.entries.length} entries, ${data.length} bytes\n`,
    );
    if (manifest.secrets.missing.length > 0)
      process.stdout.write(
        `secrets left out (no --passphrase-file): ${manifest.secrets.missing.join(', ')} — a box restored from it keeps or makes its own\n`,
      );
    return 0;
  } catch (err) {
    process.stderr.write(`edge backup: ${(err as Error).message}\n`);
    return 1;
  }
}
