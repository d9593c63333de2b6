/**
 * Where a face's picture/features work ends (face-pipeline.ts): a usable face becomes
 * matchable; a failed one is recorded and its waiting deployments take the failure status.
 */
import type { Db } from '../../store/db.js';
import type { DeployStore } from '../stores/deploy-store.js';
import type { FaceRow, FaceStore } from '../stores/face-store.js';
import type { FaceLibrary } from './face-library.js';
import type { FaceOutcome } from './face-pipeline.js';

export interface FaceOutcomeDeps {
  db: Db;
  faces: FaceStore;
  library: FaceLibrary;
  deployments: DeployStore;
}

/** Store one face's outcome in one transaction; a face deleted or replaced meanwhile is left alone. */
export function storeFaceOutcome(d: FaceOutcomeDeps, row: FaceRow, outcome: FaceOutcome, now: number): void {
  d.db
    .transaction(() => {
      const current = d.faces.get(row.group_id, row.face_id);
      if (!current || current.face_md5 !== row.face_md5) return; // deleted or replaced meanwhile
      if (outcome.ok) {
        d.faces.setImage(row.group_id, row.face_id, 'ready', outcome.sha256, null);
        if (outcome.vector) d.library.put(row.group_id, row.face_id, outcome.vector);
        return;
      }
      d.faces.setImage(row.group_id, row.face_id, 'failed', null, outcome.reason);
      d.faces.recordFailure(row.group_id, row, outcome.reason);
      for (const dev of d.faces.devicesOf(row.group_id)) {
        const dep = d.deployments.get(dev, 'face', row.face_id);
        if (dep && (dep.status === 'toBeTransferred' || dep.status === 'deviceOffline'))
          d.deployments.move(dep, outcome.status, now, outcome.reason.slice(0, 500));
      }
    })
    .immediate();
}
