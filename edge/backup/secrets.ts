/**
 * The box's keys and secrets in a backup, sealed with the installer's passphrase: scrypt
 * (N 2^15, r 8, p 1) derives an AES-256-GCM key; the GCM tag makes a wrong passphrase or a
 * changed byte fail loudly instead of restoring garbage. Without a passphrase nothing here
 * enters the backup, and the manifest names what was left out.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';

/** Files in the data folder that are secrets (relative paths). */
export const SECRET_FILES = ['device-rsa-key.pem', 'bus-credentials.json', 'app-credentials.json'] as const;
/** Database tables whose rows are secrets (left out of the snapshot, sealed here). */
export const SECRET_TABLES = ['cloud_subdevice_secrets'] as const;

export interface SecretBundle {
  files: Record<string, string>; // relative path → base64
  tables: Record<string, Array<Record<string, unknown>>>;
}

interface Sealed {
  kdf: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
  iv: string;
  tag: string;
  data: string;
}

const KDF = { N: 2 ** 15, r: 8, p: 1 };

function keyOf(passphrase: string, salt: Buffer, k: { N: number; r: number; p: number }): Buffer {
  return scryptSync(passphrase, salt, 32, { N: k.N, r: k.r, p: k.p, maxmem: 128 * k.N * k.r * 2 });
}

export function sealSecrets(bundle: SecretBundle, passphrase: string): Buffer {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(passphrase, salt, KDF), iv);
  const data = Buffer.concat([cipher.update(JSON.stringify(bundle)), cipher.final()]);
  const sealed: Sealed = {
    kdf: 'scrypt',
    ...KDF,
    salt: salt.toString('base64'),
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  };
  return Buffer.from(JSON.stringify(sealed));
}

/** Throws Error with a reason an installer understands (wrong passphrase, damaged). */
export function openSecrets(raw: Buffer, passphrase: string): SecretBundle {
  let s: Sealed;
  try {
    s = JSON.parse(raw.toString('utf8')) as Sealed;
  } catch {
    throw new Error('secrets.enc is not readable');
  }
  const sane = (n: unknown, max: number) => Number.isInteger(n) && (n as number) > 0 && (n as number) <= max;
  if (s.kdf !== 'scrypt' || !sane(s.N, 2 ** 20) || !sane(s.r, 32) || !sane(s.p, 16)) throw new Error('secrets.enc: unknown key derivation');
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyOf(passphrase, Buffer.from(s.salt, 'base64'), s), Buffer.from(s.iv, 'base64'));
    decipher.setAuthTag(Buffer.from(s.tag, 'base64'));
    const plain = Buffer.concat([decipher.update(Buffer.from(s.data, 'base64')), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as SecretBundle;
  } catch {
    throw new Error('the passphrase does not open the backup’s secrets (wrong passphrase, or the file was changed)');
  }
}
