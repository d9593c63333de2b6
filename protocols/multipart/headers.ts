/**
 * A form-data part's header block: `Content-Disposition: form-data; name="…"[; filename="…"]`
 * (RFC 7578 §4.2) and an optional `Content-Type`. Returns the reason as a string when the block
 * is not one a form would send.
 */
export interface PartHeaders {
  /** The form field's name. */
  name: string;
  /** Present for a file part (may be empty: a browser sends `filename=""` for no file). */
  filename?: string;
  contentType?: string;
}

/** `key=value` parameters after the first `;`, values plain or quoted (`\"` and `\\` unescaped). */
function params(text: string): Map<string, string> | string {
  const out = new Map<string, string>();
  const re = /;\s*([A-Za-z0-9!#$&+.^_`|~-]+\*?)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;"]*))\s*/y;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) return 'malformed Content-Disposition parameters';
    const key = (m[1] ?? '').toLowerCase();
    const value = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
    if (!out.has(key)) out.set(key, value);
    at = re.lastIndex;
  }
  return out;
}

/** RFC 5987 `filename*=utf-8''percent-encoded`. */
function extended(value: string): string | undefined {
  const m = /^utf-8'[^']*'(.*)$/i.exec(value);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1] ?? '');
  } catch {
    return undefined;
  }
}

export function parsePartHeaders(block: string): PartHeaders | string {
  let disposition: string | undefined;
  let contentType: string | undefined;
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) return 'malformed part header line';
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'content-disposition') disposition = value;
    else if (key === 'content-type') contentType = value;
  }
  if (!disposition) return 'a part without Content-Disposition';
  const semi = disposition.indexOf(';');
  if ((semi < 0 ? disposition : disposition.slice(0, semi)).trim().toLowerCase() !== 'form-data') return 'a part that is not form-data';
  const p = params(semi < 0 ? '' : disposition.slice(semi));
  if (typeof p === 'string') return p;
  const name = p.get('name');
  if (name === undefined || name === '') return 'a part without a field name';
  const star = p.get('filename*');
  const filename = (star !== undefined ? extended(star) : undefined) ?? p.get('filename');
  return { name, ...(filename !== undefined ? { filename } : {}), ...(contentType ? { contentType } : {}) };
}
