/**
 * The protocol's key block and payload encryption (seed 001 L40731-40743, digest R15):
 *
 * - connect's `ciphertext` is Base64(RSA/ECB/PKCS1Padding(16-byte AES key)) under the box's
 *   public key. Node 20 refuses `privateDecrypt` with PKCS#1 v1.5 padding (the Marvin-attack
 *   mitigation) and we do not turn that off process-wide: the block is decrypted raw
 *   (RSA_NO_PADDING) and unpadded here in constant time, with implicit rejection — a block whose
 *   padding is wrong yields a key derived from the block and a per-process secret instead of an
 *   error, so neither the answer nor its timing tells a prober whether the padding was valid
 *   (the unit then simply cannot talk to the box with that key).
 * - every later payload is Base64(AES-128-ECB/PKCS7(JSON)) with that key, both directions
 *   (Java's PKCS5Padding is PKCS7 for 16-byte blocks, digest A6).
 */
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHmac,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  type KeyObject,
} from 'node:crypto';

export const AES_KEY_BYTES = 16;

/** Secret of this process for implicit rejection (a new one per start is enough: keys are per connection). */
const REJECTION_SECRET = randomBytes(32);

/** Strict Base64 (the standard alphabet, padded): anything else is refused before decrypting. */
export function decodeBase64(s: string): Buffer | undefined {
  if (s.length === 0 || s.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(s)) return undefined;
  return Buffer.from(s, 'base64');
}

/**
 * The AES key in an RSA/ECB/PKCS1Padding block. Undefined only for what is visible without the
 * private key (not Base64, wrong length); a block that decrypts to bad padding gives a
 * pseudo-random key (implicit rejection, see above).
 */
export function decryptKeyBlock(privateKey: KeyObject, ciphertextB64: string): Buffer | undefined {
  const block = decodeBase64(ciphertextB64);
  const k = Math.ceil((privateKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  if (!block || block.length !== k || k < AES_KEY_BYTES + 11) return undefined;
  let em: Buffer;
  try {
    em = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, block);
  } catch {
    return undefined; // block ≥ modulus: visible from the public key alone
  }
  return unpadKeyBlock(em, createHmac('sha256', REJECTION_SECRET).update(block).digest().subarray(0, AES_KEY_BYTES));
}

/**
 * EME-PKCS1-v1_5 decoding of a block that must carry exactly AES_KEY_BYTES: 00 02 PS(≥8 non-zero) 00 M.
 * Every byte is looked at and the result is chosen with masks, not branches.
 */
export function unpadKeyBlock(em: Buffer, rejectionKey: Buffer): Buffer {
  const k = em.length;
  const sep = k - AES_KEY_BYTES - 1;
  let bad = em[0]! | (em[1]! ^ 2) | em[sep]!;
  for (let i = 2; i < sep; i++) {
    // (x - 1) >> 8 is all ones exactly when x is 0 (x a byte).
    bad |= ((em[i]! - 1) >> 8) & 1;
  }
  // bad != 0 → mask 0xff (take the rejection key); bad == 0 → mask 0.
  const mask = (-((bad | -bad) >>> 31) & 0xff) >>> 0;
  const out = Buffer.alloc(AES_KEY_BYTES);
  for (let i = 0; i < AES_KEY_BYTES; i++) out[i] = (em[sep + 1 + i]! & ~mask) | (rejectionKey[i]! & mask);
  return out;
}

/** The unit's side: the key block for `key` under the box's public key (PKCS#1 v1.5 encryption is allowed). */
export function encryptKeyBlock(publicKey: KeyObject | string, key: Buffer): string {
  return publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, key).toString('base64');
}

export function aesEncrypt(key: Buffer, plaintext: string): string {
  const c = createCipheriv('aes-128-ecb', key, null);
  return Buffer.concat([c.update(plaintext, 'utf8'), c.final()]).toString('base64');
}

/** The plaintext, or undefined when the ciphertext is not Base64, not whole blocks, or its padding is wrong. */
export function aesDecrypt(key: Buffer, ciphertextB64: string): string | undefined {
  const data = decodeBase64(ciphertextB64);
  if (!data || data.length % 16 !== 0) return undefined;
  try {
    const d = createDecipheriv('aes-128-ecb', key, null);
    return Buffer.concat([d.update(data), d.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
