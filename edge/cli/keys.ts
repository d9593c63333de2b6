/**
 * `edge keys`: the box's public keys for installers. Today one: the device RSA key the indoor
 * alarm units encrypt their session key to (docs/security-devices.md). The private half is never
 * printed; the key is not created here (the daemon creates it on first start, as the box's user,
 * so a command run as another user cannot leave a file the daemon cannot read).
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.js';
import { readDeviceKey } from '../keys/device-rsa.js';

const USAGE = `usage: edge keys [-c box.yaml] [--json]
  prints the public half of the box's device RSA key (PEM, its Base64 body for units that take
  Java's X509EncodedKeySpec, size and SHA-256 fingerprint)
`;

export async function keysCommand(args: string[]): Promise<number> {
  let values: { config?: string; json?: boolean };
  try {
    ({ values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' }, json: { type: 'boolean' } } }));
  } catch (err) {
    process.stderr.write(`edge keys: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { config, baseDir } = loadConfig(values.config ?? process.env.EDGE_CONFIG);
  const dataDir = resolve(baseDir, config.box.dataDir);
  let key;
  try {
    key = readDeviceKey(dataDir);
  } catch (err) {
    process.stderr.write(`edge keys: ${(err as Error).message}\n`);
    return 1;
  }
  if (!key) {
    process.stderr.write(
      `edge keys: no device key in ${dataDir} yet: start the box once (it generates the key on first start), then run this again\n`,
    );
    return 1;
  }
  const base64 = key.publicPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const fingerprint = createHash('sha256').update(Buffer.from(base64, 'base64')).digest('hex');
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ deviceRsa: { bits: key.bits, publicKeyPem: key.publicPem, publicKeyBase64: base64, sha256: fingerprint } })}\n`,
    );
    return 0;
  }
  process.stdout.write(
    `device RSA key (indoor alarm units, encrypted mode): ${key.bits} bits, SHA-256 ${fingerprint}\n${key.publicPem}Base64 (X509EncodedKeySpec): ${base64}\n`,
  );
  return 0;
}
