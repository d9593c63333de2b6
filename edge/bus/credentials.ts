/**
 * Local-bus credentials when the config names no user: generated once per box, random, kept in
 * dataDir/bus-credentials.json readable by the box's user only. There is no default password.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../store/atomic-file.js';
import type { BusUser } from './broker.js';

export const credentialsFile = (dataDir: string): string => join(dataDir, 'bus-credentials.json');

/**
 * The box's bus user, generated on first start. A file that cannot be read as credentials
 * (damaged, emptied by an old crash, edited by hand) is refused with its name and the fix, never
 * replaced silently: local apps were given the password in it.
 */
export function ensureBusCredentials(dataDir: string): BusUser {
  const file = credentialsFile(dataDir);
  if (existsSync(file)) {
    let parsed: Partial<BusUser> | undefined;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<BusUser>;
    } catch (err) {
      throw new Error(
        `${file} is not readable as local-bus credentials (${(err as Error).message}): delete it to have the box generate new ones (local apps then need the new password), or restore it from a backup`,
      );
    }
    if (typeof parsed?.username === 'string' && typeof parsed.password === 'string' && parsed.username !== '' && parsed.password !== '')
      return { username: parsed.username, password: parsed.password };
    throw new Error(
      `${file} has no username and password: delete it to have the box generate new ones (local apps then need the new password), or restore it from a backup`,
    );
  }
  const user = { username: 'edge-local', password: randomBytes(18).toString('base64url') };
  writeFileAtomic(file, `${JSON.stringify(user, null, 2)}\n`, 0o600);
  chmodSync(file, 0o600);
  return user;
}
