/**
 * The arming rules (alarmDeploy/setRule) the cloud set, kept on the box in the driver's data
 * folder (`arming-rules.json`, written whole and renamed): the adapter must keep them too
 * (L43918-43924), but an adapter that lost them, or a new one, gets every rule of its vendor's
 * cameras again after it authenticates. One rule per camera and eventType; a later one replaces it.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface StoredRule {
  /** The adapter's vendor: its rules go to it. */
  manufacture: string;
  /** The setRule body without the token (ip, channel, deviceType, eventType, alarmRule). */
  body: Record<string, unknown>;
}

export const ruleKey = (manufacture: string, b: Record<string, unknown>): string =>
  `${manufacture}/${String(b.ip)}/${String(b.deviceType)}/${String(b.channel ?? 0)}/${String(b.eventType)}`;

export class RulesStore {
  readonly #file: string;
  readonly #rules = new Map<string, StoredRule>();

  constructor(dataDir: string) {
    this.#file = join(dataDir, 'arming-rules.json');
    try {
      const parsed: unknown = JSON.parse(readFileSync(this.#file, 'utf8'));
      if (Array.isArray(parsed))
        for (const r of parsed as StoredRule[])
          if (typeof r?.manufacture === 'string' && typeof r.body === 'object' && r.body !== null)
            this.#rules.set(ruleKey(r.manufacture, r.body), r);
    } catch {
      // none yet
    }
  }

  put(manufacture: string, body: Record<string, unknown>): void {
    this.#rules.set(ruleKey(manufacture, body), { manufacture, body });
    this.#save();
  }

  get(manufacture: string, address: Record<string, unknown>): StoredRule | undefined {
    return this.#rules.get(ruleKey(manufacture, address));
  }

  of(manufacture: string): StoredRule[] {
    return [...this.#rules.values()].filter((r) => r.manufacture === manufacture);
  }

  #save(): void {
    const tmp = `${this.#file}.tmp`;
    writeFileSync(tmp, JSON.stringify([...this.#rules.values()]), { mode: 0o600 });
    renameSync(tmp, this.#file);
  }
}
