/**
 * HTTP Digest authentication (RFC 7616 with MD5, qop=auth), client side: the answer to one
 * `WWW-Authenticate: Digest …` challenge. ONVIF cameras protect snapshot URIs with it (ONVIF
 * Core, HTTP digest); the simulator checks it with `digestResponse` too.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface DigestChallenge {
  realm: string;
  nonce: string;
  qop?: string;
  opaque?: string;
  algorithm?: string;
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** The parameters of a `Digest` challenge or credentials header; undefined when it is not Digest. */
export function parseDigestParams(header: string | undefined): Record<string, string> | undefined {
  if (!header || !/^\s*Digest\s/i.test(header)) return undefined;
  const out: Record<string, string> = {};
  const re = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;
  for (const m of header.slice(header.search(/Digest/i) + 6).matchAll(re)) out[m[1]!.toLowerCase()] = m[2] ?? m[3] ?? '';
  return out;
}

export function parseChallenge(header: string | undefined): DigestChallenge | undefined {
  const p = parseDigestParams(header);
  if (!p?.realm || !p.nonce) return undefined;
  if (p.algorithm && p.algorithm.toUpperCase() !== 'MD5') return undefined;
  return { realm: p.realm, nonce: p.nonce, qop: p.qop, opaque: p.opaque, algorithm: p.algorithm };
}

/** The `response` value for one request (RFC 7616 §3.4.1). */
export function digestResponse(a: {
  username: string;
  password: string;
  realm: string;
  nonce: string;
  method: string;
  uri: string;
  qop?: string;
  nc?: string;
  cnonce?: string;
}): string {
  const ha1 = md5(`${a.username}:${a.realm}:${a.password}`);
  const ha2 = md5(`${a.method}:${a.uri}`);
  return a.qop ? md5(`${ha1}:${a.nonce}:${a.nc}:${a.cnonce}:${a.qop}:${ha2}`) : md5(`${ha1}:${a.nonce}:${ha2}`);
}

/** The `Authorization` header answering `c` for `method uri`. */
export function authorization(c: DigestChallenge, user: { username: string; password: string }, method: string, uri: string): string {
  const qop = c.qop
    ?.split(',')
    .map((q) => q.trim())
    .includes('auth')
    ? 'auth'
    : undefined;
  const nc = '00000001';
  const cnonce = randomBytes(8).toString('hex');
  const response = digestResponse({ ...user, realm: c.realm, nonce: c.nonce, method, uri, qop, nc, cnonce });
  const q = (s: string) => s.replace(/["\\]/g, '\\$&');
  const parts = [
    `username="${q(user.username)}"`,
    `realm="${q(c.realm)}"`,
    `nonce="${q(c.nonce)}"`,
    `uri="${q(uri)}"`,
    `response="${response}"`,
  ];
  if (qop) parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce="${cnonce}"`);
  if (c.opaque !== undefined) parts.push(`opaque="${q(c.opaque)}"`);
  return `Digest ${parts.join(', ')}`;
}
