/**
 * HTTP Digest authentication for SIP REGISTER (RFC 2617 with MD5, as GB/T 28181-2016 §9.1.2.1
 * prescribes; RFC 3261 §22.4). The box's nonces carry their issue time and an HMAC over it with a
 * secret of this process, so no table of issued nonces is kept: a nonce the box did not make fails,
 * one older than `nonceTtlMs` is answered with a fresh challenge marked `stale=true` (the camera
 * retries with the same credentials, §22.4 / RFC 2617 §3.2.1). With qop=auth a nonce count must
 * grow per nonce (a replayed response is refused); the table of counts is bounded.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface DigestCredentials {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  response: string;
  algorithm?: string;
  qop?: string;
  nc?: string;
  cnonce?: string;
  opaque?: string;
}

export type DigestCheck = { ok: true } | { ok: false; why: 'malformed' | 'foreign-nonce' | 'stale' | 'replay' | 'wrong' };

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

/** The parameters of an Authorization value `Digest a="b", c=d`; undefined when it is no Digest. */
export function parseAuthorization(value: string | undefined): DigestCredentials | undefined {
  if (!value || value.length > 2048) return undefined;
  const m = /^\s*Digest\s+(.*)$/is.exec(value);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /([A-Za-z-]+)\s*=\s*(?:"([^"]*)"|([^\s,]+))\s*(?:,|$)/g;
  for (let r = re.exec(m[1]!); r; r = re.exec(m[1]!)) params[r[1]!.toLowerCase()] = r[2] ?? r[3] ?? '';
  const { username, realm, nonce, uri, response } = params;
  if (username === undefined || realm === undefined || nonce === undefined || uri === undefined || !response) return undefined;
  return {
    username,
    realm,
    nonce,
    uri,
    response: response.toLowerCase(),
    ...(params.algorithm ? { algorithm: params.algorithm } : {}),
    ...(params.qop ? { qop: params.qop } : {}),
    ...(params.nc ? { nc: params.nc } : {}),
    ...(params.cnonce !== undefined ? { cnonce: params.cnonce } : {}),
    ...(params.opaque !== undefined ? { opaque: params.opaque } : {}),
  };
}

/** The response a client computes (RFC 2617 §3.2.2.1), for tests and the simulator. */
export function digestResponse(c: Omit<DigestCredentials, 'response'>, method: string, password: string): string {
  const ha1 = md5(`${c.username}:${c.realm}:${password}`);
  const ha2 = md5(`${method}:${c.uri}`);
  return c.qop ? md5(`${ha1}:${c.nonce}:${c.nc ?? ''}:${c.cnonce ?? ''}:${c.qop}:${ha2}`) : md5(`${ha1}:${c.nonce}:${ha2}`);
}

const MAX_COUNTS = 8192;

export class DigestAuth {
  readonly #secret = randomBytes(32);
  readonly #realm: string;
  readonly #ttl: number;
  readonly #now: () => number;
  /** nonce → last nonce count seen (qop=auth); oldest first. */
  readonly #counts = new Map<string, number>();

  constructor(realm: string, nonceTtlMs: number, now: () => number = Date.now) {
    this.#realm = realm;
    this.#ttl = nonceTtlMs;
    this.#now = now;
  }

  get realm(): string {
    return this.#realm;
  }

  #sign(issued: string): string {
    return createHmac('sha256', this.#secret).update(issued).digest('hex').slice(0, 24);
  }

  /**
   * Issue time (hex ms) and 8 random hex digits, signed: unique even when many cameras are
   * challenged in the same millisecond (a registration storm), whose equal nonces would otherwise
   * share one nonce count and refuse all but the first camera as a replay.
   */
  nonce(): string {
    const issued = `${this.#now().toString(16)}${randomBytes(4).toString('hex')}`;
    return `${issued}${this.#sign(issued)}`;
  }

  /** The WWW-Authenticate value of a challenge. */
  challenge(stale = false): string {
    return `Digest realm="${this.#realm}", nonce="${this.nonce()}", algorithm=MD5, qop="auth"${stale ? ', stale=true' : ''}`;
  }

  /** Whether `c` proves the password for `method`; the nonce must be the box's and fresh. */
  check(c: DigestCredentials, method: string, password: string): DigestCheck {
    if (c.algorithm && c.algorithm.toUpperCase() !== 'MD5') return { ok: false, why: 'malformed' };
    if (c.qop && (c.qop !== 'auth' || !/^[0-9a-fA-F]{8}$/.test(c.nc ?? '') || !c.cnonce)) return { ok: false, why: 'malformed' };
    const issued = c.nonce.slice(0, -24);
    const sig = Buffer.from(c.nonce.slice(-24));
    if (!/^[0-9a-f]{9,21}$/.test(issued) || !timingSafeEqual(sig.length === 24 ? sig : Buffer.alloc(24), Buffer.from(this.#sign(issued))))
      return { ok: false, why: 'foreign-nonce' };
    const want = Buffer.from(digestResponse(c, method, password));
    const got = Buffer.from(c.response);
    if (got.length !== want.length || !timingSafeEqual(got, want)) return { ok: false, why: 'wrong' };
    if (this.#now() - Number.parseInt(issued.slice(0, -8), 16) > this.#ttl) return { ok: false, why: 'stale' };
    if (c.qop) {
      const nc = Number.parseInt(c.nc!, 16);
      const last = this.#counts.get(c.nonce) ?? 0;
      if (nc <= last) return { ok: false, why: 'replay' };
      this.#counts.delete(c.nonce);
      this.#counts.set(c.nonce, nc);
      if (this.#counts.size > MAX_COUNTS) this.#counts.delete(this.#counts.keys().next().value!);
    }
    return { ok: true };
  }
}
