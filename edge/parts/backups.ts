import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { createBackup } from '../backup/create.js';
import { BackupScheduler, parseBackupSchedule } from '../backup/schedule.js';
import { readPassphrase } from '../cli/backup.js';
import type { Runtime } from '../runtime.js';
import { VERSION } from '../version.js';
import type { Part } from './part.js';

/** Scheduled backups (a `backup:` section; docs/operations.md): online snapshots by the daemon's own connection. */
export function backupsPart(rt: Runtime): Part | undefined {
  const raw = rt.config.backup;
  if (!raw) return undefined;
  return {
    name: 'backups',
    start: async () => {
      const cfg = parseBackupSchedule(raw);
      rt.backups = new BackupScheduler(
        {
          log: rt.logOf('backup'),
          readPassphrase: (file) => readPassphrase(resolve(rt.baseDir, file)),
          take: (passphrase) =>
            createBackup({
              snapshot: async (file) => void (await rt.db.backup(file)),
              dataDir: rt.dataDir,
              configText: rt.configFile ? readFileSync(rt.configFile, 'utf8') : stringifyYaml(rt.config),
              box: rt.config.box.name,
              productVersion: VERSION,
              ...(passphrase ? { passphrase } : {}),
            }),
        },
        { ...cfg, folder: resolve(rt.baseDir, cfg.folder) },
      );
      rt.backups.start();
    },
    stop: async () => {
      await rt.backups?.stop();
    },
  };
}
