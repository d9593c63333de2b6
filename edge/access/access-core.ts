/**
 * The access-control core: builds the stores (stores/), the sync jobs (sync/), deployment to
 * doors (deploy/), the face pipeline (faces/) and the passage decisions and records (passes/)
 * on the box database, and is the one object the rest of the box holds. The runtime owns the
 * connection and passes it in; door drivers reach this API through host services
 * (host-services.ts, docs/access.md). No SQL here: the stores own it.
 */
import { join } from 'node:path';
import type { EventBus } from '../events.js';
import type { FileService } from '../files/service.js';
import { PictureStore } from '../files/pictures.js';
import type { Logger } from '../log.js';
import { type Db, migrate } from '../store/db.js';
import { BizReports } from './biz-reports.js';
import { PASS } from './codes.js';
import type { AccessConfig } from './config.js';
import { Deployment, type PendingDeployment } from './deploy/deployment.js';
import { FaceAlgoClient } from './faces/algo-client.js';
import { FaceImageFiles } from './faces/face-image.js';
import { FaceLibrary } from './faces/face-library.js';
import { storeFaceOutcome } from './faces/face-outcome.js';
import { FacePipeline } from './faces/face-pipeline.js';
import { type AddedUserInfo, FaceQueries, type SyncPicSchedule } from './faces/face-queries.js';
import type { OutboxWriter } from './outbox.js';
import { type CommittedPass, PassRecorder } from './passes/pass-recorder.js';
import { Passage } from './passes/passage.js';
import { BizBacklogStore } from './stores/biz-backlog-store.js';
import type { DeployKind, DeployResult } from './stores/deploy-store.js';
import { DeployStore } from './stores/deploy-store.js';
import { DeviceIds } from './stores/device-ids.js';
import { DeviceSettingsStore } from './stores/device-settings-store.js';
import { FaceStore } from './stores/face-store.js';
import { PermissionStore } from './stores/permission-store.js';
import { PersonStore } from './stores/person-store.js';
import { accessMigrations } from './stores/schema.js';
import type { LastSyncJob } from './stores/sync-job-store.js';
import { SyncJobStore } from './stores/sync-job-store.js';
import { SyncJobs, type SyncOutcome } from './sync/sync-jobs.js';

export type { PendingDeployment } from './deploy/deployment.js';
export type { SyncOutcome } from './sync/sync-jobs.js';

