/**
 * The box's RSA key pair for devices that encrypt a session key to the box (the indoor alarm
 * units' connect `ciphertext`, seed 001 L40731-40743). Generated on first start and kept in
 * dataDir/device-rsa-key.pem, readable by the box's user only, beside the other credentials;
 * installers load its public half into the units (`edge keys` prints it).
 *
 * 1024 bits: the seed's only real-looking key block is 128 bytes (L40862-40863, digest A5), and
 * units built against it may hold nothing larger. The key protects one AES key per connection on
 * the LAN; a box that must use a larger one replaces the file (any size Node can generate works).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../store/atomic-file.js';

export const DEVICE_RSA_BITS = 1024;

export const deviceKeyFile = (dataDir: string): string => join(dataDir, 'device-rsa-key.pem');

export interface DeviceKey {
  privateKey: KeyObject;
  /** SubjectPublicKeyInfo PEM (Java's X509EncodedKeySpec reads its Base64 body). */
  publicPem: string;
  file: string;
  bits: number;
}

function describe(file: string, privateKey: KeyObject): DeviceKey {
  const publicPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  return { privateKey, publicPem, file, bits: privateKey.asymmetricKeyDetails?.modulusLength ?? 0 };
}

/** The key if it exists (`edge keys` must not create one on a box that never started). */
export function readDeviceKey(dataDir: string): DeviceKey | undefined {
  const file = deviceKeyFile(dataDir);
  if (!existsSync(file)) return undefined;
  let key: KeyObject;
  try {
    key = createPrivateKey(readFileSync(file));
  } catch (err) {
    // Never replaced silently: units were loaded with its public half.
    throw new Error(
      `${file} is not a readable private key (${(err as Error).message}): restore it from a backup, or delete it to have the box generate a new one (every unit then needs the new public key)`,
    );
  }
  if (key.asymmetricKeyType !== 'rsa') throw new Error(`${file} is not an RSA key`);
  return describe(file, key);
}

export function ensureDeviceKey(dataDir: string): DeviceKey & { created: boolean } {
  const existing = readDeviceKey(dataDir);
  if (existing) return { ...existing, created: false };
  const file = deviceKeyFile(dataDir);
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: DEVICE_RSA_BITS });
  writeFileAtomic(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), 0o600);
  chmodSync(file, 0o600);
  return { ...describe(file, privateKey), created: true };
}
