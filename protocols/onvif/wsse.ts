/**
 * WS-Security UsernameToken with PasswordDigest (OASIS WSS UsernameToken Profile 1.0 §3.1, as
 * ONVIF Core's security chapter requires): digest = Base64(SHA-1(nonce + created + password)). The camera
 * simulator checks it; the `onvif` package computes the client side itself.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export function passwordDigest(nonceBase64: string, created: string, password: string): string {
  return createHash('sha1')
    .update(Buffer.concat([Buffer.from(nonceBase64, 'base64'), Buffer.from(created, 'utf8'), Buffer.from(password, 'utf8')]))
    .digest('base64');
}

export interface UsernameToken {
  username: string;
  digest: string;
  nonce: string;
  created: string;
}

/** Whether the token proves `password`; `created` must lie within `skewMs` of `now` (replay window). */
export function verifyUsernameToken(t: UsernameToken, password: string, now = Date.now(), skewMs = 5 * 60_000): boolean {
  const at = Date.parse(t.created);
  if (!Number.isFinite(at) || Math.abs(now - at) > skewMs) return false;
  const want = Buffer.from(passwordDigest(t.nonce, t.created, password));
  const got = Buffer.from(t.digest);
  return want.length === got.length && timingSafeEqual(want, got);
}
