/**
 * Local-bus credentials when the config names no user: generated once per box, random, kept in
 * dataDir/bus-credentials.json readable by the box's user only. There is no default password.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BusUser } from './broker.js';

export const credentialsFile = (dataDir: string): string => join(dataDir, 'bus-credentials.json');

export function ensureBusCredentials(dataDir: string): BusUser {
  const file = credentialsFile(dataDir);
  if (existsSync(file)) {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<BusUser>;
    if (typeof parsed.username === 'string' && typeof parsed.password === 'string') return { username: parsed.username, password: parsed.password };
  }
  const user = { username: 'edge-local', password: randomBytes(18).toString('base64url') };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(user, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return user;
}
