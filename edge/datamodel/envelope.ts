/**
 * The request envelope of the platform's API [seed 001 L40128-40135; digest 001g R47]:
 * `{"id", "version": "1.0", "request": {"apiVer"}, "params": {…}}`, read as UTF-8 JSON whatever the
 * Content-Type. `id` is echoed in the answer so the caller can match it.
 */
import { dmError } from './codes.js';

/** API versions accepted: the platform's insert (0.0.3), upload (0.0.1) and the seed sample's 1.0. */
export const API_VERSIONS = new Set(['0.0.1', '0.0.3', '0.0.4', '0.0.5', '1.0']);

export interface Envelope {
  id: string | undefined;
  apiVer: string;
  params: Record<string, unknown>;
}

/** The request id, if there is one to echo, even from an envelope that fails its checks. */
export function requestIdOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const id = (body as Record<string, unknown>).id;
  return typeof id === 'string' && id.length <= 128 ? id : typeof id === 'number' && Number.isFinite(id) ? String(id) : undefined;
}

export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw dmError('param', 'request parameter error.: the body is not JSON');
  }
}

export function checkEnvelope(body: unknown): Envelope {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw dmError('param', 'request parameter error.: the body must be a JSON object');
  const b = body as Record<string, unknown>;
  const id = requestIdOf(b);
  if (b.id !== undefined && id === undefined)
    throw dmError('param', 'request parameter error.: id must be a string of at most 128 characters');
  if (b.version !== undefined && typeof b.version !== 'string')
    throw dmError('param', 'request parameter error.: version must be a string');
  const request = b.request;
  if (typeof request !== 'object' || request === null || Array.isArray(request))
    throw dmError('param', 'request parameter error.: request is blank');
  const apiVer = (request as Record<string, unknown>).apiVer;
  if (typeof apiVer !== 'string' || !API_VERSIONS.has(apiVer))
    throw dmError('param', `request parameter error.: request.apiVer must be one of ${[...API_VERSIONS].join(', ')}`);
  const params = b.params;
  if (typeof params !== 'object' || params === null || Array.isArray(params))
    throw dmError('param', 'request parameter error.: params is blank');
  return { id, apiVer, params: params as Record<string, unknown> };
}
