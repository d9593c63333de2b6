/**
 * The service-model call envelope (seed 001 L33958-33966, L40128-40135):
 * `{"id","version":"1.0","request":{"apiVer"},"params":{…}}`, read as UTF-8 JSON whatever the
 * content type (the seed's self-test sends application/octet-stream). The bus checks the shape
 * only; the params belong to the app.
 */
export type EnvelopeCheck = { ok: true; id: string } | { ok: false; reason: string; id: string | undefined };

const str = (v: unknown, max: number): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;
const obj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function checkEnvelope(body: Buffer): EnvelopeCheck {
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, reason: 'the body is not JSON', id: undefined };
  }
  if (!obj(raw)) return { ok: false, reason: 'the body must be a JSON object', id: undefined };
  const id = str(raw.id, 128) ? raw.id : undefined;
  if (id === undefined) return { ok: false, reason: 'id: a string of 1-128 characters is required', id };
  if (!str(raw.version, 16)) return { ok: false, reason: 'version: required (e.g. "1.0")', id };
  if (!obj(raw.request) || !str(raw.request.apiVer, 16)) return { ok: false, reason: 'request.apiVer: required (e.g. "1.0")', id };
  if (raw.params !== undefined && !obj(raw.params)) return { ok: false, reason: 'params: must be an object', id };
  return { ok: true, id };
}

/** Content types the bus takes: JSON, and octet-stream carrying JSON (the seed's self-test). */
export function acceptedContentType(header: string | undefined): string | undefined {
  const base = (header ?? '').split(';')[0]?.trim().toLowerCase();
  return base === 'application/json' || base === 'application/octet-stream' ? (header as string) : undefined;
}
