/**
 * The access-control core: permission stores, sync files, deployment state and pass records
 * on the box database, and the passage decisions (passage.ts). The runtime owns the
 * connection and passes it in; door drivers reach this API through host services
 * (host-services.ts, docs/access.md).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { migrate, type Db } from '../store/db.js';
import { writeFileAtomic } from '../store/atomic-file.js';
import type { Logger } from '../log.js';
import type { EventBus } from '../events.js';
import { FaceAlgoClient } from './faces/algo-client.js';
import { PASS, SYNC_PIC_STATUS, type SyncStatus } from './codes.js';
import type { AccessConfig } from './config.js';
import { DeviceIds } from './stores/device-ids.js';
import { DeployStore, type DeployKind, type DeployResult, type StatusChange } from './stores/deploy-store.js';
import { download, DownloadError, md5Hex } from './sync/download.js';
import { FaceImageFiles } from './faces/face-image.js';
import { FaceLibrary, parseFeatureString } from './faces/face-library.js';
import { FacePipeline, type FaceOutcome } from './faces/face-pipeline.js';
import { FaceStore, type FaceRow } from './stores/face-store.js';
import type { OutboxWriter } from './outbox.js';
import { Passage } from './passes/passage.js';
import { PassRecorder, type CommittedPass } from './passes/pass-recorder.js';
import { PermissionStore } from './stores/permission-store.js';
import { parsePerson, PersonStore, type PersonInput } from './stores/person-store.js';
import { accessMigrations } from './stores/schema.js';
import { REPORTED } from './deploy/sync-status.js';
import { parseFaceFile, parseJsonObject, parsePermissionFile, SyncFileError, type FaceAdd } from './sync/sync-files.js';

export interface AccessDeps {
  db: Db;
  log: Logger;
  /** The box data directory; face images and pass photos live under `<dataDir>/access/`. */
  dataDir: string;
  outbox?: OutboxWriter;
  /** Committed passes are announced as `access.pass` (the local bus shows them). */
  events?: EventBus;
  /** Override the algorithm client (tests); default from `config.faceAlgoUrl`. */
  algo?: FaceAlgoClient;
  now?: () => number;
}

export interface SyncOutcome {
  /** 0 success, 1 deploying (faces still being fetched), 2 download failed, 3 parse failed [seed 000 L2621-2633]. */
  SyncPicStatus: number;
  jobId: number;
  message: string;
  counts?: Record<string, number>;
}

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

/** Business reports kept for a cloud that is not attached yet; the oldest go beyond this. */
const BIZ_BACKLOG_MAX = 20_000;

export class AccessCore {
  readonly db: Db;
  readonly config: AccessConfig;
  readonly permissions: PermissionStore;
  readonly persons: PersonStore;
  readonly faces: FaceStore;
  readonly deployments: DeployStore;
  readonly library: FaceLibrary;
  readonly records: PassRecorder;
  readonly images: FaceImageFiles;
  readonly passage: Passage;
  /** Short forms of ids for devices with a length limit, and back. */
  readonly deviceIds: DeviceIds;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #pipeline: FacePipeline;
  readonly #reportDir: string;
  #outbox: OutboxWriter | undefined;
  readonly #bizBacklog;
  readonly #bizBacklogTrim;
  #pruneTimer: NodeJS.Timeout | undefined;

