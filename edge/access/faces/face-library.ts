/**
 * The matchable faces: one in-memory FaceIndex per group, rebuilt from stored vectors at
 * start and kept in step with every sync. Only vectors of the configured algorithm version
 * are loaded: features of different algorithms must never be compared [seed 000 L797-811].
 */
import { FaceIndex, normalize, type FaceMatch } from './face-index.js';
import type { FaceStore } from '../stores/face-store.js';

export class FaceLibrary {
  readonly #store: FaceStore;
  readonly #algoVersion: string;
  readonly #groups = new Map<string, FaceIndex>();
  #dims: number | undefined;
  #rescored = 0;

  constructor(store: FaceStore, algoVersion: string) {
    this.#store = store;
    this.#algoVersion = algoVersion;
  }

  get algoVersion(): string {
    return this.#algoVersion;
  }

  get dims(): number | undefined {
    return this.#dims;
  }

  load(): number {
    this.#groups.clear();
    let n = 0;
    for (const v of this.#store.vectors(this.#algoVersion)) {
      this.#index(v.groupId, v.vector.length)?.upsertUnit(v.faceId, v.vector);
      n++;
    }
    this.#warmUp();
    return n;
  }

  /**
   * A few throw-away matches on the largest group, so the first person at a door after a start
   * does not wait for V8 to optimise the scan (its first calls measured 2-5× slower).
   */
  #warmUp(): void {
    const idx = [...this.#groups.values()].sort((a, b) => b.size - a.size)[0];
    if (!idx || idx.size === 0) return;
    const probe = Array.from({ length: idx.dims }, (_, k) => Math.sin(k + 1));
    for (let i = 0; i < 5; i++) idx.best(probe);
  }

  #index(groupId: string, dims: number): FaceIndex | undefined {
    this.#dims ??= dims;
    if (dims !== this.#dims) return undefined; // a vector of another length cannot be compared
    let idx = this.#groups.get(groupId);
    if (!idx) {
      // Only int8 rows stay in memory; the few faces re-scored exactly are read from SQLite.
      idx = new FaceIndex(dims, { exact: (faceId) => this.#store.vector(groupId, faceId, this.#algoVersion) });
      this.#groups.set(groupId, idx);
    }
    return idx;
  }

  /** Store and index one face's vector. Call inside a transaction when batching. */
  put(groupId: string, faceId: string, vector: ArrayLike<number>): boolean {
    const idx = this.#index(groupId, vector.length);
    if (!idx) return false;
    for (let i = 0; i < vector.length; i++) if (!Number.isFinite(vector[i])) return false;
    const unit = normalize(vector);
    this.#store.putVector(groupId, faceId, this.#algoVersion, unit);
    idx.upsertUnit(faceId, unit);
    return true;
  }

  remove(groupId: string, faceId: string): void {
    this.#groups.get(groupId)?.remove(faceId);
  }

  dropGroup(groupId: string): void {
    this.#groups.delete(groupId);
  }

  size(groupIds: string[]): number {
    return groupIds.reduce((n, g) => n + (this.#groups.get(g)?.size ?? 0), 0);
  }

  /** Faces re-scored exactly by the latest `best` call (bench figure: the int8 scan's precision). */
  get lastRescored(): number {
    return this.#rescored;
  }

  /** Best match over the given groups. */
  best(groupIds: string[], query: ArrayLike<number>): (FaceMatch & { groupId: string }) | undefined {
    let best: (FaceMatch & { groupId: string }) | undefined;
    this.#rescored = 0;
    for (const g of groupIds) {
      const idx = this.#groups.get(g);
      if (!idx || idx.size === 0 || idx.dims !== query.length) continue;
      const m = idx.best(query);
      this.#rescored += idx.lastRescored;
      if (m && (!best || m.score > best.score)) best = { ...m, groupId: g };
    }
    return best;
  }
}

/**
 * A feature string of a SyncFaceFeatures file, when it is one we can compare: a JSON array of
 * numbers or base64 of little-endian float32. Other vendors' opaque strings are kept for the
 * doors and not used for matching on the box.
 */
export function parseFeatureString(s: string): number[] | undefined {
  const t = s.trim();
  if (t.startsWith('[')) {
    try {
      const a = JSON.parse(t) as unknown;
      if (Array.isArray(a) && a.length > 0 && a.every((x) => typeof x === 'number' && Number.isFinite(x))) return a as number[];
    } catch {
      return undefined;
    }
    return undefined;
  }
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(t) && t.length >= 16) {
    const b = Buffer.from(t, 'base64');
    if (b.length % 4 !== 0) return undefined;
    const out: number[] = [];
    for (let i = 0; i < b.length; i += 4) out.push(b.readFloatLE(i));
    return out.every(Number.isFinite) ? out : undefined;
  }
  return undefined;
}
