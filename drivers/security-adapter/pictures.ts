/**
 * Where the pictures of alarm and capture reports go. The seed's cloud records carry picture
 * URLs (`picSceneUrl`, `objPicUrl`, `facePicUrl`, `picUrl`, L28517-28753, L29080-29102), and the
 * box's own edge file service (port 9102, seed 001 L39723-39844) is where those URLs point: when
 * it runs, `storePicture` hands the picture to it (host service `files.storePicture`, kept
 * `PICTURE_KEEP_DAYS`) and returns its download URL. When it does not run (no `files:`
 * section), the picture goes into this driver's data folder, `pictures/<yyyy-mm-dd>/<name>.<ext>`,
 * and the reference is `local:pictures/<yyyy-mm-dd>/<name>.<ext>` (relative to that folder).
 * This file is the only place a picture is written.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Picture } from '../../protocols/edge-security-event/index.js';
import type { HostServices } from '../../edge/host/sdk/driver.js';
import { ALINK } from '../../edge/host/sdk/answer.js';

const EXT: Record<Picture['type'], string> = { JPG: 'jpg', PNG: 'png', BMP: 'bmp' };
export const LOCAL_PREFIX = 'local:';
/** How long the file service keeps alarm and capture pictures (as long as pass photos). */
export const PICTURE_KEEP_DAYS = 30;

export interface PictureTarget {
  dataDir: string;
  host: HostServices;
  /** The camera the picture is of (the host checks it belongs to this driver). */
  deviceKey: string;
}

/**
 * Store one picture; `at` (ms) dates its folder, `name` is a hint (sanitised, made unique).
 * Resolves with the reference the cloud record carries.
 */
export async function storePicture(t: PictureTarget, pic: Picture, at: number, name: string): Promise<string> {
  const args = { deviceKey: t.deviceKey, area: 'alarm', base64: pic.base64, ext: EXT[pic.type], time: at, keepDays: PICTURE_KEEP_DAYS };
  const r = await t.host.call<{ url: string }>('files.storePicture', args);
  if (r.code === 200 && r.data?.url) return r.data.url;
  if (r.code !== ALINK.HOST_SERVICE_UNKNOWN) throw new Error(`file service refused the picture: ${r.code} ${r.message}`);
  return storeLocally(t.dataDir, pic, at, name);
}

async function storeLocally(dataDir: string, pic: Picture, at: number, name: string): Promise<string> {
  const day = new Date(at).toISOString().slice(0, 10);
  const safe = name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80);
  const rel = `pictures/${day}/${safe}-${randomBytes(4).toString('hex')}.${EXT[pic.type]}`;
  await mkdir(join(dataDir, 'pictures', day), { recursive: true, mode: 0o700 });
  await writeFile(join(dataDir, rel), Buffer.from(pic.base64, 'base64'), { mode: 0o600 });
  return `${LOCAL_PREFIX}${rel}`;
}
