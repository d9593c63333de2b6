/**
 * The gateway service `Backup` (issue 21): the cloud asks the box for a backup now; the answer
 * says where it is on the box, its size and its SHA-256 (the file stays in the scheduled-backup
 * folder, under its retention).
 */
import { type Answer, fail, ERRORS, ok } from '../errors.js';
import type { BackupScheduler } from './schedule.js';

export function backupGatewayServices(s: BackupScheduler): Map<string, (params: unknown) => Promise<Answer>> {
  return new Map([
    [
      'Backup',
      async () => {
        try {
          const t = await s.takeNow();
          return ok({ file: t.file, size: t.size, sha256: t.sha256, createdAt: t.createdAt });
        } catch (err) {
          return fail(ERRORS.EDGE_ERR_INTERNAL, `backup failed: ${(err as Error).message}`);
        }
      },
    ],
  ]);
}
