/**
 * The daemon's side of the boot check: when it starts as an unconfirmed trial release it must
 * reach ready within the deadline (the same as the unit's TimeoutStartSec; this one also holds
 * without systemd), or it exits 1 and the next start rolls back. At ready the release is
 * confirmed and its boot check becomes the one the unit runs.
 */
import { fileURLToPath } from 'node:url';
import type { Logger } from '../log.js';
import { confirmRelease, readBootState } from './boot.js';

export interface TrialBoot {
  ready(): void;
}

export function watchTrialBoot(o: {
  installDir: string | undefined;
  version: string;
  deadlineMs: number;
  log: Logger;
  expired(): void;
}): TrialBoot | undefined {
  const dir = o.installDir;
  if (!dir) return undefined;
  const s = readBootState(dir);
  if (s.trial !== o.version || s.confirmed) return undefined;
  o.log.info({ version: o.version, previous: s.previous, deadlineS: o.deadlineMs / 1000 }, 'trial start of a new box release');
  const timer = setTimeout(() => {
    o.log.fatal(
      { version: o.version, deadlineS: o.deadlineMs / 1000 },
      'new box release did not reach ready in time; exiting for the rollback',
    );
    o.expired();
  }, o.deadlineMs);
  timer.unref();
  return {
    ready() {
      clearTimeout(timer);
      if (confirmRelease(dir, o.version, fileURLToPath(new URL('./boot.js', import.meta.url))))
        o.log.info({ version: o.version }, 'new box release confirmed');
    },
  };
}
