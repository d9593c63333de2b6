import { join } from 'node:path';
import type { Runtime } from '../runtime.js';
import { finishRestore } from '../backup/apply.js';
import { openDatabase, migrate } from '../store/db.js';
import { startCheckpointing, type Checkpointer } from '../store/checkpointer.js';
import { coreMigrations, DeploymentRepository } from '../store/core.js';
import { writeHealthOf } from '../store/write-health.js';
import type { Part } from './part.js';

/** The box database: opened (after a staged restore), watched for failing writes, checkpointed. */
export function storePart(rt: Runtime): Part {
  let checkpointer: Checkpointer | undefined;
  return {
    name: 'store',
    start: async () => {
      const kept = finishRestore(rt.dataDir); // a committed restore (console or `edge restore`) takes effect here
      if (kept) rt.log.warn({ kept }, 'restored the data folder from a backup; the previous one is kept');
      rt.db = openDatabase(join(rt.dataDir, 'edge.db'));
      const storeHealth = writeHealthOf(rt.db);
      storeHealth.onChange((c) => {
        if (!c.writable)
          rt.log.error(
            { area: c.area, err: c.error },
            'the box database cannot write (disk full or failing): data is held in memory and retried every second',
          );
        else
          rt.log.warn(
            { failedForS: Math.round(c.failedForMs / 1000), failedWrites: c.failedWrites },
            'the box database writes again; held data written',
          );
      });
      checkpointer = startCheckpointing(
        rt.db,
        join(rt.dataDir, 'edge.db'),
        250,
        (message) => storeHealth.failed('checkpoint', message),
        () => storeHealth.ok('checkpoint'),
      );
      migrate(rt.db, 'core', coreMigrations);
      rt.deployments = new DeploymentRepository(rt.db);
    },
    stop: async () => {
      await checkpointer?.stop();
      if (rt.db?.open) {
        rt.db.pragma('wal_checkpoint(TRUNCATE)');
        rt.db.close();
      }
    },
  };
}