  constructor(deps: AccessDeps, config: AccessConfig) {
    this.db = deps.db;
    this.config = config;
    this.#log = deps.log;
    this.#now = deps.now ?? Date.now;
    this.#outbox = deps.outbox;
    migrate(this.db, 'access', accessMigrations);
    this.#bizBacklog = this.db.prepare('INSERT INTO access_biz_backlog (device_key, biz_type, payload, time) VALUES (?, ?, ?, ?)');
    this.#bizBacklogTrim = this.db.prepare('DELETE FROM access_biz_backlog WHERE id <= (SELECT MAX(id) FROM access_biz_backlog) - ?');
    const root = join(deps.dataDir, 'access');
    this.#reportDir = join(root, 'reports');
    this.images = new FaceImageFiles(join(root, 'faces'));
    this.permissions = new PermissionStore(this.db);
    this.deviceIds = new DeviceIds(this.db);
    this.persons = new PersonStore(this.db);
    this.faces = new FaceStore(this.db);
    this.deployments = new DeployStore(this.db, { onChange: (c) => this.#onStatusChange(c) });
    this.library = new FaceLibrary(this.faces, config.faceAlgoVersion);
    const events = deps.events;
    this.records = new PassRecorder({
      db: this.db, log: this.#log, permissions: this.permissions, photoDir: join(root, 'records'), ...(deps.outbox ? { outbox: deps.outbox } : {}),
      ...(events ? { onCommitted: (p: CommittedPass) => events.emit('access.pass', p) } : {}),
    });
    const algo = deps.algo ?? (config.faceAlgoUrl ? new FaceAlgoClient(config.faceAlgoUrl, config.faceAlgoTimeoutMs) : undefined);
    this.passage = new Passage({ db: this.db, permissions: this.permissions, persons: this.persons, faces: this.faces, library: this.library, records: this.records, algo, config, now: this.#now });
    this.#pipeline = new FacePipeline({
      log: this.#log,
      files: this.images,
      algo,
      download: { timeoutMs: config.sync.timeoutMs, retries: config.sync.retries, retryDelayMs: config.sync.retryDelayMs, maxBytes: 10 * 1024 * 1024 },
      pending: (limit) => this.faces.pendingImages(limit),
      done: (row, outcome) => this.#faceDone(row, outcome),
    }, config.sync.imageConcurrency);
  }

  /** Load the face indexes, resume unfinished face work, hand over any backlog, start retention. */
  async start(): Promise<void> {
    this.#closeInterruptedJobs();
    this.#applySeeds();
    const n = this.library.load();
    this.#log.info({ faces: n, algo: this.config.faceAlgoVersion }, 'face library loaded');
    void this.#pipeline.kick();
    this.records.handOverBacklog();
    this.#pruneTimer = setInterval(() => {
      try {
        this.prune();
      } catch (err) {
        this.#log.warn({ err: (err as Error).message }, 'pass record retention failed; retried in an hour');
      }
    }, 3_600_000);
    this.#pruneTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#pruneTimer);
    this.#pipeline.stop();
  }

