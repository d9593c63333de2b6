/**
 * Devices the box heard of but was not configured with, for the installer to accept (issue 19):
 * cameras and NVRs that registered with the box password under an id no device has, and NVR
 * channels in a catalog that no channel device names. Kept as `discovered.json` in the driver's
 * data folder (the console and the CLI read it), newest last, bounded; rewritten on each change.
 */
import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { DISCOVERED_FILE, type DiscoveredRecord } from '../../protocols/gb28181/discovered.js';

export type Discovered = DiscoveredRecord;

export const MAX_DISCOVERED = 1024;

export class DiscoveredList {
  readonly #file: string;
  readonly #dir: string;
  readonly #entries = new Map<string, Discovered>();

  constructor(dataDir: string) {
    this.#dir = dataDir;
    this.#file = join(dataDir, DISCOVERED_FILE);
  }

  /** Record `d` (seen now); false when nothing new was learned (no rewrite). */
  add(d: Omit<Discovered, 'firstSeen' | 'lastSeen'>, now = Date.now()): boolean {
    const was = this.#entries.get(d.gbId);
    this.#entries.delete(d.gbId);
    this.#entries.set(d.gbId, { ...d, firstSeen: was?.firstSeen ?? now, lastSeen: now });
    if (this.#entries.size > MAX_DISCOVERED) this.#entries.delete(this.#entries.keys().next().value!);
    const changed = !was || was.address !== d.address || was.suggestedName !== d.suggestedName || now - was.lastSeen > 60_000;
    if (changed) this.#write();
    return changed;
  }

  /** A device now configured is no longer "discovered". */
  remove(gbId: string): void {
    if (this.#entries.delete(gbId)) this.#write();
  }

  list(): Discovered[] {
    return [...this.#entries.values()];
  }

  #write(): void {
    mkdirSync(this.#dir, { recursive: true });
    const tmp = `${this.#file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.list(), null, 2)}\n`);
    renameSync(tmp, this.#file);
  }
}
