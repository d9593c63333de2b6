/**
 * Where the pictures of alarm and capture reports go. The seed's cloud records carry picture
 * URLs (`picSceneUrl`, `objPicUrl`, `facePicUrl`, `picUrl`, L28517-28753, L29080-29102), and the
 * box's own edge file service (port 9102, seed 001 L39723-39844) is where those URLs should
 * point. Until that service exists on the box, `storePicture` writes each picture into this
 * driver's data folder, `pictures/<yyyy-mm-dd>/<name>.<ext>`, and returns the reference
 * `local:pictures/<yyyy-mm-dd>/<name>.<ext>` (relative to the driver's data folder).
 *
 * SEAM: this file is the only place a picture is written. When the edge file service is enabled,
 * `storePicture` uploads through it instead and returns its `oss/<filePath>` URL; nothing else
 * in the driver changes.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Picture } from '../../protocols/edge-security-event/index.js';

const EXT: Record<Picture['type'], string> = { JPG: 'jpg', PNG: 'png', BMP: 'bmp' };
export const LOCAL_PREFIX = 'local:';

/**
 * Store one picture; `at` (ms) dates its folder, `name` is a hint (sanitised, made unique).
 * Resolves with the reference the cloud record carries.
 */
export async function storePicture(dataDir: string, pic: Picture, at: number, name: string): Promise<string> {
  const day = new Date(at).toISOString().slice(0, 10);
  const safe = name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80);
  const rel = `pictures/${day}/${safe}-${randomBytes(4).toString('hex')}.${EXT[pic.type]}`;
  await mkdir(join(dataDir, 'pictures', day), { recursive: true, mode: 0o700 });
  await writeFile(join(dataDir, rel), Buffer.from(pic.base64, 'base64'), { mode: 0o600 });
  return `${LOCAL_PREFIX}${rel}`;
}
