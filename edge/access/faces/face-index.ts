/**
 * In-memory 1:N face index of one face group. Vectors are L2-normalised and kept only as int8
 * with a per-vector scale (25 MB for 50,000 × 512), scored by the SIMD kernel (or a JS loop
 * where WebAssembly SIMD is missing). The answer is nevertheless exact: each vector also keeps
 * the size of its rounding error, which bounds how far its int8 score can be from its true
 * cosine (Cauchy–Schwarz, below). Only faces whose bound reaches the best lower bound can be
 * the best; they are re-scored from their exact float32 vectors (read through `exact`, i.e.
 * from SQLite, or kept here when no reader is given), highest upper bound first, stopping as
 * soon as no remaining face can beat the best exact score. Typically one or a few faces.
 */
import { DIMS_STEP, ROWS_PER_BLOCK, loadSimdKernel, type DotKernel } from './simd-kernel.js';

const PAGE = 65536;
/** Covers double rounding in the score and bound arithmetic (true errors are ~1e-13). */
const SLACK = 1e-9;

export interface FaceMatch {
  faceId: string;
  score: number;
}

export interface FaceIndexOptions {
  /** false: the plain JS scorer (tests, hosts without WebAssembly SIMD). */
  simd?: boolean;
  /**
   * Reader of a face's exact unit vector as stored (the library reads SQLite). Without it the
   * index keeps the float32 vectors itself (4 × the memory of the int8 rows).
   */
  exact?: (faceId: string) => Float32Array | undefined;
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

/** Dot product of two unit vectors, accumulated in double (float32 products are exact). */
export function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** int8 rounding of a vector: the bytes (|v| ≤ 127), 1/scale, ‖v‖ and ‖v − bytes/scale‖. */
function quantize(unit: Float32Array, into: Int8Array): { inv: number; norm: number; err: number } {
  let max = 0;
  for (let i = 0; i < unit.length; i++) {
    const a = Math.abs(unit[i]!);
    max = Math.max(a, max);
  }
  const scale = max > 0 ? 127 / max : 0;
  const inv = scale > 0 ? 1 / scale : 0;
  let norm = 0,
    err = 0;
  into.fill(0);
  for (let i = 0; i < unit.length; i++) {
    // = Math.round for |x| ≤ 127, without its sign branch (3-7× faster over random signs)
    const b = ((unit[i]! * scale + 128.5) | 0) - 128;
    into[i] = b;
    const d = unit[i]! - b * inv;
    norm += unit[i]! * unit[i]!;
    err += d * d;
  }
  return { inv, norm: Math.sqrt(norm), err: Math.sqrt(err) };
}

export class FaceIndex {
  readonly dims: number;
  readonly #padded: number;
  readonly #kernel: DotKernel | undefined;
  readonly #reader: ((faceId: string) => Float32Array | undefined) | undefined;
  #bytes: Int8Array = new Int8Array(0);
  #out: Int32Array = new Int32Array(0);
  #capacity = 0;
  readonly #baseOffset: number;
  #ids: string[] = [];
  readonly #slots = new Map<string, number>();
  /** Per slot: 1/scale, ‖quantised vector‖ and ‖rounding error‖ (the bound's inputs). */
  #invScale = new Float64Array(0);
  #qNorm = new Float64Array(0);
  #qErr = new Float64Array(0);
  /** Exact vectors, one flat buffer, only when no reader is given. */
  #floats: Float32Array | undefined;
  readonly #row: Int8Array;
  #rescored = 0;

  constructor(dims: number, options: FaceIndexOptions = {}) {
    this.dims = dims;
    this.#padded = Math.ceil(dims / DIMS_STEP) * DIMS_STEP;
    this.#kernel = options.simd === false ? undefined : loadSimdKernel();
    this.#reader = options.exact;
    this.#baseOffset = Math.ceil(this.#padded / 64) * 64; // the query sits below the rows
    this.#row = new Int8Array(this.#padded);
    if (!this.#reader) this.#floats = new Float32Array(0);
    this.#grow(1024);
  }

  get size(): number {
    return this.#ids.length;
  }

  get simd(): boolean {
    return this.#kernel !== undefined;
  }

  /** Faces re-scored exactly by the latest `best` call (1 when the int8 scan was decisive). */
  get lastRescored(): number {
    return this.#rescored;
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
      this.#out = new Int32Array(capacity);
    }
    const widen = (a: Float64Array): Float64Array<ArrayBuffer> => {
      const b = new Float64Array(capacity);
      b.set(a);
      return b;
    };
    this.#invScale = widen(this.#invScale);
    this.#qNorm = widen(this.#qNorm);
    this.#qErr = widen(this.#qErr);
    if (this.#floats) {
      const f = new Float32Array(capacity * this.dims);
      f.set(this.#floats);
      this.#floats = f;
    }
    this.#capacity = capacity;
  }

  /** Byte offset of a row's chunk (8 bytes) in the block-interleaved layout of simd-kernel.ts. */
  #chunkAt(slot: number, chunk: number): number {
    const block = Math.floor(slot / ROWS_PER_BLOCK);
    return this.#baseOffset + block * ROWS_PER_BLOCK * this.#padded + (chunk * ROWS_PER_BLOCK + (slot % ROWS_PER_BLOCK)) * 8;
  }

  /** Add or replace one face's feature vector (normalised here). */
  upsert(faceId: string, vector: ArrayLike<number>): void {
    this.upsertUnit(faceId, normalize(vector));
  }

