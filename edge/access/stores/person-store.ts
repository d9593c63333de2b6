/**
 * Persons (seed 002 UserDTO: identityId, name, extInfo) mirrored on the box, so a door can show
 * who passed and the console can find a person without the cloud. Same rules as the cloud's
 * `/entrance/paas/user/modify` (seed 002 L154-200): an unknown identityId is created and needs a
 * name; a known one is updated, and a field that is not given keeps its value.
 * Sources: the cloud's gateway services SyncPersons / DeletePersons, and the user of every face
 * the box receives (userInfo.userId / userName).
 */
import type { Db } from '../../store/db.js';

export interface PersonInput {
  identityId: string;
  name?: string;
  /** Free text; the cloud sends an object in its example (seed 002 L200): kept as JSON text. */
  extInfo?: string;
}

export interface PersonRow {
  identityId: string;
  name: string;
  extInfo: string;
  updatedAt: number;
}

export interface PersonSyncResult {
  created: number;
  updated: number;
  refused: { identityId: string; reason: string }[];
}

const MAX_ID = 64;
const MAX_NAME = 128;
const MAX_EXT = 2048;

/** Check one UserDTO from outside; returns the person or why it is refused. */
export function parsePerson(raw: unknown): PersonInput | { refused: string; identityId: string } {
  const o = raw as Record<string, unknown> | null;
  const id = typeof o?.identityId === 'string' ? o.identityId : '';
  if (!id || id.length > MAX_ID)
    return { identityId: String(o?.identityId ?? ''), refused: `identityId must be a string of 1-${MAX_ID} characters` };
  const p: PersonInput = { identityId: id };
  if (o!.name !== undefined && o!.name !== null) {
    if (typeof o!.name !== 'string' || o!.name.length > MAX_NAME)
      return { identityId: id, refused: `name must be a string of at most ${MAX_NAME} characters` };
    p.name = o!.name;
  }
  if (o!.extInfo !== undefined && o!.extInfo !== null) {
    const ext = typeof o!.extInfo === 'string' ? o!.extInfo : JSON.stringify(o!.extInfo);
    if (ext.length > MAX_EXT) return { identityId: id, refused: `extInfo longer than ${MAX_EXT} characters` };
    p.extInfo = ext;
  }
  return p;
}

export class PersonStore {
  readonly #db: Db;
  readonly #get;
  readonly #insert;
  readonly #update;
  readonly #delete;
  readonly #count;

  constructor(db: Db) {
    this.#db = db;
    this.#get = db.prepare<[string], PersonRow>(
      'SELECT identity_id AS identityId, name, ext_info AS extInfo, updated_at AS updatedAt FROM access_persons WHERE identity_id = ?',
    );
    this.#insert = db.prepare('INSERT INTO access_persons (identity_id, name, ext_info, updated_at) VALUES (?, ?, ?, ?)');
    this.#update = db.prepare(
      'UPDATE access_persons SET name = COALESCE(?, name), ext_info = COALESCE(?, ext_info), updated_at = ? WHERE identity_id = ?',
    );
    this.#delete = db.prepare('DELETE FROM access_persons WHERE identity_id = ?');
    this.#count = db.prepare('SELECT COUNT(*) FROM access_persons').pluck();
  }

  /** Create or update each person, in one transaction. */
  upsert(persons: PersonInput[], now: number): PersonSyncResult {
    const result: PersonSyncResult = { created: 0, updated: 0, refused: [] };
    this.#db.transaction(() => {
      for (const p of persons) {
        if (this.#update.run(p.name ?? null, p.extInfo ?? null, now, p.identityId).changes > 0) {
          result.updated++;
        } else if (p.name === undefined) {
          result.refused.push({ identityId: p.identityId, reason: 'a new person needs a name' });
        } else {
          this.#insert.run(p.identityId, p.name, p.extInfo ?? '', now);
          result.created++;
        }
      }
    })();
    return result;
  }

  /** Delete persons; their cards, QR codes and faces are the permission files' business. */
  remove(identityIds: string[]): number {
    let n = 0;
    this.#db.transaction(() => {
      for (const id of identityIds) n += this.#delete.run(id).changes;
    })();
    return n;
  }

  get(identityId: string): PersonRow | undefined {
    return identityId ? this.#get.get(identityId) : undefined;
  }

  count(): number {
    return this.#count.get() as number;
  }

  /** Persons whose name or identityId contains `text` (any case), by name; `total` counts every match. */
  search(text: string, limit: number, offset: number): { total: number; persons: PersonRow[] } {
    const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const where = "WHERE name LIKE @like ESCAPE '\\' OR identity_id LIKE @like ESCAPE '\\'";
    const total = this.#db.prepare(`SELECT COUNT(*) FROM access_persons ${where}`).pluck().get({ like }) as number;
    const persons = this.#db
      .prepare<{ like: string; limit: number; offset: number }, PersonRow>(
        `SELECT identity_id AS identityId, name, ext_info AS extInfo, updated_at AS updatedAt FROM access_persons ${where}
        ORDER BY name, identity_id LIMIT @limit OFFSET @offset`,
      )
      .all({ like, limit, offset });
    return { total, persons };
  }
}
