/**
 * Each app's AppKey and AppSecret (`iot.hosting.appKey` / `iot.hosting.appSecret`, seed 001
 * L33840-33844): generated when an app is first installed and kept with the box's other secrets,
 * in `<dataDir>/app-credentials.json` readable by the box's user only (sealed into a backup with
 * the passphrase, edge/backup/secrets.ts), so they stay the same across restarts and upgrades.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../store/atomic-file.js';

export const APP_CREDENTIALS_FILE = 'app-credentials.json';

export interface AppKeyPair {
  appKey: string;
  appSecret: string;
}

function valid(v: unknown): v is AppKeyPair {
  const p = v as Partial<AppKeyPair> | null;
  return (
    typeof p?.appKey === 'string' && /^[A-Za-z0-9]{8,64}$/.test(p.appKey) && typeof p.appSecret === 'string' && p.appSecret.length >= 16
  );
}

export class AppCredentialStore {
  readonly #file: string;
  #byApp = new Map<string, AppKeyPair>();

  constructor(dataDir: string) {
    this.#file = join(dataDir, APP_CREDENTIALS_FILE);
    this.#byApp = this.#read();
  }

  #read(): Map<string, AppKeyPair> {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.#file, 'utf8'));
    } catch {
      return new Map(); // none yet (a damaged file is replaced: apps get new keys, nothing else depends on them)
    }
    const apps = (raw as { apps?: unknown } | null)?.apps;
    if (typeof apps !== 'object' || apps === null) return new Map();
    return new Map(Object.entries(apps).filter((e): e is [string, AppKeyPair] => valid(e[1])));
  }

  /** The app's pair, made and stored the first time it is asked for. */
  ensure(app: string): AppKeyPair {
    const have = this.#byApp.get(app);
    if (have) return have;
    const pair = { appKey: randomBytes(12).toString('hex'), appSecret: randomBytes(24).toString('base64url') };
    this.#byApp.set(app, pair);
    writeFileAtomic(this.#file, `${JSON.stringify({ apps: Object.fromEntries(this.#byApp) }, null, 2)}\n`, 0o600);
    return pair;
  }

  get(app: string): AppKeyPair | undefined {
    return this.#byApp.get(app);
  }

  /** The app an AppKey belongs to. */
  appOf(appKey: string): string | undefined {
    for (const [app, pair] of this.#byApp) if (pair.appKey === appKey) return app;
    return undefined;
  }
}
