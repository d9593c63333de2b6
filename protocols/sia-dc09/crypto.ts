/**
 * DC-09 encryption (§5.4.6, "*" id tokens): AES in CBC mode with an all-zero IV and the
 * account's 128-, 192- or 256-bit key. What is encrypted is everything after the data block's
 * opening `[` up to the end of the timestamp, preceded by a pad and a `|`: the pad is 0-15
 * pseudo-random characters other than `|`, `[` and `]`, as many as make the whole a multiple of
 * 16 bytes, so no cipher padding is needed. The ciphertext travels as upper-case hex.
 */
import { createCipheriv, createDecipheriv, randomInt } from 'node:crypto';

const IV = Buffer.alloc(16);
const PAD_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export class Dc09CryptoError extends Error {}

function algorithm(key: Buffer): string {
  if (key.length === 16 || key.length === 24 || key.length === 32) return `aes-${key.length * 8}-cbc`;
  throw new Dc09CryptoError(`an AES key is 16, 24 or 32 bytes, not ${key.length}`);
}

/** The pad for `text`: 0-15 characters so that pad + `|` + text is a whole number of blocks. */
export function padFor(text: string, random: (n: number) => number = randomInt): string {
  const n = (16 - ((Buffer.byteLength(text, 'latin1') + 1) % 16)) % 16;
  let pad = '';
  for (let i = 0; i < n; i++) pad += PAD_CHARS[random(PAD_CHARS.length)];
  return pad;
}

/** Hex ciphertext of pad + `|` + `text` (`pad` fixed for test vectors, random otherwise). */
export function encryptBody(key: Buffer, text: string, pad = padFor(text)): string {
  const plain = Buffer.from(`${pad}|${text}`, 'latin1');
  if (plain.length % 16 !== 0) throw new Dc09CryptoError('pad does not fill the last block');
  const c = createCipheriv(algorithm(key), key, IV);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(plain), c.final()])
    .toString('hex')
    .toUpperCase();
}

/** The text after the pad and its `|`; throws Dc09CryptoError on anything that is not such a ciphertext. */
export function decryptBody(key: Buffer, hex: string): string {
  if (hex.length === 0 || hex.length % 32 !== 0 || !/^[0-9A-Fa-f]+$/.test(hex))
    throw new Dc09CryptoError('encrypted data is not whole AES blocks of hex');
  const d = createDecipheriv(algorithm(key), key, IV);
  d.setAutoPadding(false);
  const plain = Buffer.concat([d.update(Buffer.from(hex, 'hex')), d.final()]).toString('latin1');
  const bar = plain.indexOf('|');
  // A wrong key gives bytes without a bar inside the pad's reach, or non-printable ones after it.
  if (bar < 0 || bar > 15) throw new Dc09CryptoError('no pad separator: wrong key or corrupted data');
  const text = plain.slice(bar + 1);
  if (!/^[\x20-\x7e]*$/.test(text)) throw new Dc09CryptoError('decrypted data is not printable: wrong key or corrupted data');
  return text;
}

/** A key as installers write it: 32, 48 or 64 hex characters. */
export function parseKey(hex: string): Buffer {
  if (!/^([0-9A-Fa-f]{32}|[0-9A-Fa-f]{48}|[0-9A-Fa-f]{64})$/.test(hex)) throw new Dc09CryptoError('key: 32, 48 or 64 hex characters');
  return Buffer.from(hex, 'hex');
}
