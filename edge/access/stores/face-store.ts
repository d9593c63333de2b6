/**
 * Face permissions: the faces of each group, the groups each door holds, feature vectors and
 * the failures of the latest sync. Applying a face file is synchronous SQL only (called in
 * the caller's transaction); fetching images and features happens afterwards, per face.
 */
import type { Db } from '../../store/db.js';
import type { FaceAdd, FaceFile } from '../sync/sync-files.js';

export interface FaceRow {
  group_id: string;
  face_id: string;
  user_id: string;
  user_type: string;
  face_md5: string;
  face_url: string;
  user_info: string;
  user_name: string;
  expire_ms: number | null;
  policy: 'PERMISSION' | 'DENY';
  user_ext_info: string;
  idx: number | null;
  client_tag: string;
  features: string | null;
  image_sha: string | null;
  image_state: 'pending' | 'ready' | 'failed' | 'none';
  image_error: string | null;
}

export interface FaceFileEffect {
  added: string[];
  deleted: string[];
  /** Groups wiped by isCleanAll / isCleanAllGroup, with the faces they held. */
  cleaned: Array<{ groupId: string; faceIds: string[] }>;
}

export class FaceStore {
  readonly #db: Db;
  readonly #upsert;
  readonly #delete;
  readonly #deleteVectors;
  readonly #get;
  readonly #groupFaces;
  readonly #bindGroup;
  readonly #groupsOf;
  readonly #putVector;
  readonly #getVector;
  readonly #setImage;
  readonly #count;

