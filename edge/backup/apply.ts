/**
 * Apply a checked backup atomically. Everything is written to a sibling folder
 * `<dataDir>.restore-staging` and flushed to disk; one rename to `<dataDir>.restore-ready` is the
 * commit point. Then the swap: the old data folder becomes `<dataDir>.before-restore-<time>` and
 * the ready one takes its name. Killed at any moment, the box is the old one (no ready folder:
 * a leftover staging folder is dropped) or the new one (a ready folder is swapped in by
 * `finishRestore`, which every start runs before the database opens).
 *
 * The restored folder carries `restore-state.json`: the box re-sends every permission to every
 * device once it starts on it (edge/backup/resync.ts), and, for `edge restore`, the config text
 * still to be written.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { syncDir } from '../store/atomic-file.js';
import type { CheckedBackup } from './check.js';
import { SECRET_FILES } from './secrets.js';

export const RESTORE_STATE = 'restore-state.json';

export interface RestoreState {
  box: string;
  createdAt: number;
  productVersion: string;
  restoredAt: number;
  /** Every device is to get its permissions again (cleared once queued). */
  resync: boolean;
  missingSecrets: string[];
  /** `edge restore`: the config text to write to the box's config file after the swap. */
  config?: string;
}

export const stagingDir = (dataDir: string): string => `${dataDir}.restore-staging`;
export const readyDir = (dataDir: string): string => `${dataDir}.restore-ready`;

/** Written in place (not via a temporary file): a half-written staging folder is never committed. */
function writeDurable(file: string, data: Buffer | string, sync = true): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const fd = openSync(file, 'w', 0o600);
  try {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
    if (sync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Put the sealed secret rows back into the staged database. */
function restoreSecretRows(dbFile: string, tables: Record<string, Array<Record<string, unknown>>>): void {
  const db = new Database(dbFile);
  try {
    for (const [table, rows] of Object.entries(tables)) {
      if (!/^[a-z_]+$/.test(table)) continue;
      for (const row of rows) {
        const cols = Object.keys(row).filter((c) => /^[a-z_]+$/.test(c));
        db.prepare(`INSERT OR REPLACE INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(
          ...cols.map((c) => row[c]),
        );
      }
    }
  } finally {
    db.close();
  }
}

/**
 * Stage and commit a restore into `<dataDir>.restore-ready` (applied by `finishRestore`). Secrets
 * the backup does not bring are kept from the current data folder, if it has them.
 * `hook` lets a test stop the process at a named step.
 */
export function stageRestore(dataDir: string, b: CheckedBackup, config?: string, hook: (step: string) => void = () => undefined): string {
  const staging = stagingDir(dataDir);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true, mode: 0o700 });
  writeDurable(join(staging, 'edge.db'), b.db);
  if (b.secrets) restoreSecretRows(join(staging, 'edge.db'), b.secrets.tables);
  hook('database');
  // The data folder's files are flushed together below: one fsync each cost 4 ms, 40,000 face
  // images would take minutes.
  for (const [rel, data] of b.files) writeDurable(join(staging, rel), data, false);
  hook('files');
  for (const f of SECRET_FILES) {
    const sealed = b.secrets?.files[f];
    if (sealed !== undefined) writeDurable(join(staging, f), Buffer.from(sealed, 'base64'));
    else if (existsSync(join(dataDir, f))) writeDurable(join(staging, f), readFileSync(join(dataDir, f)));
  }
  const state: RestoreState = {
    box: b.manifest.box,
    createdAt: b.manifest.createdAt,
    productVersion: b.manifest.productVersion,
    restoredAt: Date.now(),
    resync: true,
    missingSecrets: b.missingSecrets,
    ...(config !== undefined ? { config } : {}),
  };
  writeDurable(join(staging, RESTORE_STATE), JSON.stringify(state, null, 2));
  flushFiles(staging, [...b.files.keys()]);
  syncTree(staging);
  hook('staged');
  const ready = readyDir(dataDir);
  rmSync(ready, { recursive: true, force: true });
  renameSync(staging, ready); // the commit point
  syncDir(dirname(ready));
  hook('committed');
  return ready;
}

/**
 * Flush the files written without fsync: one syncfs(2) of the staging folder's file system
 * (`sync -f`, coreutils), which commits them all in one journal flush; without it, one by one.
 */
function flushFiles(staging: string, rels: string[]): void {
  if (spawnSync('sync', ['-f', staging], { stdio: 'ignore' }).status === 0) return;
  for (const rel of rels) {
    const fd = openSync(join(staging, rel), 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

/** Flush a folder and every folder under it (their entries; the files were flushed when written). */
function syncTree(dir: string): void {
  syncDir(dir);
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) syncTree(join(dir, e.name));
}

export function pendingRestore(dataDir: string): boolean {
  return existsSync(readyDir(dataDir));
}

/**
 * Finish a committed restore (idempotent; run before the database opens). Returns the kept old
 * folder's path when a swap happened. Logs are carried over to the restored folder.
 */
export function finishRestore(dataDir: string, hook: (step: string) => void = () => undefined): string | undefined {
  const ready = readyDir(dataDir);
  rmSync(stagingDir(dataDir), { recursive: true, force: true }); // an uncommitted restore: the old box stays
  if (!existsSync(ready)) return undefined;
  let kept: string | undefined;
  if (existsSync(dataDir)) {
    if (existsSync(join(dataDir, 'logs')) && !existsSync(join(ready, 'logs'))) renameSync(join(dataDir, 'logs'), join(ready, 'logs'));
    kept = join(dirname(dataDir), `${basename(dataDir)}.before-restore-${Date.now()}`);
    renameSync(dataDir, kept);
    hook('moved-old');
  }
  renameSync(ready, dataDir);
  syncDir(dirname(dataDir));
  return kept;
}

export function readRestoreState(dataDir: string): RestoreState | undefined {
  const file = join(dataDir, RESTORE_STATE);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as RestoreState;
}

export function writeRestoreState(dataDir: string, state: RestoreState | undefined): void {
  const file = join(dataDir, RESTORE_STATE);
  if (state) writeDurable(file, JSON.stringify(state, null, 2));
  else rmSync(file, { force: true });
}
