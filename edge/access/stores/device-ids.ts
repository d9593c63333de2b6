/**
 * Ids as a device can hold them. The cloud's face ids are 36-character UUIDs (seed 000 L2663),
 * while the face terminals carry at most 32 characters (seed 003 `idNumber` L3513, seed 004 §9.1
 * `userId`). A longer id is given a stable short form — a UUID without its dashes (exactly 32
 * hex), anything else `h` + its SHA-256 in hex — and the pair is stored, so what the device
 * reports back (a pass record, an acknowledgement) maps to the access core's own id.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../../store/db.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function shortId(item: string, max: number): string {
  if (item.length <= max) return item;
  if (UUID.test(item) && max >= 32) return item.replace(/-/g, '');
  return `h${createHash('sha256')
    .update(item)
    .digest('hex')
    .slice(0, max - 1)}`;
}

export class DeviceIds {
  readonly #save;
  readonly #lookup;

  constructor(db: Db) {
    this.#save = db.prepare(
      'INSERT INTO access_device_ids (device_item, item) VALUES (?, ?) ON CONFLICT(device_item) DO UPDATE SET item = excluded.item',
    );
    this.#lookup = db.prepare('SELECT item FROM access_device_ids WHERE device_item = ?').pluck();
  }

  /** The id to send to a device that holds at most `max` characters (remembered when shortened). */
  toDevice(item: string, max: number): string {
    const s = shortId(item, max);
    if (s !== item) this.#save.run(s, item);
    return s;
  }

  /** The access core's id of what a device reports (its own id when it was not shortened). */
  fromDevice(deviceItem: string): string {
    return (this.#lookup.get(deviceItem) as string | undefined) ?? deviceItem;
  }
}
