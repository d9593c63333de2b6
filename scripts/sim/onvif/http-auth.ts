/**
 * HTTP Digest as the simulated camera asks for it (RFC 2617 MD5, qop=auth): a 401 challenge with a
 * fresh nonce, and the check of a request's `Authorization` against the nonces handed out.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { digestResponse, parseDigestParams } from '../../../protocols/onvif/http-digest.js';

const REALM = 'onvif-sim';

export class DigestGuard {
  readonly #nonces = new Set<string>();

  constructor(
    readonly username: string,
    readonly password: string,
  ) {}

  challenge(res: ServerResponse): void {
    const nonce = randomBytes(12).toString('hex');
    if (this.#nonces.size > 1000) this.#nonces.clear();
    this.#nonces.add(nonce);
    res.writeHead(401, { 'www-authenticate': `Digest realm="${REALM}", qop="auth", nonce="${nonce}", algorithm=MD5` });
    res.end();
  }

  /** Whether the request carries a valid HTTP Digest `Authorization` for our user. */
  ok(req: IncomingMessage): boolean {
    const p = parseDigestParams(req.headers.authorization);
    if (!p || p.username !== this.username || !p.nonce || !this.#nonces.has(p.nonce) || p.realm !== REALM) return false;
    const want = digestResponse({
      username: this.username,
      password: this.password,
      realm: REALM,
      nonce: p.nonce,
      method: req.method ?? 'GET',
      uri: p.uri ?? '',
      ...(p.qop ? { qop: p.qop, nc: p.nc ?? '', cnonce: p.cnonce ?? '' } : {}),
    });
    return want === p.response;
  }
}