  /** Add or replace a vector that is already a unit vector as stored (what `exact` returns). */
  upsertUnit(faceId: string, unit: Float32Array): void {
    if (unit.length !== this.dims) throw new RangeError(`feature has ${unit.length} values, the index holds ${this.dims}`);
    if (!unit.every(Number.isFinite)) throw new RangeError('feature has a value that is not a finite number');
    let slot = this.#slots.get(faceId);
    if (slot === undefined) {
      slot = this.#ids.length;
      if (slot >= this.#capacity) this.#grow(this.#capacity * 2);
      this.#ids.push(faceId);
      this.#slots.set(faceId, slot);
    }
    const q = quantize(unit, this.#row);
    const bytes = this.#bytes,
      row = this.#row,
      step = ROWS_PER_BLOCK * 8;
    for (let c = 0, at = this.#chunkAt(slot, 0); c < this.#padded; c += 8, at += step) {
      for (let k = 0; k < 8; k++) bytes[at + k] = row[c + k]!;
    }
    this.#invScale[slot] = q.inv;
    this.#qNorm[slot] = q.norm;
    this.#qErr[slot] = q.err;
    this.#floats?.set(unit, slot * this.dims);
  }

  remove(faceId: string): boolean {
    const slot = this.#slots.get(faceId);
    if (slot === undefined) return false;
    const last = this.#ids.length - 1;
    if (slot !== last) {
      // Keep the rows dense: the last row moves into the hole.
      const lastId = this.#ids[last]!;
      for (let c = 0; c < this.#padded / 8; c++) {
        const from = this.#chunkAt(last, c);
        this.#bytes.copyWithin(this.#chunkAt(slot, c), from, from + 8);
      }
      this.#invScale[slot] = this.#invScale[last]!;
      this.#qNorm[slot] = this.#qNorm[last]!;
      this.#qErr[slot] = this.#qErr[last]!;
      this.#floats?.copyWithin(slot * this.dims, last * this.dims, (last + 1) * this.dims);
      this.#ids[slot] = lastId;
      this.#slots.set(lastId, slot);
    }
    this.#ids.pop();
    this.#slots.delete(faceId);
    return true;
  }

  clear(): void {
    this.#ids = [];
    this.#slots.clear();
  }

  #exact(slot: number): Float32Array | undefined {
    if (this.#floats) return this.#floats.subarray(slot * this.dims, (slot + 1) * this.dims);
    return this.#reader!(this.#ids[slot]!);
  }

  /** The best match for a query vector (exact cosine), or undefined for an empty index. */
  best(query: ArrayLike<number>): FaceMatch | undefined {
    const n = this.#ids.length;
    if (n === 0) return undefined;
    if (query.length !== this.dims) throw new RangeError(`query has ${query.length} values, the index holds ${this.dims}`);
    const unit = normalize(query);
    const q = quantize(unit, this.#row);
    this.#rescored = 0;
    // A zero query scores 0 against every face: no face is better than another.
    if (q.norm === 0) return { faceId: this.#ids[0]!, score: 0 };
    if (!Number.isFinite(q.norm)) return undefined; // NaN/Infinity: nothing to compare
    this.#bytes.set(this.#row, 0);
    const raw = this.#score(n);
    // |q·x − q'·x'| ≤ ‖q‖·‖x − x'‖ + ‖q − q'‖·‖x'‖ (x' = int8 row / scale): the true score of
    // face f lies within approx ± bound. The best face's true score is ≥ the best lower bound.
    const inv = this.#invScale,
      nrm = this.#qNorm,
      err = this.#qErr;
    const qInv = q.inv,
      qNorm = q.norm,
      qErr = q.err;
    // One pass: a face joins the candidates while its upper bound reaches the best lower bound
    // seen so far; the floor only rises, so the few that fall behind it are dropped after.
    let floor = -Infinity;
    const cand: number[] = [];
    const upper: number[] = [];
    for (let f = 0; f < n; f++) {
      const s = raw[f]! * qInv * inv[f]!;
      const bound = qNorm * err[f]! + qErr * nrm[f]! + SLACK;
      if (s - bound > floor) floor = s - bound;
      if (s + bound >= floor) {
        cand.push(f);
        upper.push(s + bound);
      }
    }
    const order = cand
      .map((_, i) => i)
      .filter((i) => upper[i]! >= floor)
      .sort((a, b) => upper[b]! - upper[a]!);
    let best: FaceMatch | undefined;
    for (const i of order) {
      if (best && upper[i]! < best.score) break; // nobody left can beat it
      const exact = this.#exact(cand[i]!);
      if (!exact) continue; // deleted from the store meanwhile
      this.#rescored++;
      const score = cosine(unit, exact);
      if (!best || score > best.score) best = { faceId: this.#ids[cand[i]!]!, score };
    }
    return best;
  }

  #score(n: number): Int32Array {
    const blocks = Math.ceil(n / ROWS_PER_BLOCK); // capacity is a multiple of the block size
    const outOffset = this.#baseOffset + this.#capacity * this.#padded;
    if (this.#kernel) {
      this.#kernel.scores(0, this.#baseOffset, blocks, this.#padded, outOffset);
      return new Int32Array(this.#kernel.memory.buffer, outOffset, n);
    }
    const b = this.#bytes,
      out = this.#out,
      chunks = this.#padded / 8;
    for (let f = 0; f < n; f++) {
      let s = 0;
      for (let c = 0; c < chunks; c++) {
        const at = this.#chunkAt(f, c);
        for (let k = 0; k < 8; k++) s += b[c * 8 + k]! * b[at + k]!;
      }
      out[f] = s;
    }
    return out;
  }
}
