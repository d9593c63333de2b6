/**
 * The `/connect` signature (seed 001 L34980-34994): a digest of
 * `"TIME{time}MAC{mac}SN{sn}IP{ip}"`. The seed's own example (L35021-35029) only reproduces
 * when the braces are kept literally: md5 → 4db51117ad87cef349f45a3b14c05142. There is no
 * secret, so the sign is an integrity check, not authentication (spec 001f A1).
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export type SignMethod = 'md5' | 'sha1' | 'sha256';
/** `braces` is what the seed's example proves; `plain` is the prose reading, accepted on request. */
export type SignForm = 'braces' | 'plain';

export interface SignFields {
  time: number;
  mac: string;
  sn: string;
  ip: string;
}

export function signContent(f: SignFields, form: SignForm = 'braces'): string {
  const t = String(f.time); // "time要转换成string类型" (L34993)
  return form === 'braces' ? `TIME{${t}}MAC{${f.mac}}SN{${f.sn}}IP{${f.ip}}` : `TIME${t}MAC${f.mac}SN${f.sn}IP${f.ip}`;
}

export function computeSign(method: SignMethod, f: SignFields, form: SignForm = 'braces'): string {
  return createHash(method).update(signContent(f, form), 'utf8').digest('hex');
}

/**
 * The value set is `{ md5, sha1, sha256 }` (L34983) but the prose says MD5, SHA-1, SHA-256:
 * compare case-insensitively and accept the dashed spellings (spec 001f A2).
 */
export function parseSignMethod(raw: string): SignMethod | undefined {
  const m = raw.toLowerCase().replace('-', '');
  return m === 'md5' || m === 'sha1' || m === 'sha256' ? m : undefined;
}

/** True when `sign` (hex, any case) matches one of the accepted forms. Constant-time compare. */
export function verifySign(method: SignMethod, f: SignFields, sign: string, forms: readonly SignForm[] = ['braces']): boolean {
  const given = Buffer.from(sign.toLowerCase(), 'utf8');
  return forms.some((form) => {
    const want = Buffer.from(computeSign(method, f, form), 'utf8');
    return want.length === given.length && timingSafeEqual(want, given);
  });
}
