/**
 * Deployment to doors [deployment API, docs/access.md]: what each door should be sent next,
 * what it should hold in full, and the results it reports. Doors that compare faces on the box
 * (`edge`) hold a face as soon as the box can match it.
 */
import type { AccessConfig } from '../config.js';
import type { SyncStatus } from '../codes.js';
import type { FaceImageFiles } from '../faces/face-image.js';
import type { FaceLibrary } from '../faces/face-library.js';
import type { DeployKind, DeployResult, DeployRow, DeployStore } from '../stores/deploy-store.js';
import type { DeviceSettingsStore, FaceCompareMode } from '../stores/device-settings-store.js';
import type { FaceRow, FaceStore } from '../stores/face-store.js';
import type { PermissionStore } from '../stores/permission-store.js';
import { md5Hex } from '../sync/download.js';
import type { Db } from '../../store/db.js';

/** One unit of work for a door driver [deployment API, docs/access.md]. */
export interface PendingDeployment {
  kind: DeployKind;
  item: string;
  op: 'upsert' | 'delete';
  groupId?: string;
  status: SyncStatus;
  attempts: number;
  data?: Record<string, unknown>;
}

export interface DeploymentDeps {
  db: Db;
  config: AccessConfig;
  deployments: DeployStore;
  permissions: PermissionStore;
  faces: FaceStore;
  devices: DeviceSettingsStore;
  library: FaceLibrary;
  images: FaceImageFiles;
  now: () => number;
}

export class Deployment {
  readonly #d: DeploymentDeps;

  constructor(deps: DeploymentDeps) {
    this.#d = deps;
  }

  /** Take up to `limit` permissions to push to a door; they are `transferring` until markDeployed. */
  pending(deviceKey: string, limit = 50, kind?: DeployKind): PendingDeployment[] {
    const { deployments, faces } = this.#d;
    // A face goes to a door once its picture/features are settled (or it has none to fetch).
    const rows = deployments.take(
      deviceKey,
      limit,
      this.#d.now(),
      (r) =>
        (!kind || r.kind === kind) && (r.kind !== 'face' || r.is_delete === 1 || faces.get(r.group_id, r.item)?.image_state !== 'pending'),
    );
    return rows.map((r) => this.#pendingOf(deviceKey, r));
  }

  #pendingOf(deviceKey: string, r: DeployRow): PendingDeployment {
    const base: PendingDeployment = {
      kind: r.kind,
      item: r.item,
      op: r.is_delete ? 'delete' : 'upsert',
      status: r.status,
      attempts: r.attempts,
      ...(r.group_id ? { groupId: r.group_id } : {}),
    };
    if (r.is_delete) return base;
    if (r.kind === 'face') {
      const f = this.#d.faces.get(r.group_id, r.item);
      const v = this.#d.faces.vector(r.group_id, r.item, this.#d.library.algoVersion);
      return f
        ? {
            ...base,
            data: faceData(f, v, f.image_sha ? this.#d.images.path(f.image_sha) : undefined, this.#d.config.timezoneOffsetMinutes),
          }
        : base;
    }
    const c = this.#d.permissions.credential(r.kind, r.item, deviceKey);
    return c
      ? {
          ...base,
          data: { credential: c.credential, identityId: c.identity_id, number: c.number, effectiveTime: c.start_ms, expiryTime: c.end_ms },
        }
      : base;
  }

  /**
   * Queue every permission a door should hold again (the door was replaced or wiped, or a
   * reconnect found it out of step). Deletions already delivered are not repeated.
   */
  reset(deviceKey: string, kind: DeployKind): number {
    const { db, deployments, faces, permissions } = this.#d;
    const now = this.#d.now();
    return db
      .transaction(() => {
        let n = 0;
        if (kind === 'face') {
          for (const g of faces.groupsOf(deviceKey))
            for (const f of faces.facesOf(g)) {
              deployments.enqueue(deviceKey, 'face', f.face_id, g, false, now);
              n++;
            }
        } else {
          for (let off = 0; ; off += 1000) {
            const rows = permissions.credentialsOf(deviceKey, kind, 1000, off);
            for (const c of rows) deployments.enqueue(deviceKey, kind, c.credential, '', false, now);
            n += rows.length;
            if (rows.length < 1000) break;
          }
        }
        return n;
      })
      .immediate();
  }

  /** The full face set a door should hold (device-side compare reconciliation, door-standard queryFaces). */
  desiredFaces(deviceKey: string): Array<Record<string, unknown>> {
    const { faces, library, config } = this.#d;
    const out: Array<Record<string, unknown>> = [];
    for (const g of faces.groupsOf(deviceKey)) {
      for (const f of faces.facesOf(g)) {
        if (f.image_state === 'failed') continue;
        out.push({ groupId: g, ...faceData(f, faces.vector(g, f.face_id, library.algoVersion), undefined, config.timezoneOffsetMinutes) });
      }
    }
    return out;
  }

  markDeployed(deviceKey: string, results: DeployResult[]): { done: number; failed: number; ignored: number } {
    return this.#d.deployments.complete(deviceKey, results, this.#d.now());
  }

  deviceOffline(deviceKey: string): number {
    return this.#d.deployments.deviceOffline(deviceKey, this.#d.now());
  }

  /** `edge`: the door sends photos and the box matches (door-standard /recognize); `device`: faces are pushed to the door. */
  setFaceCompareMode(deviceKey: string, mode: FaceCompareMode): void {
    this.#d.devices.setFaceCompareMode(deviceKey, mode, this.#d.now());
    if (mode === 'edge') this.markEdgeCompareDone([deviceKey], this.#d.now());
  }

  faceCompareMode(deviceKey: string): FaceCompareMode {
    return this.#d.devices.faceCompareMode(deviceKey) ?? 'device';
  }

  /** Doors that compare on the box hold a face once the box can match it. */
  markEdgeCompareDone(devices: string[], now: number): void {
    const { deployments, faces } = this.#d;
    for (const dev of devices) {
      if (this.faceCompareMode(dev) !== 'edge') continue;
      const ready = (r: { kind: DeployKind; item: string; group_id: string; is_delete: number }): boolean => {
        if (r.kind !== 'face') return false;
        if (r.is_delete) return true;
        const f = faces.get(r.group_id, r.item);
        return !!f && f.image_state !== 'pending';
      };
      const rows = deployments.take(dev, 100_000, now, ready);
      if (rows.length > 0)
        deployments.complete(
          dev,
          rows.map((r) => ({ kind: r.kind, item: r.item, ok: true })),
          now,
        );
    }
  }
}

function faceData(f: FaceRow, v: Float32Array | undefined, imageFile: string | undefined, tz: number): Record<string, unknown> {
  const userInfo = {
    userId: f.user_id,
    userName: f.user_name,
    expiryTime: f.expire_ms === null ? null : String(f.expire_ms),
    isInBlackList: f.policy === 'DENY',
  };
  const feature = v ? Array.from(v) : undefined;
  return {
    faceId: f.face_id,
    faceMd5: f.face_md5,
    userInfo,
    userInfoRaw: f.user_info,
    userInfoMd5: md5Hex(JSON.stringify(userInfo)),
    ...(feature ? { feature, featureMd5: md5Hex(JSON.stringify(feature)) } : {}),
    ...(f.features ? { features: JSON.parse(f.features) as string[] } : {}),
    ...(imageFile ? { imageFile } : {}),
    policy: f.policy,
    tzOffsetMinutes: tz,
  };
}
