/**
 * Files the box writes for itself (credentials, keys, config copies, images) are replaced whole:
 * written to a temporary file beside the target, flushed to disk, then renamed over it, and the
 * folder's entry flushed too. A crash or a full disk leaves the old file or the new one, never
 * an empty or half-written one (an empty bus-credentials.json once stopped the daemon).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export function writeFileAtomic(file: string, data: string | Buffer, mode = 0o644): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', mode);
  try {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    let written = 0;
    while (written < buf.length) written += writeSync(fd, buf, written, buf.length - written);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  } finally {
    try {
      closeSync(fd);
    } catch {
      // closed above after a failed write
    }
  }
  renameSync(tmp, file);
  syncDir(dirname(file));
}

/** Flush a folder's entries (a rename or a new file in it) to disk. */
export function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    fsyncSync(fd);
    closeSync(fd);
  } catch {
    // Some filesystems cannot fsync a directory; the rename itself is still atomic.
  }
}
