/**
 * Which persons (`idNumber`) each push-protocol terminal holds, as far as the box knows: a
 * person command the terminal confirmed (errorCode 100) adds or removes its idNumber, a full
 * person extraction (`info`) replaces the list. The driver asks it to choose between
 * operateType 0 (add) and 1 (update) (seed 003 L3505-3511): the person number is unique per
 * person (L3513), so an add of an existing one or an update of a missing one is refused.
 */
import type { Db } from '../store/db.js';

/** The face-queue area's migration that creates the ledger (version 2 of area `face-queue`). */
export const PERSON_LEDGER_DDL = `CREATE TABLE face_persons (
  device_key TEXT NOT NULL,
  id_number TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (device_key, id_number)
) WITHOUT ROWID;`;

export class PersonLedger {
  readonly #db: Db;
  readonly #s;

  /** The table must exist (FaceCommandQueue migrates it). */
  constructor(db: Db) {
    this.#db = db;
    this.#s = {
      put: db.prepare(
        'INSERT INTO face_persons (device_key, id_number, updated_at) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET updated_at = excluded.updated_at',
      ),
      drop: db.prepare('DELETE FROM face_persons WHERE device_key = ? AND id_number = ?'),
      clear: db.prepare('DELETE FROM face_persons WHERE device_key = ?'),
      has: db.prepare('SELECT 1 FROM face_persons WHERE device_key = ? AND id_number = ?').pluck(),
      count: db.prepare('SELECT COUNT(*) FROM face_persons WHERE device_key = ?').pluck(),
    };
  }

  /** A confirmed person command's `personInfoData` entries (operateType 0/1 add, 2 delete, 3 delete all). */
  applyConfirmed(deviceKey: string, persons: readonly Record<string, unknown>[], now: number): void {
    for (const p of persons) {
      const op = String(p.operateType ?? '').trim();
      const id = String(p.idNumber ?? '').trim();
      if (op === '3') this.#s.clear.run(deviceKey);
      else if (!id) continue;
      else if (op === '0' || op === '1') this.#s.put.run(deviceKey, id, now);
      else if (op === '2') this.#s.drop.run(deviceKey, id);
    }
  }

  /** The terminal listed every person it holds (a complete `info` extraction). */
  replace(deviceKey: string, idNumbers: readonly string[], now: number): void {
    this.#db.transaction(() => {
      this.#s.clear.run(deviceKey);
      for (const id of idNumbers) if (id) this.#s.put.run(deviceKey, id, now);
    })();
  }

  /** The subset of `idNumbers` the terminal holds. */
  held(deviceKey: string, idNumbers: readonly string[]): string[] {
    return idNumbers.filter((id) => this.#s.has.get(deviceKey, id) !== undefined);
  }

  count(deviceKey: string): number {
    return this.#s.count.get(deviceKey) as number;
  }
}