  /**
   * Sync jobs a kill or power cut interrupted: a download or parse that never finished is
   * closed as failed and reported (DEVICE_SYNC_ERROR) so the cloud can send it again; a face
   * file whose faces were stored goes on deploying (the face pipeline resumes its pictures).
   */
  #closeInterruptedJobs(): void {
    this.db.transaction(() => {
      this.db.prepare("UPDATE access_sync_jobs SET state = 'deploying', sync_pic_status = ? WHERE state = 'applied'").run(SYNC_PIC_STATUS.DEPLOYING);
      const stuck = this.db.prepare("SELECT id, device_key AS deviceKey, kind FROM access_sync_jobs WHERE state = 'downloading'").all() as Array<{ id: number; deviceKey: string; kind: string }>;
      for (const job of stuck) {
        const message = `${job.kind} sync interrupted by a restart of the box before it finished; send it again`;
        this.#finishJob(job.id, 'failed', SYNC_PIC_STATUS.DOWNLOAD_FAILED, message);
        this.#deviceSyncError(job.deviceKey, 'INTERRUPTED', message);
        this.#log.warn({ dev: job.deviceKey, job: job.id, kind: job.kind }, 'sync job interrupted by a restart; closed as failed and reported');
      }
    }).immediate();
  }

  /** The config's seed persons and permission files; a file already applied with the same content is skipped. */
  #applySeeds(): void {
    if (this.config.seedPersons.length > 0) this.persons.upsert(this.config.seedPersons, this.#now());
    const applied = this.db.prepare("SELECT 1 FROM access_sync_jobs WHERE device_key = ? AND url = '(config seed)' AND file_md5 = ? AND state = 'done'").pluck();
    for (const seed of this.config.seedPermissions) {
      const text = JSON.stringify(seed.file);
      if (applied.get(seed.device, md5Hex(text))) continue;
      const r = this.applyPermissionText(seed.device, text, this.#newJob(seed.device, 'permissions', '(config seed)'));
      if (r.SyncPicStatus !== SYNC_PIC_STATUS.SUCCESS) this.#log.warn({ dev: seed.device, reason: r.message }, 'seed permission file refused');
    }
  }

  /** The latest sync-file job of each door: state, error, when. */
  lastSyncJobs(): Array<{ device: string; state: string; error: string | null; at: number }> {
    return this.db.prepare('SELECT device_key AS device, state, error, COALESCE(finished_at, started_at) AS at FROM access_sync_jobs WHERE id IN (SELECT MAX(id) FROM access_sync_jobs GROUP BY device_key)').all() as Array<{ device: string; state: string; error: string | null; at: number }>;
  }

  /** Attach the cloud link's outbox (may come up after the access core); hands the backlog over. */
  attachOutbox(outbox: OutboxWriter): number {
    this.#outbox = outbox;
    this.records.outbox = outbox;
    let total = 0;
    for (let n = this.records.handOverBacklog(); n > 0; n = this.records.handOverBacklog()) total += n;
    this.db.transaction(() => {
      const rows = this.db.prepare('SELECT id, device_key AS deviceKey, biz_type AS bizType, payload, time FROM access_biz_backlog ORDER BY id').all() as Array<{ id: number; deviceKey: string; bizType: string; payload: string; time: number }>;
      for (const r of rows) {
        const payload = JSON.parse(r.payload) as Record<string, unknown>;
        outbox.enqueue({ topicKind: 'bizData', deviceKey: r.deviceKey, identifier: r.bizType, payload, time: r.time, dedupKey: `biz:${String(payload.eventId)}` });
      }
      this.db.prepare('DELETE FROM access_biz_backlog').run();
    }).immediate();
    return total;
  }

  // ── sync files ─────────────────────────────────────────────────────────────

  #newJob(deviceKey: string, kind: string, url: string): number {
    return Number(this.db.prepare('INSERT INTO access_sync_jobs (device_key, kind, url, state, started_at) VALUES (?, ?, ?, ?, ?)').run(deviceKey, kind, url.slice(0, 2048), 'downloading', this.#now()).lastInsertRowid);
  }

  #finishJob(id: number, state: string, status: number, error: string | null, counts?: { total?: number; md5?: string }): void {
    this.db.prepare('UPDATE access_sync_jobs SET state = ?, sync_pic_status = ?, error = ?, total = COALESCE(?, total), file_md5 = COALESCE(?, file_md5), finished_at = ? WHERE id = ?')
      .run(state, status, error, counts?.total ?? null, counts?.md5 ?? null, this.#now(), id);
  }

  async #fetch(deviceKey: string, kind: string, url: string, md5?: string): Promise<{ jobId: number; text?: string; failure?: SyncOutcome }> {
    const jobId = this.#newJob(deviceKey, kind, url);
    try {
      const body = await download(url, { timeoutMs: this.config.sync.timeoutMs, retries: this.config.sync.retries, retryDelayMs: this.config.sync.retryDelayMs, maxBytes: this.config.sync.maxFileBytes, ...(md5 ? { md5 } : {}) });
      return { jobId, text: body.toString('utf8') };
    } catch (err) {
      const message = err instanceof DownloadError ? err.message : (err as Error).message;
      this.#finishJob(jobId, 'failed', SYNC_PIC_STATUS.DOWNLOAD_FAILED, message);
      this.#deviceSyncError(deviceKey, 'DOWNLOAD_FAILED', message);
      this.#log.warn({ dev: deviceKey, kind, reason: message }, 'sync file download failed');
      return { jobId, failure: { SyncPicStatus: SYNC_PIC_STATUS.DOWNLOAD_FAILED, jobId, message } };
    }
  }

  /** `syncPermissions {permissionUrl}` of a QR/card/BLE/password door [seed 001 L1496-1535]. */
  async syncPermissions(deviceKey: string, permissionUrl: string, md5?: string): Promise<SyncOutcome> {
    const got = await this.#fetch(deviceKey, 'permissions', permissionUrl, md5);
    if (got.failure) return got.failure;
    return this.applyPermissionText(deviceKey, got.text!, got.jobId);
  }

  /** Parse and apply a permission file in ONE transaction: all of it or nothing. */
  applyPermissionText(deviceKey: string, text: string, jobId = this.#newJob(deviceKey, 'permissions', '(inline)')): SyncOutcome {
    const now = this.#now();
    try {
      if (text.length > this.config.sync.maxFileBytes) throw new SyncFileError([`file of ${text.length} bytes exceeds the limit of ${this.config.sync.maxFileBytes}`]);
      const file = parsePermissionFile(parseJsonObject(text), this.config.sync.maxEntries);
      const counts = this.db.transaction(() => {
        const c = this.permissions.apply(deviceKey, file, now);
        for (const d of c.toDeploy) this.deployments.enqueue(deviceKey, d.kind, d.item, '', d.isDelete, now);
        this.db.prepare("UPDATE access_sync_jobs SET state = 'done', sync_pic_status = 0, total = ?, done = ?, file_md5 = ?, finished_at = ? WHERE id = ?")
          .run(file.qr.length + file.credentials.length, file.qr.length + file.credentials.length, md5Hex(text), now, jobId);
        return c;
      }).immediate();
      const summary = { added: counts.added, modified: counts.modified, deleted: counts.deleted, toDeploy: counts.toDeploy.length };
      this.#log.info({ dev: deviceKey, job: jobId, ...summary }, 'permission file applied');
      return { SyncPicStatus: SYNC_PIC_STATUS.SUCCESS, jobId, message: 'success', counts: summary };
    } catch (err) {
      return this.#refused(deviceKey, jobId, err);
    }
  }

  #refused(deviceKey: string, jobId: number, err: unknown): SyncOutcome {
    if (!(err instanceof SyncFileError)) throw err;
    this.#finishJob(jobId, 'failed', SYNC_PIC_STATUS.PARSE_FAILED, err.message);
    this.#deviceSyncError(deviceKey, 'PARSE_FAILED', err.message);
    this.#log.warn({ dev: deviceKey, job: jobId, problems: err.problems.length }, 'sync file refused');
    return { SyncPicStatus: SYNC_PIC_STATUS.PARSE_FAILED, jobId, message: err.message };
  }

  /** `SyncFacePictures {FacePicURL}` [seed 000 L2611-2682]. */
  async syncFacePictures(deviceKey: string, url: string, md5?: string): Promise<SyncOutcome> {
    const got = await this.#fetch(deviceKey, 'facePictures', url, md5);
    return got.failure ?? this.applyFaceText(deviceKey, got.text!, { features: false, jobId: got.jobId });
  }

  /** `SyncFaceFeatures {FacePicFeaturesURL}` [seed 000 L2684-2737]. */
  async syncFaceFeatures(deviceKey: string, url: string, md5?: string): Promise<SyncOutcome> {
    const got = await this.#fetch(deviceKey, 'faceFeatures', url, md5);
    return got.failure ?? this.applyFaceText(deviceKey, got.text!, { features: true, jobId: got.jobId });
  }

  /** Parse and apply a face file atomically; pictures and features follow in the background. */
  applyFaceText(deviceKey: string, text: string, o: { features: boolean; jobId?: number }): SyncOutcome {
    const jobId = o.jobId ?? this.#newJob(deviceKey, o.features ? 'faceFeatures' : 'facePictures', '(inline)');
    const now = this.#now();
    try {
      if (text.length > this.config.sync.maxFileBytes) throw new SyncFileError([`file of ${text.length} bytes exceeds the limit of ${this.config.sync.maxFileBytes}`]);
      const file = parseFaceFile(parseJsonObject(text), { maxEntries: this.config.sync.maxEntries, tzOffsetMinutes: this.config.timezoneOffsetMinutes, features: o.features });
      const vectors = file.adds.map((a) => a.features?.map(parseFeatureString).find((v) => v !== undefined));
      const effect = this.db.transaction(() => {
        const e = this.faces.apply(deviceKey, file, now);
        for (const c of e.cleaned) {
          this.library.dropGroup(c.groupId);
          for (const dev of this.faces.devicesOf(c.groupId)) for (const f of c.faceIds) this.deployments.enqueue(dev, 'face', f, c.groupId, true, now);
        }
        const devices = this.faces.devicesOf(file.groupId);
        for (const f of e.deleted) {
          this.library.remove(file.groupId, f);
          for (const dev of devices) this.deployments.enqueue(dev, 'face', f, file.groupId, true, now);
        }
        // Every face's user is a person the box should know by name.
        this.persons.upsert(facePersons(file.adds), now);
        file.adds.forEach((a, i) => {
          const v = vectors[i];
          if (v) this.library.put(file.groupId, a.faceId, v);
          for (const dev of devices) this.deployments.enqueue(dev, 'face', a.faceId, file.groupId, false, now);
        });
        this.db.prepare("UPDATE access_sync_jobs SET state = 'applied', group_id = ?, total = ?, file_md5 = ? WHERE id = ?").run(file.groupId, file.adds.length, md5Hex(text), jobId);
        return e;
      }).immediate();
      // A clean or failed transaction above leaves the in-memory index behind the store: reload.
      if (effect.cleaned.length > 0) this.library.load();
      const pending = file.adds.some((a) => a.faceUrl !== '');
      const status = pending ? SYNC_PIC_STATUS.DEPLOYING : SYNC_PIC_STATUS.SUCCESS;
      this.#finishJob(jobId, pending ? 'deploying' : 'done', status, null);
      if (pending) void this.#pipeline.kick();
      this.#markEdgeCompareDone(devicesOfGroup(this, file.groupId), now);
      this.#log.info({ dev: deviceKey, group: file.groupId, added: effect.added.length, deleted: effect.deleted.length, cleaned: effect.cleaned.length }, 'face file applied');
      return { SyncPicStatus: status, jobId, message: 'success', counts: { added: effect.added.length, deleted: effect.deleted.length, cleanedGroups: effect.cleaned.length } };
    } catch (err) {
      if (!(err instanceof SyncFileError)) this.library.load();
      return this.#refused(deviceKey, jobId, err);
    }
  }

  /** Wait until background face work is done (tests, shutdown). */
  facesIdle(): Promise<void> {
    return this.#pipeline.idle();
  }

  #faceDone(row: FaceRow, outcome: FaceOutcome): void {
    const now = this.#now();
    this.db.transaction(() => {
      const current = this.faces.get(row.group_id, row.face_id);
      if (!current || current.face_md5 !== row.face_md5) return; // deleted or replaced meanwhile
      if (outcome.ok) {
        this.faces.setImage(row.group_id, row.face_id, 'ready', outcome.sha256, null);
        if (outcome.vector) this.library.put(row.group_id, row.face_id, outcome.vector);
        return;
      }
      this.faces.setImage(row.group_id, row.face_id, 'failed', null, outcome.reason);
      this.faces.recordFailure(row.group_id, row, outcome.reason);
      for (const dev of this.faces.devicesOf(row.group_id)) {
        const d = this.deployments.get(dev, 'face', row.face_id);
        if (d && (d.status === 'toBeTransferred' || d.status === 'deviceOffline')) this.deployments.move(d, outcome.status, now, outcome.reason.slice(0, 500));
      }
    }).immediate();
    this.#markEdgeCompareDone(this.faces.devicesOf(row.group_id), now);
  }

  /** Doors that compare on the box hold a face once the box can match it. */
  #markEdgeCompareDone(devices: string[], now: number): void {
    for (const dev of devices) {
      if (this.faceCompareMode(dev) !== 'edge') continue;
      const ready = (r: { kind: DeployKind; item: string; group_id: string; is_delete: number }): boolean => {
        if (r.kind !== 'face') return false;
        if (r.is_delete) return true;
        const f = this.faces.get(r.group_id, r.item);
        return !!f && f.image_state !== 'pending';
      };
      const rows = this.deployments.take(dev, 100_000, now, ready);
      if (rows.length > 0) this.deployments.complete(dev, rows.map((r) => ({ kind: r.kind, item: r.item, ok: true })), now);
    }
  }

  // ── face queries of the cloud [seed 000 L2160-2184, L2340-2371, L2739-2808] ──

  queryFacePermTotal(deviceKey: string): { FacePermTotal: number } {
    return { FacePermTotal: this.faces.countFor(deviceKey) };
  }

  /** Progress of face deployment: faces of this door still waiting for picture/features. */
  querySyncPicSchedule(deviceKey: string): { SyncPicStatus: number; Total: number; Finished: number; Failed: number; Schedule: number } {
    const row = this.db.prepare(`SELECT COUNT(*) AS total, SUM(f.image_state = 'pending') AS pending, SUM(f.image_state = 'failed') AS failed
      FROM access_faces f JOIN access_face_groups g ON g.group_id = f.group_id WHERE g.device_key = ?`).get(deviceKey) as { total: number; pending: number | null; failed: number | null };
    const pending = row.pending ?? 0;
    const finished = row.total - pending;
    return { SyncPicStatus: pending > 0 ? SYNC_PIC_STATUS.DEPLOYING : SYNC_PIC_STATUS.SUCCESS, Total: row.total, Finished: finished, Failed: row.failed ?? 0, Schedule: row.total === 0 ? 100 : Math.floor((finished * 100) / row.total) };
  }

  /**
   * `QueryAddedUserInfo {GroupID}`: the file `{groupId, currentFaceInfos, failedFaceInfos}` is
   * written under `<dataDir>/access/reports/` and named by `StoreID` with `Type` 1 (FileName);
   * the cloud link uploads it (FACE_DEVICE_PERMS).
   */
  queryAddedUserInfo(deviceKey: string, groupId: string): { StoreID: string; Type: number; SyncPicStatus: number; file: string; content: Record<string, unknown> } {
    const failedIds = new Set(this.faces.failures(groupId).map((f) => f.faceId));
    const current = this.faces.facesOf(groupId).filter((f) => !failedIds.has(f.face_id)).map((f) => ({ faceId: f.face_id, userInfo: f.user_info, faceMd5: f.face_md5, index: f.idx ?? 0, clientTag: f.client_tag }));
    const content = { groupId, currentFaceInfos: current, failedFaceInfos: this.faces.failures(groupId) };
    const name = `faces-${groupId.replace(/[^A-Za-z0-9_-]/g, '_')}-${this.#now()}.json`;
    const file = join(this.#reportDir, name);
    writeFileAtomic(file, JSON.stringify(content), 0o600);
    return { StoreID: name, Type: 1, SyncPicStatus: this.querySyncPicSchedule(deviceKey).SyncPicStatus, file, content };
  }

  // ── per-door settings ──────────────────────────────────────────────────────

  setRsaPublicKey(deviceKey: string, base64: string): void {
    this.passage.setRsaPublicKey(deviceKey, base64); // throws on a key that does not parse
    this.db.prepare(`INSERT INTO access_devices (device_key, rsa_public_key, updated_at) VALUES (?, ?, ?)
      ON CONFLICT(device_key) DO UPDATE SET rsa_public_key = excluded.rsa_public_key, updated_at = excluded.updated_at`).run(deviceKey, base64.trim(), this.#now());
  }

  /** `edge`: the door sends photos and the box matches (door-standard /recognize); `device`: faces are pushed to the door. */
  setFaceCompareMode(deviceKey: string, mode: 'edge' | 'device'): void {
    this.db.prepare(`INSERT INTO access_devices (device_key, face_compare, updated_at) VALUES (?, ?, ?)
      ON CONFLICT(device_key) DO UPDATE SET face_compare = excluded.face_compare, updated_at = excluded.updated_at`).run(deviceKey, mode, this.#now());
    if (mode === 'edge') this.#markEdgeCompareDone([deviceKey], this.#now());
  }

  faceCompareMode(deviceKey: string): 'edge' | 'device' {
    return (this.db.prepare('SELECT face_compare FROM access_devices WHERE device_key = ?').pluck().get(deviceKey) as 'edge' | 'device' | undefined) ?? 'device';
  }

  // ── deployment to doors ────────────────────────────────────────────────────

  /** Take up to `limit` permissions to push to a door; they are `transferring` until markDeployed. */
  pendingDeployments(deviceKey: string, limit = 50, kind?: DeployKind): PendingDeployment[] {
    const now = this.#now();
    // A face goes to a door once its picture/features are settled (or it has none to fetch).
    const rows = this.deployments.take(deviceKey, limit, now, (r) => (!kind || r.kind === kind) && (r.kind !== 'face' || r.is_delete === 1 || this.faces.get(r.group_id, r.item)?.image_state !== 'pending'));
    return rows.map((r) => {
      const base: PendingDeployment = { kind: r.kind, item: r.item, op: r.is_delete ? 'delete' : 'upsert', status: r.status, attempts: r.attempts, ...(r.group_id ? { groupId: r.group_id } : {}) };
      if (r.is_delete) return base;
      if (r.kind === 'face') {
        const f = this.faces.get(r.group_id, r.item);
        const v = this.faces.vector(r.group_id, r.item, this.library.algoVersion);
        return f ? { ...base, data: faceData(f, v, f.image_sha ? this.images.path(f.image_sha) : undefined, this.config.timezoneOffsetMinutes) } : base;
      }
      const c = this.permissions.credential(r.kind, r.item, deviceKey);
      return c ? { ...base, data: { credential: c.credential, identityId: c.identity_id, number: c.number, effectiveTime: c.start_ms, expiryTime: c.end_ms } } : base;
    });
  }

  /**
   * Queue every permission a door should hold again (the door was replaced or wiped, or a
   * reconnect found it out of step). Deletions already delivered are not repeated.
   */
  resetDeployments(deviceKey: string, kind: DeployKind): number {
    const now = this.#now();
    return this.db.transaction(() => {
      let n = 0;
      if (kind === 'face') {
        for (const g of this.faces.groupsOf(deviceKey)) for (const f of this.faces.facesOf(g)) {
          this.deployments.enqueue(deviceKey, 'face', f.face_id, g, false, now);
          n++;
        }
      } else {
        for (let off = 0; ; off += 1000) {
          const rows = this.permissions.credentialsOf(deviceKey, kind, 1000, off);
          for (const c of rows) this.deployments.enqueue(deviceKey, kind, c.credential, '', false, now);
          n += rows.length;
          if (rows.length < 1000) break;
        }
      }
      return n;
    }).immediate();
  }

  /** The full face set a door should hold (device-side compare reconciliation, door-standard queryFaces). */
  desiredFaces(deviceKey: string): Array<Record<string, unknown>> {
    const out: Array<Record<string, unknown>> = [];
    for (const g of this.faces.groupsOf(deviceKey)) {
      for (const f of this.faces.facesOf(g)) {
        if (f.image_state === 'failed') continue;
        out.push({ groupId: g, ...faceData(f, this.faces.vector(g, f.face_id, this.library.algoVersion), undefined, this.config.timezoneOffsetMinutes) });
      }
    }
    return out;
  }

  markDeployed(deviceKey: string, results: DeployResult[]): { done: number; failed: number; ignored: number } {
    return this.deployments.complete(deviceKey, results, this.#now());
  }

  deviceOffline(deviceKey: string): number {
    return this.deployments.deviceOffline(deviceKey, this.#now());
  }

  // ── reports upward ─────────────────────────────────────────────────────────

  #onStatusChange(c: StatusChange): void {
    if (c.kind !== 'face' || !REPORTED.includes(c.status)) return;
    const face = this.faces.get(c.groupId, c.item);
    const data = { identityId: face?.user_id ?? '', faceId: c.item, status: c.status, ...(c.preStatus ? { preStatus: c.preStatus } : {}) };
    this.#biz(c.deviceKey, 'FACE_SYNC_STATUS', c.item, 'FACE_ID', data, c.status === 'needManual' ? 'ERROR' : 'INFO', c.error ?? '');
  }

  #deviceSyncError(deviceKey: string, result: string, message: string): void {
    this.#biz(deviceKey, 'DEVICE_SYNC_ERROR', deviceKey, 'IOT_ID', { iotId: deviceKey, result, code: result === 'PARSE_FAILED' ? 3 : 2, message: message.slice(0, 1500) }, 'ERROR', message.slice(0, 2048));
  }

  /** BizDataPushModel v1.1 [seed 001 L23449-23576]; `iotId` is the door's key, the cloud link maps it. */
  #biz(deviceKey: string, bizType: string, bizId: string, bizIdType: string, data: Record<string, unknown>, eventLevel: string, eventText: string): void {
    const time = this.#now();
    const payload = { eventId: randomUUID(), eventTime: time, bizType, bizId: bizId.slice(0, 64), bizIdType, data: JSON.stringify(data).slice(0, 2048), eventLevel, eventText: eventText.slice(0, 2048) };
    const outbox = this.#outbox;
    const put = outbox
      ? (): void => outbox.enqueue({ topicKind: 'bizData', deviceKey, identifier: bizType, payload, time, dedupKey: `biz:${payload.eventId}` })
      : (): void => {
        this.#bizBacklog.run(deviceKey, bizType, JSON.stringify(payload), time);
        this.#bizBacklogTrim.run(BIZ_BACKLOG_MAX);
      };
    // The outbox contract: enqueue inside a transaction (its own one when the caller has none).
    if (this.db.inTransaction) put();
    else this.db.transaction(put).immediate();
  }

  prune(now = this.#now()): { records: number; photos: number } {
    const r = this.config.records;
    return this.records.prune(now, { retentionDays: r.retentionDays, photoQuotaBytes: r.photoQuotaMb * 1024 * 1024, maxRecords: r.maxRecords });
  }

  get PASS(): typeof PASS {
    return PASS;
  }
}

function facePersons(adds: FaceAdd[]): PersonInput[] {
  const out: PersonInput[] = [];
  for (const a of adds) {
    const p = parsePerson({ identityId: a.userInfo.userId, ...(a.userInfo.userName ? { name: a.userInfo.userName } : {}) });
    if (!('refused' in p)) out.push(p);
  }
  return out;
}

function devicesOfGroup(core: AccessCore, groupId: string): string[] {
  return core.faces.devicesOf(groupId);
}

function faceData(f: FaceRow, v: Float32Array | undefined, imageFile: string | undefined, tz: number): Record<string, unknown> {
  const userInfo = { userId: f.user_id, userName: f.user_name, expiryTime: f.expire_ms === null ? null : String(f.expire_ms), isInBlackList: f.policy === 'DENY' };
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
