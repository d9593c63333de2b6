/**
 * The free-disk gate of a restore: the staged copy is written beside the data folder before the
 * old one is moved aside, so the disk must hold the backup's database and files once more, plus a
 * margin for SQLite's journal and the filesystem's own blocks. Refused before anything is
 * written, saying how much is free and how much is needed (a restore that fills the disk midway
 * would leave only a staging folder to clean up, but the installer learns nothing from it).
 */
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { edgeError } from '../errors.js';
import type { CheckedBackup } from './check.js';

/** Bytes an unprivileged process may still write in the filesystem holding `dir`. */
export type FreeBytes = (dir: string) => number;

export const freeBytesOf: FreeBytes = (dir) => {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
};

const MARGIN_BYTES = 16 * 1024 * 1024;

/** What staging `b` writes, with 20 % for the journal and block rounding, plus a fixed margin. */
export function restoreNeedsBytes(b: Pick<CheckedBackup, 'db' | 'files'>): number {
  let bytes = b.db.length;
  for (const f of b.files.values()) bytes += f.length;
  return Math.ceil(bytes * 1.2) + MARGIN_BYTES;
}

/** Throws EDGE_ERR_DISK_FULL when the disk beside `dataDir` cannot take the staged restore. */
export function ensureRestoreSpace(dataDir: string, b: Pick<CheckedBackup, 'db' | 'files'>, free: FreeBytes = freeBytesOf): void {
  const need = restoreNeedsBytes(b);
  const have = free(dirname(dataDir));
  if (have < need)
    throw edgeError(
      'EDGE_ERR_DISK_FULL',
      `beside ${dataDir}`,
      `${Math.round(have / 1e6)} MB free, the restore needs ${Math.ceil(need / 1e6)} MB`,
    );
}
