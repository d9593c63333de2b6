/**
 * The box's release switch and its boot check, systemd-friendly (docs/operations.md):
 *
 *     <install>/releases/<version>/   one folder per installed release
 *     <install>/current -> releases/<version>   what ExecStart runs
 *     <install>/ota-boot.json         {previous, trial, starts, confirmed, rolledBack}
 *
 * An upgrade installs a release, records it as the trial and switches `current` (one rename of
 * a new symlink). The unit's ExecStartPre runs the boot check before each start: the first start
 * of a trial is counted; a second start of a trial that never confirmed (it did not reach ready
 * within the deadline, was killed by TimeoutStartSec or crashed) switches `current` back to the
 * previous release and records why, for the daemon to report to the cloud once connected.
 *
 * Node built-ins only: the check is copied to `<install>/boot-check.mjs` and must run even when
 * the release it came from is broken.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';

export interface BootState {
  previous?: string;
  trial?: string;
  /** Starts of the trial so far (counted by the boot check). */
  starts?: number;
  confirmed?: boolean;
  rolledBack?: { version: string; to: string; reason: string; at: string; reported?: boolean };
}

export const STATE_FILE = 'ota-boot.json';

export function readBootState(install: string): BootState {
  try {
    const s: unknown = JSON.parse(readFileSync(join(install, STATE_FILE), 'utf8'));
    return s && typeof s === 'object' && !Array.isArray(s) ? (s as BootState) : {};
  } catch {
    return {};
  }
}

/**
 * Written to a temporary name, flushed and renamed, and the folder flushed: after a power cut
 * the state is the old one or the new one, never an empty file (which would read as "no trial"
 * and leave an unconfirmed release running unguarded).
 */
export function writeBootState(install: string, s: BootState): void {
  const tmp = join(install, `${STATE_FILE}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(s, null, 2)}\n`);
  flush(tmp);
  renameSync(tmp, join(install, STATE_FILE));
  flush(install);
}

/** fsync a file or folder (Node built-ins only: this file runs as the boot check on its own). */
function flush(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The version `current` points at, or undefined. */
export function currentRelease(install: string): string | undefined {
  try {
    return basename(readlinkSync(join(install, 'current')));
  } catch {
    return undefined;
  }
}

/** Point `current` at `releases/<version>` atomically (a new link renamed over the old). */
export function switchCurrent(install: string, version: string): void {
  const tmp = join(install, 'current.next');
  rmSync(tmp, { force: true });
  symlinkSync(join('releases', version), tmp);
  renameSync(tmp, join(install, 'current'));
  flush(install); // the switch survives a power cut that follows it
}

export type BootOutcome = 'normal' | 'trial' | 'rolled-back';

/** Run before each start (ExecStartPre). */
export function bootCheck(install: string, now = new Date()): BootOutcome {
  const s = readBootState(install);
  if (!s.trial || s.confirmed) return 'normal';
  if ((s.starts ?? 0) < 1 || !s.previous || !existsSync(join(install, 'releases', s.previous))) {
    writeBootState(install, { ...s, starts: (s.starts ?? 0) + 1 });
    return 'trial';
  }
  switchCurrent(install, s.previous);
  writeBootState(install, {
    rolledBack: {
      version: s.trial,
      to: s.previous,
      reason: `release ${s.trial} did not reach ready at its first start; back to ${s.previous}`,
      at: now.toISOString(),
    },
  });
  return 'rolled-back';
}

/** The daemon reached ready on its trial release: keep it, and its boot check becomes the one systemd runs. */
export function confirmRelease(install: string, version: string, bootCheckSource?: string): boolean {
  const s = readBootState(install);
  if (s.trial !== version || s.confirmed) return false;
  writeBootState(install, { ...s, confirmed: true });
  if (bootCheckSource && existsSync(bootCheckSource)) {
    const tmp = join(install, 'boot-check.mjs.tmp');
    writeFileSync(tmp, readFileSync(bootCheckSource));
    renameSync(tmp, join(install, 'boot-check.mjs'));
  }
  return true;
}

// `node boot-check.mjs <install>`: the unit's ExecStartPre.
if (process.argv[1] && /boot(-check)?\.m?js$/.test(process.argv[1]) && process.argv[2]) {
  const outcome = bootCheck(process.argv[2]);
  if (outcome !== 'normal') process.stdout.write(`property-edge boot check: ${outcome} (${currentRelease(process.argv[2]) ?? '?'})\n`);
}
