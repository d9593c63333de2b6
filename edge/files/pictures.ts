/**
 * Pictures the box's own parts keep (pass photos, alarm pictures, snapshots): through the file
 * service when it runs, so devices, apps and the cloud fetch them by URL
 * [seed 001 L39725: the service stores people- and vehicle-pass pictures], else in the part's
 * own folder as before. One function stores them all (`storePicture`); a `PictureStore` binds it
 * to one part's area, folder and keep time.
 *
 * A picture's id says where it is: `oss/<area>/<day>/<name>` in the file service, `<day>/<name>`
 * in the part's folder, so ids stored before the service was turned on (or after it was turned
 * off) still resolve.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FileService } from './service.js';

export interface PictureInput {
  /** The part's area, the first folder of the picture's file path (`pass`, `alarm`, `snapshot`). */
  area: string;
  bytes: Buffer;
  /** When it was taken (UTC ms): names its day folder. */
  time: number;
  /** How long it must be kept, ms (the file service removes it after; the part's own folder keeps it until the part removes it). */
  keepMs: number;
  /** File extension (no dot), `jpg` by default. */
  ext?: string;
  /** The part's own folder, used when the file service does not run. */
  localDir: string;
}

export interface StoredPicture {
  /** What the part records (see the module comment). */
  id: string;
  /** The download URL, when the file service holds it. */
  url?: string;
}

const SERVICE_PREFIX = 'oss/';

/** Store one picture; throws when neither the service nor the disk takes it (the caller decides whether its record goes on without). */
export function storePicture(files: FileService | undefined, p: PictureInput): StoredPicture {
  const day = new Date(p.time).toISOString().slice(0, 10);
  const ext = /^[a-z0-9]{1,5}$/.test(p.ext ?? '') ? p.ext : 'jpg';
  const name = `${day}/${p.time}-${randomBytes(5).toString('hex')}.${ext}`;
  if (files) {
    const path = `${p.area}/${name}`;
    files.putBytes(path, p.bytes, p.keepMs);
    return { id: `${SERVICE_PREFIX}${path}`, url: files.urlOf(path) };
  }
  const file = join(p.localDir, name);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, p.bytes, { mode: 0o640 }); // as pass photos always were: no fsync on the decision's path
  return { id: name };
}

/** One part's pictures: where they go, for how long, and how to find and remove them by id. */
export class PictureStore {
  constructor(readonly o: { area: string; localDir: string; keepMs: number; files?: FileService | undefined }) {}

  store(bytes: Buffer, time: number, ext?: string): StoredPicture {
    const { area, localDir, keepMs, files } = this.o;
    return storePicture(files, { area, bytes, time, keepMs, localDir, ...(ext ? { ext } : {}) });
  }

  /** The download URL of a stored picture (only the file service's have one). */
  urlOf(id: string): string | undefined {
    return id.startsWith(SERVICE_PREFIX) && this.o.files ? this.o.files.urlOf(id.slice(SERVICE_PREFIX.length)) : undefined;
  }

  /** Where the picture lies on disk. */
  pathOf(id: string): string {
    return id.startsWith(SERVICE_PREFIX) && this.o.files
      ? this.o.files.store.pathOf(id.slice(SERVICE_PREFIX.length))
      : join(this.o.localDir, id);
  }

  exists(id: string): boolean {
    try {
      return statSync(this.pathOf(id)).isFile();
    } catch {
      return false;
    }
  }

  remove(id: string): void {
    if (id.startsWith(SERVICE_PREFIX)) this.o.files?.store.remove(id.slice(SERVICE_PREFIX.length));
    else rmSync(join(this.o.localDir, id), { force: true });
  }
}
