/** Test vectors for the face index: reproducible random features and an independent int8 reference. */
/** n × dims values in [-0.5, 0.5) in one flat buffer (integer LCG: fast and reproducible). */
export function randomVectors(n: number, dims: number, seed: number): Float32Array {
  const out = new Float32Array(n * dims);
  let x = seed | 0;
  for (let i = 0; i < out.length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) | 0;
    out[i] = x / 2 ** 32;
  }
  return out;
}

/** Plain int8 rounding with a per-vector scale (what the index scans), written independently. */
export function quantize(u: Float32Array): { bytes: Int8Array; inv: number } {
  const max = u.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  return { bytes: Int8Array.from(u, (x) => Math.round((x * 127) / max)), inv: max / 127 };
}

/** The best row by int8 dot product, scaled back (a reference the index is checked against). */
export function int8Best(rows: Array<{ bytes: Int8Array; inv: number }>, q: { bytes: Int8Array; inv: number }): number {
  let best = -1,
    bestScore = -Infinity;
  rows.forEach((r, i) => {
    let s = 0;
    for (let k = 0; k < q.bytes.length; k++) s += q.bytes[k]! * r.bytes[k]!;
    if (s * r.inv > bestScore) [best, bestScore] = [i, s * r.inv];
  });
  return best;
}
