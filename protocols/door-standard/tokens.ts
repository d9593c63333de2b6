/**
 * Tokens a server side issues at `/connect` (seed 001 L35008-35016): ≤64 bytes, one per
 * connection, and a new connect of the same peer supersedes its previous token (spec 001f R9).
 * The format follows the seed's example: a random UUID plus the peer IP with dashes.
 */
import { randomUUID } from 'node:crypto';

export function newToken(ip: string): string {
  return `${randomUUID()}-${ip.replace(/[.:]/g, '-')}`.slice(0, 64);
}

export class TokenTable<P> {
  readonly #byToken = new Map<string, P>();
  readonly #byPeer = new Map<string, string>();

  /** Issue a fresh token for `peerKey`, revoking the one it held. */
  issue(peerKey: string, ip: string, peer: P): string {
    this.revoke(peerKey);
    const token = newToken(ip);
    this.#byToken.set(token, peer);
    this.#byPeer.set(peerKey, token);
    return token;
  }

  /** The peer a token belongs to, or undefined when it is unknown, superseded or revoked. */
  lookup(token: string | undefined): P | undefined {
    return token === undefined ? undefined : this.#byToken.get(token);
  }

  revoke(peerKey: string): void {
    const old = this.#byPeer.get(peerKey);
    if (old !== undefined) this.#byToken.delete(old);
    this.#byPeer.delete(peerKey);
  }

  get size(): number {
    return this.#byToken.size;
  }
}
