/**
 * Reading what a door scanned: a plain code, or an encrypted QR code — a base64 RSA block
 * made with the cloud's private key, opened with the door's `RSAPublicKey` (PKCS#1 v1.5) to
 * `code:timestamp`, timestamp in seconds [seed 001 L1487-1548, test vectors L2362-2371].
 */
import { constants, createPublicKey, publicDecrypt, type KeyObject } from 'node:crypto';

export type ScannedQr =
  | { kind: 'plain'; code: string }
  | { kind: 'encrypted'; code: string; validUntilMs: number }
  | { kind: 'unreadable'; reason: string };

/** Parse a base64 DER SubjectPublicKeyInfo (the seed's form) or a PEM public key. */
export function parseRsaPublicKey(text: string): KeyObject {
  const t = text.trim();
  const key = t.startsWith('-----BEGIN')
    ? createPublicKey(t)
    : createPublicKey({ key: Buffer.from(t, 'base64'), format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'rsa') throw new Error(`not an RSA key (${key.asymmetricKeyType})`);
  return key;
}

export function modulusBytes(key: KeyObject): number {
  return Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Decide what was scanned. A string is taken as encrypted only when a key is known and it is
 * base64 of exactly one RSA block; anything else is a plain code (32 characters from the
 * cloud's generator, 16 in the seed's examples).
 */
export function readScannedQr(raw: string, key: KeyObject | undefined): ScannedQr {
  const text = raw.trim();
  if (text.length === 0 || text.length > 1024) return { kind: 'unreadable', reason: 'empty or oversized QR content' };
  if (key && text.length >= 24 && BASE64.test(text)) {
    const block = Buffer.from(text, 'base64');
    if (block.length === modulusBytes(key)) {
      let plain: string;
      try {
        plain = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, block).toString('utf8');
      } catch {
        return { kind: 'unreadable', reason: "encrypted QR does not decrypt with this door's RSAPublicKey" };
      }
      const m = /^([^:]{1,128}):(\d{1,12})$/.exec(plain);
      if (!m) return { kind: 'unreadable', reason: 'decrypted QR is not code:timestamp' };
      return { kind: 'encrypted', code: m[1]!, validUntilMs: Number(m[2]) * 1000 };
    }
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
  if (/[\u0000-\u001f]/.test(text) || text.length > 128) return { kind: 'unreadable', reason: 'not a QR permission code' };
  return { kind: 'plain', code: text };
}
