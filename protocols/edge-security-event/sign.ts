/**
 * The appAuthentication sign (seed 001 L41547-41562): a digest of
 * `"TIME{time}MAC{mac}IP{ip}MANUFACTURE{DH}"`, where "the braces hold the values, the text outside
 * them is the names" and time is turned into a string. Read as the prose says, the signed text is
 * `TIME1589472000MAC00-…IP192.168.1.2MANUFACTUREDH` (the `plain` form); the sibling door protocol
 * has the same wording and its only full example verifies with the braces kept (protocols/
 * door-standard/sign.ts, L35028), so the box accepts both forms and either hex case, and signs
 * with the plain form itself. The seed's own example sign is redacted (`4db511**42`). Only MD5 is
 * supported (L41543: "目前支持MD5"); signMethod is compared case-insensitively (the example says
 * `md5`). There is no secret: the sign is an integrity check, the configured source address and
 * vendor are what admit an adapter.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export type SignForm = 'plain' | 'braces';

export interface AuthSignFields {
  time: number;
  mac: string;
  ip: string;
  manufacture: string;
}

export function authSignContent(f: AuthSignFields, form: SignForm = 'plain'): string {
  const t = String(f.time);
  return form === 'plain'
    ? `TIME${t}MAC${f.mac}IP${f.ip}MANUFACTURE${f.manufacture}`
    : `TIME{${t}}MAC{${f.mac}}IP{${f.ip}}MANUFACTURE{${f.manufacture}}`;
}

/** Lower-case hex MD5 of the content in `form` (plain unless told). */
export function computeAuthSign(f: AuthSignFields, form: SignForm = 'plain'): string {
  return createHash('md5').update(authSignContent(f, form), 'utf8').digest('hex');
}

/** `md5` in any case; the other methods the table names are not supported (L41543). */
export function isSupportedSignMethod(method: string): boolean {
  return method.toLowerCase() === 'md5';
}

/** True when `sign` (hex, either case) is the MD5 of either form. Constant-time compare. */
export function verifyAuthSign(f: AuthSignFields, sign: string): boolean {
  const given = Buffer.from(sign.toLowerCase(), 'utf8');
  let ok = false;
  for (const form of ['plain', 'braces'] as const) {
    const want = Buffer.from(computeAuthSign(f, form), 'utf8');
    if (want.length === given.length && timingSafeEqual(want, given)) ok = true;
  }
  return ok;
}
