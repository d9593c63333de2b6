/**
 * Intercom data the box answers from locally: each door's SIP account (pushed on every
 * reconnect, seed 001 L36247) and the room → SIP group map (getGroupId, L36295-36361). Kept in
 * the driver's own data directory so a restart does not lose them (a driver never opens the DB).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeRoomId, type SipAccount } from '../../protocols/door-standard/index.js';

interface Stored {
  sip: Record<string, SipAccount>;
  groups: Record<string, string>;
}

export class IntercomStore {
  readonly #file: string | undefined;
  #data: Stored = { sip: {}, groups: {} };

  constructor(dataDir: string | undefined) {
    this.#file = dataDir ? join(dataDir, 'door-standard-intercom.json') : undefined;
    if (!this.#file) return;
    try {
      const raw = JSON.parse(readFileSync(this.#file, 'utf8')) as Partial<Stored>;
      this.#data = { sip: raw.sip ?? {}, groups: raw.groups ?? {} };
    } catch {
      // first start, or an unreadable file: start empty (the cloud pushes both again)
    }
  }

  #save(): void {
    if (!this.#file) return;
    mkdirSync(join(this.#file, '..'), { recursive: true });
    const tmp = `${this.#file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.#data));
    renameSync(tmp, this.#file); // atomic replace: a crash never leaves half a file
  }

  sip(deviceKey: string): SipAccount | undefined {
    return this.#data.sip[deviceKey];
  }

  setSip(deviceKey: string, account: SipAccount): void {
    this.#data.sip[deviceKey] = account;
    this.#save();
  }

  /** Replace (`replace`) or extend the room → group map; returns how many rooms were invalid. */
  setGroups(entries: { roomId: string; groupId: string }[], replace: boolean): number {
    if (replace) this.#data.groups = {};
    let bad = 0;
    for (const e of entries) {
      const room = normalizeRoomId(e.roomId);
      if (!room || !e.groupId) bad++;
      else this.#data.groups[room] = e.groupId;
    }
    this.#save();
    return bad;
  }

  /** roomId is normalised already (phase defaults to 1). */
  groupOf(roomId: string): string | undefined {
    return this.#data.groups[roomId];
  }
}
