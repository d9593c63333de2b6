/**
 * The last setZoneAlertState `time` sent to each unit, kept across restarts in the driver's
 * folder: a unit drops a request whose time is not above the last it recorded (L41100-41109),
 * so a box whose clock went back while it was down must still count up from there.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StrictClock } from '../../protocols/alarm-unit/index.js';

export class ClockStore {
  readonly #file: string;
  readonly #clocks = new Map<string, StrictClock>();
  readonly #saved: Record<string, number>;

  constructor(dataDir: string) {
    this.#file = join(dataDir, 'alert-state-times.json');
    let saved: Record<string, number> = {};
    try {
      const parsed: unknown = JSON.parse(readFileSync(this.#file, 'utf8'));
      if (typeof parsed === 'object' && parsed !== null)
        saved = Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === 'number' && Number.isFinite(v)));
    } catch {
      // none yet (or unreadable: the clock alone is then the floor)
    }
    this.#saved = saved;
  }

  /** The next time for the unit at `ip`, persisted before it is used. */
  next(ip: string): number {
    let c = this.#clocks.get(ip);
    if (!c) {
      c = new StrictClock();
      c.atLeast(this.#saved[ip] ?? 0);
      this.#clocks.set(ip, c);
    }
    const t = c.next();
    this.#saved[ip] = t;
    const tmp = `${this.#file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.#saved), { mode: 0o600 });
    renameSync(tmp, this.#file);
    return t;
  }
}
