/**
 * Sync jobs: the permission and face files the cloud sends a door [seed 000 L2611-2737,
 * seed 001 L1496-1535], downloaded, parsed and applied in one transaction each, and the
 * config's seed files. Every file is a job in `access_sync_jobs`; a failure is reported upward
 * as DEVICE_SYNC_ERROR.
 */
import type { Logger } from '../../log.js';
import type { Db } from '../../store/db.js';
import type { BizReports } from '../biz-reports.js';
import { SYNC_PIC_STATUS } from '../codes.js';
import type { AccessConfig } from '../config.js';
import { type FaceLibrary, parseFeatureString } from '../faces/face-library.js';
import type { DeployStore } from '../stores/deploy-store.js';
import type { FaceStore } from '../stores/face-store.js';
import type { PermissionStore } from '../stores/permission-store.js';
import { type PersonInput, type PersonStore, parsePerson } from '../stores/person-store.js';
import type { LastSyncJob, SyncJobStore } from '../stores/sync-job-store.js';
import { DownloadError, download, md5Hex } from './download.js';
import { type FaceAdd, type FaceFile, parseFaceFile, parseJsonObject, parsePermissionFile, SyncFileError } from './sync-files.js';

export interface SyncOutcome {
  /** 0 success, 1 deploying (faces still being fetched), 2 download failed, 3 parse failed [seed 000 L2621-2633]. */
  SyncPicStatus: number;
  jobId: number;
  message: string;
  counts?: Record<string, number>;
}

export interface SyncJobsDeps {
  db: Db;
  log: Logger;
  config: AccessConfig;
  jobs: SyncJobStore;
  permissions: PermissionStore;
  persons: PersonStore;
  faces: FaceStore;
  deployments: DeployStore;
  library: FaceLibrary;
  reports: BizReports;
  /** New faces wait for their pictures/features: start the face pipeline. */
  facesPending(): void;
  /** Doors that compare faces on the box hold these faces now (deploy/deployment.ts). */
  markEdgeCompareDone(devices: string[], now: number): void;
  now: () => number;
}

type FaceEffect = ReturnType<FaceStore['apply']>;

export class SyncJobs {
  readonly #d: SyncJobsDeps;

  constructor(deps: SyncJobsDeps) {
    this.#d = deps;
  }

  /**
   * Sync jobs a kill or power cut interrupted: a download or parse that never finished is
   * closed as failed and reported (DEVICE_SYNC_ERROR) so the cloud can send it again; a face
   * file whose faces were stored goes on deploying (the face pipeline resumes its pictures).
   */
  closeInterrupted(): void {
    const { db, jobs, log } = this.#d;
    db.transaction(() => {
      jobs.resumeApplied(SYNC_PIC_STATUS.DEPLOYING);
      for (const job of jobs.downloading()) {
        const message = `${job.kind} sync interrupted by a restart of the box before it finished; send it again`;
        this.#finish(job.id, 'failed', SYNC_PIC_STATUS.DOWNLOAD_FAILED, message);
        this.#d.reports.deviceSyncError(job.deviceKey, 'INTERRUPTED', message);
        log.warn({ dev: job.deviceKey, job: job.id, kind: job.kind }, 'sync job interrupted by a restart; closed as failed and reported');
      }
    }).immediate();
  }

