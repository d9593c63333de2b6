import { queueResync, resyncProgress } from '../backup/resync.js';
import { readRestoreState, writeRestoreState } from '../backup/apply.js';
import type { Runtime } from '../runtime.js';
import type { Part } from './part.js';

const REPORT_MS = 5000;

/**
 * The first start on a restored data folder (edge/backup): every door is queued everything again
 * before the drivers start, and progress is logged per device until each is in sync or failed
 * (the console shows the same: GET /api/maintenance/resync).
 */
export function restorePart(rt: Runtime): Part {
  let timer: NodeJS.Timeout | undefined;
  const log = rt.logOf('restore');
  const report = (): void => {
    const devices = resyncProgress(rt.db);
    for (const d of devices) log.info(d, 'restore re-sync');
    if (devices.every((d) => d.state !== 'syncing')) {
      clearInterval(timer);
      timer = undefined;
      const failed = devices.filter((d) => d.state === 'failed').map((d) => d.device);
      log.info({ devices: devices.length, failed }, 'restore re-sync finished');
    }
  };
  return {
    name: 'restore',
    start: async () => {
      const state = readRestoreState(rt.dataDir);
      if (!state?.resync) return;
      const r = queueResync(rt.db, {
        ...(rt.access ? { access: (d, k) => rt.access!.resetDeployments(d, k) } : {}),
        ...(rt.elevators ? { rules: (d) => rt.elevators!.rules.reset(d) } : {}),
      });
      writeRestoreState(rt.dataDir, { ...state, resync: false });
      log.warn(
        { from: state.box, createdAt: new Date(state.createdAt).toISOString(), ...r, missingSecrets: state.missingSecrets },
        'started on restored data: every permission and rule is sent to every device again',
      );
      timer = setInterval(report, REPORT_MS);
      timer.unref();
    },
    stop: async () => {
      clearInterval(timer);
    },
  };
}