  constructor(db: Db) {
    this.#db = db;
    this.#upsert =
      db.prepare(`INSERT INTO access_faces (group_id, face_id, user_id, user_type, face_md5, face_url, user_info, user_name, expire_ms, policy, user_ext_info, idx, client_tag, features, image_sha, image_state, image_error, updated_at)
      VALUES (@group_id, @face_id, @user_id, @user_type, @face_md5, @face_url, @user_info, @user_name, @expire_ms, @policy, @user_ext_info, @idx, @client_tag, @features, NULL, @image_state, NULL, @updated_at)
      ON CONFLICT(group_id, face_id) DO UPDATE SET user_id = excluded.user_id, user_type = excluded.user_type, face_url = excluded.face_url, user_info = excluded.user_info,
        user_name = excluded.user_name, expire_ms = excluded.expire_ms, policy = excluded.policy, user_ext_info = excluded.user_ext_info, idx = excluded.idx,
        client_tag = excluded.client_tag, features = COALESCE(excluded.features, features), updated_at = excluded.updated_at,
        image_state = CASE WHEN face_md5 = excluded.face_md5 AND image_state = 'ready' THEN 'ready' ELSE excluded.image_state END,
        image_sha = CASE WHEN face_md5 = excluded.face_md5 AND image_state = 'ready' THEN image_sha ELSE NULL END,
        face_md5 = excluded.face_md5`);
    this.#delete = db.prepare('DELETE FROM access_faces WHERE group_id = ? AND face_id = ?');
    this.#deleteVectors = db.prepare('DELETE FROM access_face_vectors WHERE group_id = ? AND face_id = ?');
    this.#get = db.prepare('SELECT * FROM access_faces WHERE group_id = ? AND face_id = ?');
    this.#groupFaces = db.prepare('SELECT face_id FROM access_faces WHERE group_id = ?').pluck();
    this.#bindGroup = db.prepare('INSERT OR IGNORE INTO access_face_groups (group_id, device_key) VALUES (?, ?)');
    this.#groupsOf = db.prepare('SELECT group_id FROM access_face_groups WHERE device_key = ? ORDER BY group_id').pluck();
    this.#putVector = db.prepare(
      'INSERT OR REPLACE INTO access_face_vectors (group_id, face_id, algo_version, vector) VALUES (?, ?, ?, ?)',
    );
    this.#getVector = db.prepare('SELECT vector FROM access_face_vectors WHERE group_id = ? AND face_id = ? AND algo_version = ?').pluck();
    this.#setImage = db.prepare(
      'UPDATE access_faces SET image_state = ?, image_sha = ?, image_error = ? WHERE group_id = ? AND face_id = ?',
    );
    this.#count = db
      .prepare('SELECT COUNT(*) FROM access_faces f JOIN access_face_groups g ON g.group_id = f.group_id WHERE g.device_key = ?')
      .pluck();
  }

  /**
   * Apply a face file for a door [seed 000 L2637-2682]. Order: clean all groups, clean this
   * group, deletions, additions (door-standard §4 runs delete-all first, then adds).
   */
  apply(deviceKey: string, file: FaceFile, now: number): FaceFileEffect {
    const effect: FaceFileEffect = { added: [], deleted: [], cleaned: [] };
    this.#bindGroup.run(file.groupId, deviceKey);
    const groups = file.isCleanAllGroup ? this.groupsOf(deviceKey) : file.isCleanAll ? [file.groupId] : [];
    for (const g of groups) {
      const faceIds = this.#groupFaces.all(g) as string[];
      this.#db.prepare('DELETE FROM access_faces WHERE group_id = ?').run(g);
      this.#db.prepare('DELETE FROM access_face_vectors WHERE group_id = ?').run(g);
      this.#db.prepare('DELETE FROM access_face_failures WHERE group_id = ?').run(g);
      effect.cleaned.push({ groupId: g, faceIds });
    }
    for (const faceId of file.deletes) {
      if (this.#delete.run(file.groupId, faceId).changes > 0) {
        this.#deleteVectors.run(file.groupId, faceId);
        effect.deleted.push(faceId);
      }
    }
    // The failures reported by QueryAddedUserInfo are those of the latest sync only.
    this.#db.prepare('DELETE FROM access_face_failures WHERE group_id = ?').run(file.groupId);
    for (const add of file.adds) {
      this.#upsert.run(this.#row(file.groupId, add, now));
      effect.added.push(add.faceId);
    }
    return effect;
  }

  #row(groupId: string, a: FaceAdd, now: number): Record<string, unknown> {
    return {
      group_id: groupId,
      face_id: a.faceId,
      user_id: a.userInfo.userId,
      user_type: a.userInfo.userType,
      face_md5: a.faceMd5,
      face_url: a.faceUrl,
      user_info: a.userInfoRaw,
      user_name: a.userInfo.userName,
      expire_ms: a.userInfo.expireMs,
      policy: a.userInfo.policy,
      user_ext_info: a.userInfo.userExtInfo,
      idx: a.index,
      client_tag: a.clientTag,
      features: a.features ? JSON.stringify(a.features) : null,
      image_state: a.faceUrl === '' ? 'none' : 'pending',
      updated_at: now,
    };
  }

  get(groupId: string, faceId: string): FaceRow | undefined {
    return this.#get.get(groupId, faceId) as FaceRow | undefined;
  }

  groupsOf(deviceKey: string): string[] {
    return this.#groupsOf.all(deviceKey) as string[];
  }

  devicesOf(groupId: string): string[] {
    return this.#db
      .prepare('SELECT device_key FROM access_face_groups WHERE group_id = ? ORDER BY device_key')
      .pluck()
      .all(groupId) as string[];
  }

  /** Faces on the box, all groups. */
  total(): number {
    return this.#db.prepare('SELECT COUNT(*) FROM access_faces').pluck().get() as number;
  }

  /** QueryFacePermTotal: faces a door holds, counted from the store itself [seed 000 L2340-2371]. */
  countFor(deviceKey: string): number {
    return this.#count.get(deviceKey) as number;
  }

  /** Faces of the groups a door holds: all, those still waiting for picture/features, those failed. */
  imageStatesFor(deviceKey: string): { total: number; pending: number | null; failed: number | null } {
    return this.#db
      .prepare(`SELECT COUNT(*) AS total, SUM(f.image_state = 'pending') AS pending, SUM(f.image_state = 'failed') AS failed
      FROM access_faces f JOIN access_face_groups g ON g.group_id = f.group_id WHERE g.device_key = ?`)
      .get(deviceKey) as { total: number; pending: number | null; failed: number | null };
  }

  /** A person's faces in every group (at most `limit`). */
  facesOfUser(userId: string, limit = 20): FaceRow[] {
    return this.#db
      .prepare('SELECT * FROM access_faces WHERE user_id = ? ORDER BY group_id, face_id LIMIT ?')
      .all(userId, limit) as FaceRow[];
  }

  facesOf(groupId: string): FaceRow[] {
    return this.#db.prepare('SELECT * FROM access_faces WHERE group_id = ? ORDER BY idx, face_id').all(groupId) as FaceRow[];
  }

  pendingImages(limit: number): FaceRow[] {
    return this.#db.prepare("SELECT * FROM access_faces WHERE image_state = 'pending' LIMIT ?").all(limit) as FaceRow[];
  }

  setImage(groupId: string, faceId: string, state: FaceRow['image_state'], sha: string | null, error: string | null): void {
    this.#setImage.run(state, sha, error, groupId, faceId);
  }

  putVector(groupId: string, faceId: string, algoVersion: string, unit: Float32Array): void {
    this.#putVector.run(groupId, faceId, algoVersion, Buffer.from(unit.buffer, unit.byteOffset, unit.byteLength));
  }

  vector(groupId: string, faceId: string, algoVersion: string): Float32Array | undefined {
    const b = this.#getVector.get(groupId, faceId, algoVersion) as Buffer | undefined;
    return b ? toFloat32(b) : undefined;
  }

  /** Every stored vector of one algorithm version, group by group (index rebuild at start). */
  *vectors(algoVersion: string): Generator<{ groupId: string; faceId: string; vector: Float32Array }> {
    const it = this.#db
      .prepare('SELECT group_id, face_id, vector FROM access_face_vectors WHERE algo_version = ? ORDER BY group_id')
      .iterate(algoVersion) as IterableIterator<{ group_id: string; face_id: string; vector: Buffer }>;
    for (const r of it) yield { groupId: r.group_id, faceId: r.face_id, vector: toFloat32(r.vector) };
  }

  recordFailure(groupId: string, row: FaceRow, reason: string): void {
    const info = {
      faceId: row.face_id,
      faceMd5: row.face_md5,
      faceUrl: row.face_url,
      userInfo: row.user_info,
      index: row.idx ?? 0,
      clientTag: row.client_tag,
    };
    this.#db
      .prepare('INSERT OR REPLACE INTO access_face_failures (group_id, face_id, face_json, reason) VALUES (?, ?, ?, ?)')
      .run(groupId, row.face_id, JSON.stringify(info), reason);
  }

  failures(groupId: string): Array<Record<string, unknown>> {
    return (
      this.#db.prepare('SELECT face_json FROM access_face_failures WHERE group_id = ? ORDER BY face_id').pluck().all(groupId) as string[]
    ).map((j) => JSON.parse(j) as Record<string, unknown>);
  }
}

function toFloat32(b: Buffer): Float32Array {
  // better-sqlite3 gives each blob its own buffer: a view is enough when it is aligned.
  if (b.byteOffset % 4 === 0 && b.byteLength % 4 === 0) return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  // Copy: a pooled Buffer may be unaligned.
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}