  /** The config's seed persons and permission files; a file already applied with the same content is skipped. */
  applySeeds(): void {
    const { config, persons, jobs, log } = this.#d;
    if (config.seedPersons.length > 0) persons.upsert(config.seedPersons, this.#d.now());
    for (const seed of config.seedPermissions) {
      const text = JSON.stringify(seed.file);
      if (jobs.seedApplied(seed.device, md5Hex(text))) continue;
      const r = this.applyPermissionText(seed.device, text, this.#newJob(seed.device, 'permissions', '(config seed)'));
      if (r.SyncPicStatus !== SYNC_PIC_STATUS.SUCCESS) log.warn({ dev: seed.device, reason: r.message }, 'seed permission file refused');
    }
  }

  /** The latest sync-file job of each door: state, error, when. */
  lastSyncJobs(): LastSyncJob[] {
    return this.#d.jobs.lastOfEachDevice();
  }

  /** `syncPermissions {permissionUrl}` of a QR/card/BLE/password door [seed 001 L1496-1535]. */
  async syncPermissions(deviceKey: string, permissionUrl: string, md5?: string): Promise<SyncOutcome> {
    const got = await this.#fetch(deviceKey, 'permissions', permissionUrl, md5);
    if (got.failure) return got.failure;
    return this.applyPermissionText(deviceKey, got.text!, got.jobId);
  }

  /** Parse and apply a permission file in ONE transaction: all of it or nothing. */
  applyPermissionText(deviceKey: string, text: string, jobId = this.#newJob(deviceKey, 'permissions', '(inline)')): SyncOutcome {
    const { db, config, permissions, deployments, jobs } = this.#d;
    const now = this.#d.now();
    try {
      this.#checkSize(text);
      const file = parsePermissionFile(parseJsonObject(text), config.sync.maxEntries);
      const counts = db
        .transaction(() => {
          const c = permissions.apply(deviceKey, file, now);
          for (const d of c.toDeploy) deployments.enqueue(deviceKey, d.kind, d.item, '', d.isDelete, now);
          jobs.permissionsDone(jobId, file.qr.length + file.credentials.length, md5Hex(text), now);
          return c;
        })
        .immediate();
      const summary = { added: counts.added, modified: counts.modified, deleted: counts.deleted, toDeploy: counts.toDeploy.length };
      this.#d.log.info({ dev: deviceKey, job: jobId, ...summary }, 'permission file applied');
      return { SyncPicStatus: SYNC_PIC_STATUS.SUCCESS, jobId, message: 'success', counts: summary };
    } catch (err) {
      return this.#refused(deviceKey, jobId, err);
    }
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
    const { config, library, faces } = this.#d;
    const jobId = o.jobId ?? this.#newJob(deviceKey, o.features ? 'faceFeatures' : 'facePictures', '(inline)');
    const now = this.#d.now();
    try {
      this.#checkSize(text);
      const file = parseFaceFile(parseJsonObject(text), {
        maxEntries: config.sync.maxEntries,
        tzOffsetMinutes: config.timezoneOffsetMinutes,
        features: o.features,
      });
      const effect = this.#storeFaceFile(deviceKey, file, md5Hex(text), jobId, now);
      // A clean or failed transaction above leaves the in-memory index behind the store: reload.
      if (effect.cleaned.length > 0) library.load();
      const pending = file.adds.some((a) => a.faceUrl !== '');
      const status = pending ? SYNC_PIC_STATUS.DEPLOYING : SYNC_PIC_STATUS.SUCCESS;
      this.#finish(jobId, pending ? 'deploying' : 'done', status, null);
      if (pending) this.#d.facesPending();
      this.#d.markEdgeCompareDone(faces.devicesOf(file.groupId), now);
      const counts = { added: effect.added.length, deleted: effect.deleted.length, cleanedGroups: effect.cleaned.length };
      this.#d.log.info(
        { dev: deviceKey, group: file.groupId, added: counts.added, deleted: counts.deleted, cleaned: counts.cleanedGroups },
        'face file applied',
      );
      return { SyncPicStatus: status, jobId, message: 'success', counts };
    } catch (err) {
      if (!(err instanceof SyncFileError)) library.load();
      return this.#refused(deviceKey, jobId, err);
    }
  }

  /** The face file's store changes, index updates and deployments, in ONE transaction. */
  #storeFaceFile(deviceKey: string, file: FaceFile, md5: string, jobId: number, now: number): FaceEffect {
    const { db, faces, library, deployments, persons, jobs } = this.#d;
    const vectors = file.adds.map((a) => a.features?.map(parseFeatureString).find((v) => v !== undefined));
    return db
      .transaction(() => {
        const e = faces.apply(deviceKey, file, now);
        for (const c of e.cleaned) {
          library.dropGroup(c.groupId);
          for (const dev of faces.devicesOf(c.groupId))
            for (const f of c.faceIds) deployments.enqueue(dev, 'face', f, c.groupId, true, now);
        }
        const devices = faces.devicesOf(file.groupId);
        for (const f of e.deleted) {
          library.remove(file.groupId, f);
          for (const dev of devices) deployments.enqueue(dev, 'face', f, file.groupId, true, now);
        }
        // Every face's user is a person the box should know by name.
        persons.upsert(facePersons(file.adds), now);
        file.adds.forEach((a, i) => {
          const v = vectors[i];
          if (v) library.put(file.groupId, a.faceId, v);
          for (const dev of devices) deployments.enqueue(dev, 'face', a.faceId, file.groupId, false, now);
        });
        jobs.facesApplied(jobId, file.groupId, file.adds.length, md5);
        return e;
      })
      .immediate();
  }

  #checkSize(text: string): void {
    const max = this.#d.config.sync.maxFileBytes;
    if (text.length > max) throw new SyncFileError([`file of ${text.length} bytes exceeds the limit of ${max}`]);
  }

  #newJob(deviceKey: string, kind: string, url: string): number {
    return this.#d.jobs.start(deviceKey, kind, url, this.#d.now());
  }

  #finish(id: number, state: string, status: number, error: string | null): void {
    this.#d.jobs.finish(id, state, status, error, this.#d.now());
  }

  async #fetch(
    deviceKey: string,
    kind: string,
    url: string,
    md5?: string,
  ): Promise<{ jobId: number; text?: string; failure?: SyncOutcome }> {
    const jobId = this.#newJob(deviceKey, kind, url);
    const s = this.#d.config.sync;
    try {
      const body = await download(url, {
        timeoutMs: s.timeoutMs,
        retries: s.retries,
        retryDelayMs: s.retryDelayMs,
        maxBytes: s.maxFileBytes,
        ...(md5 ? { md5 } : {}),
      });
      return { jobId, text: body.toString('utf8') };
    } catch (err) {
      const message = err instanceof DownloadError ? err.message : (err as Error).message;
      this.#finish(jobId, 'failed', SYNC_PIC_STATUS.DOWNLOAD_FAILED, message);
      this.#d.reports.deviceSyncError(deviceKey, 'DOWNLOAD_FAILED', message);
      this.#d.log.warn({ dev: deviceKey, kind, reason: message }, 'sync file download failed');
      return { jobId, failure: { SyncPicStatus: SYNC_PIC_STATUS.DOWNLOAD_FAILED, jobId, message } };
    }
  }

  #refused(deviceKey: string, jobId: number, err: unknown): SyncOutcome {
    if (!(err instanceof SyncFileError)) throw err;
    this.#finish(jobId, 'failed', SYNC_PIC_STATUS.PARSE_FAILED, err.message);
    this.#d.reports.deviceSyncError(deviceKey, 'PARSE_FAILED', err.message);
    this.#d.log.warn({ dev: deviceKey, job: jobId, problems: err.problems.length }, 'sync file refused');
    return { SyncPicStatus: SYNC_PIC_STATUS.PARSE_FAILED, jobId, message: err.message };
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
