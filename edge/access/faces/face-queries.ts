/** The cloud's face queries of a door [seed 000 L2160-2184, L2340-2371, L2739-2808]. */
import { join } from 'node:path';
import { writeFileAtomic } from '../../store/atomic-file.js';
import { SYNC_PIC_STATUS } from '../codes.js';
import type { FaceStore } from '../stores/face-store.js';

export interface SyncPicSchedule {
  SyncPicStatus: number;
  Total: number;
  Finished: number;
  Failed: number;
  Schedule: number;
}

export interface AddedUserInfo {
  StoreID: string;
  Type: number;
  SyncPicStatus: number;
  file: string;
  content: Record<string, unknown>;
}

export class FaceQueries {
  readonly #faces: FaceStore;
  readonly #reportDir: string;
  readonly #now: () => number;

  constructor(faces: FaceStore, reportDir: string, now: () => number) {
    this.#faces = faces;
    this.#reportDir = reportDir;
    this.#now = now;
  }

  facePermTotal(deviceKey: string): { FacePermTotal: number } {
    return { FacePermTotal: this.#faces.countFor(deviceKey) };
  }

  /** Progress of face deployment: faces of this door still waiting for picture/features. */
  syncPicSchedule(deviceKey: string): SyncPicSchedule {
    const row = this.#faces.imageStatesFor(deviceKey);
    const pending = row.pending ?? 0;
    const finished = row.total - pending;
    return {
      SyncPicStatus: pending > 0 ? SYNC_PIC_STATUS.DEPLOYING : SYNC_PIC_STATUS.SUCCESS,
      Total: row.total,
      Finished: finished,
      Failed: row.failed ?? 0,
      Schedule: row.total === 0 ? 100 : Math.floor((finished * 100) / row.total),
    };
  }

  /**
   * `QueryAddedUserInfo {GroupID}`: the file `{groupId, currentFaceInfos, failedFaceInfos}` is
   * written under `<dataDir>/access/reports/` and named by `StoreID` with `Type` 1 (FileName);
   * the cloud link uploads it (FACE_DEVICE_PERMS).
   */
  addedUserInfo(deviceKey: string, groupId: string): AddedUserInfo {
    const failedIds = new Set(this.#faces.failures(groupId).map((f) => f.faceId));
    const current = this.#faces
      .facesOf(groupId)
      .filter((f) => !failedIds.has(f.face_id))
      .map((f) => ({ faceId: f.face_id, userInfo: f.user_info, faceMd5: f.face_md5, index: f.idx ?? 0, clientTag: f.client_tag }));
    const content = { groupId, currentFaceInfos: current, failedFaceInfos: this.#faces.failures(groupId) };
    const name = `faces-${groupId.replace(/[^A-Za-z0-9_-]/g, '_')}-${this.#now()}.json`;
    const file = join(this.#reportDir, name);
    writeFileAtomic(file, JSON.stringify(content), 0o600);
    return { StoreID: name, Type: 1, SyncPicStatus: this.syncPicSchedule(deviceKey).SyncPicStatus, file, content };
  }
}