export interface AccessDeps {
  db: Db;
  log: Logger;
  /** The box data directory; face images and pass photos live under `<dataDir>/access/`. */
  dataDir: string;
  outbox?: OutboxWriter;
  /** Committed passes are announced as `access.pass` (the local bus shows them). */
  events?: EventBus;
  /** The edge file service, when it runs: pass photos go there, kept as long as their records. */
  files?: FileService | undefined;
  /** Override the algorithm client (tests); default from `config.faceAlgoUrl`. */
  algo?: FaceAlgoClient;
  now?: () => number;
}

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
  readonly #devices: DeviceSettingsStore;
  readonly #reports: BizReports;
  readonly #sync: SyncJobs;
  readonly #deploy: Deployment;
  readonly #faceQueries: FaceQueries;
  readonly #pipeline: FacePipeline;
  #pruneTimer: NodeJS.Timeout | undefined;

  constructor(deps: AccessDeps, config: AccessConfig) {
    const db = deps.db;
    const now = deps.now ?? Date.now;
    const log = deps.log;
    this.db = db;
    this.config = config;
    this.#log = log;
    this.#now = now;
    migrate(db, 'access', accessMigrations);
    const root = join(deps.dataDir, 'access');
    this.images = new FaceImageFiles(join(root, 'faces'));
    this.permissions = new PermissionStore(db);
    this.deviceIds = new DeviceIds(db);
    this.persons = new PersonStore(db);
    this.faces = new FaceStore(db);
    this.#devices = new DeviceSettingsStore(db);
    this.#reports = new BizReports({ db, backlog: new BizBacklogStore(db), faces: this.faces, outbox: deps.outbox, now });
    this.deployments = new DeployStore(db, { onChange: (c) => this.#reports.statusChanged(c) });
    this.library = new FaceLibrary(this.faces, config.faceAlgoVersion);
    const events = deps.events;
    this.records = new PassRecorder({
      db,
      log,
      permissions: this.permissions,
      pictures: new PictureStore({
        area: 'pass',
        localDir: join(root, 'records'),
        keepMs: config.records.retentionDays * 86_400_000,
        files: deps.files,
      }),
      ...(deps.outbox ? { outbox: deps.outbox } : {}),
      ...(events ? { onCommitted: (p: CommittedPass) => events.emit('access.pass', p) } : {}),
    });
    const algo = deps.algo ?? (config.faceAlgoUrl ? new FaceAlgoClient(config.faceAlgoUrl, config.faceAlgoTimeoutMs) : undefined);
    const { permissions, persons, faces, library, deployments, records, images } = this;
    this.passage = new Passage({ devices: this.#devices, permissions, persons, faces, library, records, algo, config, now });
    this.#deploy = new Deployment({ db, config, deployments, permissions, faces, devices: this.#devices, library, images, now });
    this.#faceQueries = new FaceQueries(faces, join(root, 'reports'), now);
    this.#pipeline = this.#facePipeline(log, algo, now);
    this.#sync = this.#syncJobs(log, now);
  }

  /** The face pipeline: pictures and features fetched in the background; each outcome stored, edge-compare doors updated. */
  #facePipeline(log: Logger, algo: FaceAlgoClient | undefined, now: () => number): FacePipeline {
    const { db, config, faces, library, deployments, images } = this;
    return new FacePipeline(
      {
        log,
        files: images,
        algo,
        download: {
          timeoutMs: config.sync.timeoutMs,
          retries: config.sync.retries,
          retryDelayMs: config.sync.retryDelayMs,
          maxBytes: 10 * 1024 * 1024,
        },
        pending: (limit) => faces.pendingImages(limit),
        done: (row, outcome) => {
          const t = now();
          storeFaceOutcome({ db, faces, library, deployments }, row, outcome, t);
          this.#deploy.markEdgeCompareDone(faces.devicesOf(row.group_id), t);
        },
      },
      config.sync.imageConcurrency,
    );
  }

  #syncJobs(log: Logger, now: () => number): SyncJobs {
    const { db, config, permissions, persons, faces, deployments, library } = this;
    return new SyncJobs({
      db,
      log,
      config,
      jobs: new SyncJobStore(db),
      permissions,
      persons,
      faces,
      deployments,
      library,
      reports: this.#reports,
      facesPending: () => void this.#pipeline.kick(),
      markEdgeCompareDone: (devices, t) => this.#deploy.markEdgeCompareDone(devices, t),
      now,
    });
  }

  /** Load the face indexes, resume unfinished face work, hand over any backlog, start retention. */
  async start(): Promise<void> {
    this.#sync.closeInterrupted();
    this.#sync.applySeeds();
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

  /** Attach the cloud link's outbox (may come up after the access core); hands the backlog over. */
  attachOutbox(outbox: OutboxWriter): number {
    this.records.outbox = outbox;
    let total = 0;
    for (let n = this.records.handOverBacklog(); n > 0; n = this.records.handOverBacklog()) total += n;
    this.#reports.attachOutbox(outbox);
    return total;
  }

  // ── sync files (sync/sync-jobs.ts) ─────────────────────────────────────────

  /** The latest sync-file job of each door: state, error, when. */
  lastSyncJobs(): LastSyncJob[] {
    return this.#sync.lastSyncJobs();
  }

  syncPermissions(deviceKey: string, permissionUrl: string, md5?: string): Promise<SyncOutcome> {
    return this.#sync.syncPermissions(deviceKey, permissionUrl, md5);
  }

  applyPermissionText(deviceKey: string, text: string, jobId?: number): SyncOutcome {
    return this.#sync.applyPermissionText(deviceKey, text, jobId);
  }

  syncFacePictures(deviceKey: string, url: string, md5?: string): Promise<SyncOutcome> {
    return this.#sync.syncFacePictures(deviceKey, url, md5);
  }

  syncFaceFeatures(deviceKey: string, url: string, md5?: string): Promise<SyncOutcome> {
    return this.#sync.syncFaceFeatures(deviceKey, url, md5);
  }

  applyFaceText(deviceKey: string, text: string, o: { features: boolean; jobId?: number }): SyncOutcome {
    return this.#sync.applyFaceText(deviceKey, text, o);
  }

  /** Wait until background face work is done (tests, shutdown). */
  facesIdle(): Promise<void> {
    return this.#pipeline.idle();
  }

  // ── face queries of the cloud (faces/face-queries.ts) ──────────────────────

  queryFacePermTotal(deviceKey: string): { FacePermTotal: number } {
    return this.#faceQueries.facePermTotal(deviceKey);
  }

  querySyncPicSchedule(deviceKey: string): SyncPicSchedule {
    return this.#faceQueries.syncPicSchedule(deviceKey);
  }

  queryAddedUserInfo(deviceKey: string, groupId: string): AddedUserInfo {
    return this.#faceQueries.addedUserInfo(deviceKey, groupId);
  }

  // ── per-door settings ──────────────────────────────────────────────────────

  setRsaPublicKey(deviceKey: string, base64: string): void {
    this.passage.setRsaPublicKey(deviceKey, base64); // throws on a key that does not parse
    this.#devices.setRsaPublicKey(deviceKey, base64.trim(), this.#now());
  }

  setFaceCompareMode(deviceKey: string, mode: 'edge' | 'device'): void {
    this.#deploy.setFaceCompareMode(deviceKey, mode);
  }

  faceCompareMode(deviceKey: string): 'edge' | 'device' {
    return this.#deploy.faceCompareMode(deviceKey);
  }

  // ── deployment to doors (deploy/deployment.ts) ─────────────────────────────

  pendingDeployments(deviceKey: string, limit = 50, kind?: DeployKind): PendingDeployment[] {
    return this.#deploy.pending(deviceKey, limit, kind);
  }

  resetDeployments(deviceKey: string, kind: DeployKind): number {
    return this.#deploy.reset(deviceKey, kind);
  }

  desiredFaces(deviceKey: string): Array<Record<string, unknown>> {
    return this.#deploy.desiredFaces(deviceKey);
  }

  markDeployed(deviceKey: string, results: DeployResult[]): { done: number; failed: number; ignored: number } {
    return this.#deploy.markDeployed(deviceKey, results);
  }

  deviceOffline(deviceKey: string): number {
    return this.#deploy.deviceOffline(deviceKey);
  }

  // ── pass records ───────────────────────────────────────────────────────────

  prune(now = this.#now()): { records: number; photos: number } {
    const r = this.config.records;
    return this.records.prune(now, {
      retentionDays: r.retentionDays,
      photoQuotaBytes: r.photoQuotaMb * 1024 * 1024,
      maxRecords: r.maxRecords,
    });
  }

  get PASS(): typeof PASS {
    return PASS;
  }
}
