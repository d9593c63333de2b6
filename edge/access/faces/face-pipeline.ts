/**
 * After a face file applied, each new face needs its picture and its features: download
 * (MD5-checked against faceMd5), normalise, store, then ask the algorithm service for the
 * vector. Runs in the background with bounded concurrency; each face's outcome moves its
 * per-door status (faceDlError, faceCheckError, faceCheckTimeout) or makes it matchable.
 * Restart-safe: the work list is simply the faces whose image_state is still `pending`.
 */
import type { Logger } from '../../log.js';
import { ALGO_CODE, type AlgoError, type FaceAlgoClient } from './algo-client.js';
import { download, DownloadError, type DownloadOptions } from '../sync/download.js';
import { FaceImageError, normalizeFaceImage, type FaceImageFiles } from './face-image.js';
import type { FaceRow } from '../stores/face-store.js';
import type { SyncStatus } from '../codes.js';

export type FaceOutcome = { ok: true; sha256: string; vector: number[] | undefined } | { ok: false; status: SyncStatus; reason: string };

export interface FacePipelineDeps {
  log: Logger;
  files: FaceImageFiles;
  algo: FaceAlgoClient | undefined;
  download: Omit<DownloadOptions, 'md5'>;
  pending(limit: number): FaceRow[];
  done(row: FaceRow, outcome: FaceOutcome): void;
}

export class FacePipeline {
  readonly #deps: FacePipelineDeps;
  readonly #concurrency: number;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;
  readonly #inFlight = new Set<string>();

  constructor(deps: FacePipelineDeps, concurrency: number) {
    this.#deps = deps;
    this.#concurrency = concurrency;
  }

  /** Start (or keep) working through the pending faces; resolves when none is left. */
  kick(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#loop().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  idle(): Promise<void> {
    return this.#running ?? Promise.resolve();
  }

  stop(): void {
    this.#stopped = true;
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      for (;;) {
        if (this.#stopped) return;
        const batch = this.#deps.pending(this.#concurrency * 4).filter((r) => !this.#inFlight.has(`${r.group_id}/${r.face_id}`));
        if (batch.length === 0) break;
        let next = 0;
        const worker = async (): Promise<void> => {
          while (next < batch.length && !this.#stopped) {
            const row = batch[next++]!;
            const key = `${row.group_id}/${row.face_id}`;
            this.#inFlight.add(key);
            try {
              this.#deps.done(row, await this.process(row));
            } catch (err) {
              this.#deps.log.error({ err, faceId: row.face_id }, 'face processing failed');
              this.#deps.done(row, { ok: false, status: 'faceCheckError', reason: (err as Error).message });
            } finally {
              this.#inFlight.delete(key);
            }
          }
        };
        await Promise.all(Array.from({ length: Math.min(this.#concurrency, batch.length) }, worker));
      }
    } while (this.#again && !this.#stopped);
  }

  /** One face: picture → normalised file → vector. Never throws for bad data. */
  async process(row: FaceRow): Promise<FaceOutcome> {
    let bytes: Buffer;
    try {
      bytes = await download(row.face_url, { ...this.#deps.download, ...(row.face_md5 ? { md5: row.face_md5 } : {}) });
    } catch (err) {
      const reason = err instanceof DownloadError ? err.message : String(err);
      return { ok: false, status: 'faceDlError', reason };
    }
    let sha256: string;
    let jpeg: Buffer;
    try {
      const img = await normalizeFaceImage(bytes);
      await this.#deps.files.put(img);
      sha256 = img.sha256;
      jpeg = img.jpeg;
    } catch (err) {
      const reason = err instanceof FaceImageError ? `${err.code} ${err.message}` : (err as Error).message;
      return { ok: false, status: 'faceCheckError', reason };
    }
    if (!this.#deps.algo) return { ok: true, sha256, vector: undefined };
    try {
      return { ok: true, sha256, vector: await this.#deps.algo.extract(jpeg, true) };
    } catch (err) {
      const e = err as AlgoError;
      if (e.code === ALGO_CODE.TIMEOUT) return { ok: false, status: 'faceCheckTimeout', reason: e.message };
      return { ok: false, status: 'faceCheckError', reason: e.message };
    }
  }
}
