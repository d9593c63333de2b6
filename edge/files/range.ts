/**
 * One `Range: bytes=…` of a download (RFC 9110 §14): `a-b`, `a-` or `-n` against the file's size.
 * Several ranges at once are not served as such: the whole file comes back (200), which RFC 9110
 * allows. Another unit is ignored the same way. A `bytes=` range that is malformed or lies
 * outside the file is unsatisfiable (416).
 */
export type RangeAnswer = { start: number; end: number } | 'unsatisfiable' | undefined;

export function parseRange(header: string | undefined, size: number): RangeAnswer {
  if (header === undefined) return undefined;
  const h = header.trim();
  if (!/^bytes=/i.test(h)) return undefined;
  const spec = h.slice('bytes='.length);
  if (spec.includes(',')) return undefined;
  const m = /^\s*(\d{0,15})\s*-\s*(\d{0,15})\s*$/.exec(spec);
  if (!m || (m[1] === '' && m[2] === '')) return 'unsatisfiable';
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Number(m[2]);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end: Math.min(end, size - 1) };
}

/** `If-None-Match`: true when it names this ETag (weak comparison, lists, `*`). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === bare);
}
