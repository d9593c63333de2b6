/**
 * In-memory 1:N face index of one face group. Vectors are L2-normalised and kept as int8 with
 * a per-vector scale (25 MB for 50,000 × 512), scored by the SIMD kernel (or a JS loop where
 * WebAssembly SIMD is missing). The few best approximate candidates are re-scored exactly
 * from their float32 vectors, so the returned score is the true cosine similarity.
 */
import { loadSimdKernel, type DotKernel } from './simd-kernel.js';

const QUERY_OFFSET = 0;
const PAGE = 65536;
/** Candidates re-scored exactly; int8 rounding moves scores by well under 1 %. */
const RERANK = 8;

export interface FaceMatch {
  faceId: string;
  score: number;
}

/** Scale to unit length; a zero vector stays zero (it then matches nothing). */
export function normalize(v: ArrayLike<number>): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  const inv = sum > 0 ? 1 / Math.sqrt(sum) : 0;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! * inv;
  return out;
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export class FaceIndex {
  readonly dims: number;
  readonly #padded: number;
  readonly #kernel: DotKernel | undefined;
  #bytes: Int8Array;
  #out: Int32Array;
  #capacity = 0;
  #baseOffset: number;
  #ids: string[] = [];
  #slots = new Map<string, number>();
  #invScale = new Float32Array(0);
  #exact = new Map<string, Float32Array>();

  constructor(dims: number, options: { simd?: boolean } = {}) {
    this.dims = dims;
    this.#padded = Math.ceil(dims / 8) * 8; // the kernel reads 8 lanes at a time
    this.#kernel = options.simd === false ? undefined : loadSimdKernel();
    this.#baseOffset = Math.ceil(this.#padded / 64) * 64;
    this.#bytes = new Int8Array(0);
    this.#out = new Int32Array(0);
    this.#grow(1024);
  }

  get size(): number {
    return this.#ids.length;
  }

  get simd(): boolean {
    return this.#kernel !== undefined;
  }

  has(faceId: string): boolean {
    return this.#slots.has(faceId);
  }

  #grow(capacity: number): void {
    const need = this.#baseOffset + capacity * this.#padded + capacity * 4;
    if (this.#kernel) {
      const mem = this.#kernel.memory;
      if (mem.buffer.byteLength < need) mem.grow(Math.ceil((need - mem.buffer.byteLength) / PAGE));
      this.#bytes = new Int8Array(mem.buffer);
    } else {
      const next = new Int8Array(need);
      next.set(this.#bytes.subarray(0, Math.min(this.#bytes.length, this.#baseOffset + this.#capacity * this.#padded)));
      this.#bytes = next;
    }
    this.#capacity = capacity;
    const scales = new Float32Array(capacity);
    scales.set(this.#invScale);
    this.#invScale = scales;
    this.#out = new Int32Array(capacity);
  }

  /** Add or replace one face's feature vector. */
  upsert(faceId: string, vector: ArrayLike<number>): void {
    if (vector.length !== this.dims) throw new RangeError(`feature has ${vector.length} values, the index holds ${this.dims}`);
    let slot = this.#slots.get(faceId);
    if (slot === undefined) {
      slot = this.#ids.length;
      if (slot >= this.#capacity) this.#grow(this.#capacity * 2);
      this.#ids.push(faceId);
      this.#slots.set(faceId, slot);
    }
    const unit = normalize(vector);
    this.#exact.set(faceId, unit);
    this.#write(slot, unit);
  }

  #write(slot: number, unit: Float32Array): void {
    let max = 0;
    for (let i = 0; i < unit.length; i++) max = Math.max(max, Math.abs(unit[i]!));
    const scale = max > 0 ? 127 / max : 0;
    const at = this.#baseOffset + slot * this.#padded;
    for (let i = 0; i < this.#padded; i++) this.#bytes[at + i] = i < unit.length ? Math.round(unit[i]! * scale) : 0;
    this.#invScale[slot] = scale > 0 ? 1 / scale : 0;
  }

  remove(faceId: string): boolean {
    const slot = this.#slots.get(faceId);
    if (slot === undefined) return false;
    const last = this.#ids.length - 1;
    if (slot !== last) {
      // Keep the rows dense: the last row moves into the hole.
      const lastId = this.#ids[last]!;
      const from = this.#baseOffset + last * this.#padded;
      this.#bytes.copyWithin(this.#baseOffset + slot * this.#padded, from, from + this.#padded);
      this.#invScale[slot] = this.#invScale[last]!;
      this.#ids[slot] = lastId;
      this.#slots.set(lastId, slot);
    }
    this.#ids.pop();
    this.#slots.delete(faceId);
    this.#exact.delete(faceId);
    return true;
  }

  clear(): void {
    this.#ids = [];
    this.#slots.clear();
    this.#exact.clear();
  }

  /** The best match for a query vector (exact cosine), or undefined for an empty index. */
  best(query: ArrayLike<number>): FaceMatch | undefined {
    const n = this.#ids.length;
    if (n === 0) return undefined;
    if (query.length !== this.dims) throw new RangeError(`query has ${query.length} values, the index holds ${this.dims}`);
    const unit = normalize(query);
    let max = 0;
    for (let i = 0; i < unit.length; i++) max = Math.max(max, Math.abs(unit[i]!));
    const qScale = max > 0 ? 127 / max : 0;
    for (let i = 0; i < this.#padded; i++) this.#bytes[QUERY_OFFSET + i] = i < unit.length ? Math.round(unit[i]! * qScale) : 0;
    const raw = this.#score(n);
    // Keep the RERANK best approximate scores (small insertion-sorted list).
    const topSlots: number[] = [];
    const topScores: number[] = [];
    for (let f = 0; f < n; f++) {
      const s = raw[f]! * this.#invScale[f]!;
      if (topSlots.length === RERANK && s <= topScores[RERANK - 1]!) continue;
      let i = topSlots.length === RERANK ? RERANK - 1 : topSlots.length;
      while (i > 0 && topScores[i - 1]! < s) {
        topScores[i] = topScores[i - 1]!;
        topSlots[i] = topSlots[i - 1]!;
        i--;
      }
      topScores[i] = s;
      topSlots[i] = f;
    }
    let best: FaceMatch | undefined;
    for (const slot of topSlots) {
      const id = this.#ids[slot]!;
      const score = cosine(unit, this.#exact.get(id)!);
      if (!best || score > best.score) best = { faceId: id, score };
    }
    return best;
  }

  #score(n: number): Int32Array {
    const d = this.#padded;
    const base = this.#baseOffset;
    if (this.#kernel) {
      const outOffset = base + this.#capacity * d;
      this.#kernel.scores(QUERY_OFFSET, base, n, d, outOffset);
      return new Int32Array(this.#kernel.memory.buffer, outOffset, n);
    }
    const b = this.#bytes;
    const out = this.#out;
    for (let f = 0, o = base; f < n; f++, o += d) {
      let s = 0;
      for (let k = 0; k < d; k++) s += b[QUERY_OFFSET + k]! * b[o + k]!;
      out[f] = s;
    }
    return out;
  }
}
