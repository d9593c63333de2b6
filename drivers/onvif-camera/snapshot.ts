/**
 * The `snapshot` service: one JPEG from the camera's snapshot URI (HTTP Digest or Basic when it
 * asks), checked to be a JPEG that decodes (sharp reads its header, so a camera's error page or
 * a truncated file is refused), stored with the `files.storePicture` host service (the one way
 * the box keeps pictures, docs/files.md) and answered with its download URL.
 */
import sharp from 'sharp';
import type { HostServices } from '../../edge/host/sdk/driver.js';
import { httpGet } from '../../protocols/onvif/http-get.js';
import { platformNow } from '../../edge/host/sdk/clock.js';

export interface SnapshotTarget {
  uri: string;
  username: string;
  password: string;
  timeoutMs: number;
  maxBytes: number;
}

export interface StoredSnapshot {
  url: string;
  id: string;
  width: number;
  height: number;
  bytes: number;
}

/** The picture's size when `body` is a JPEG; throws with what it is otherwise. */
export async function checkJpeg(body: Buffer): Promise<{ width: number; height: number }> {
  if (body.length < 4 || body[0] !== 0xff || body[1] !== 0xd8) throw new Error('the camera sent no JPEG (no SOI marker)');
  const meta = await sharp(body, { failOn: 'error' })
    .metadata()
    .catch((err: Error) => {
      throw new Error(`the camera's JPEG does not decode: ${err.message}`);
    });
  if (meta.format !== 'jpeg' || !meta.width || !meta.height)
    throw new Error(`the camera sent ${meta.format ?? 'an unknown format'}, not a JPEG`);
  return { width: meta.width, height: meta.height };
}

export async function takeSnapshot(
  t: SnapshotTarget,
  host: HostServices,
  store: { deviceKey: string; keepDays: number },
): Promise<StoredSnapshot> {
  const r = await httpGet(t.uri, { username: t.username, password: t.password, timeoutMs: t.timeoutMs, maxBytes: t.maxBytes });
  if (r.status === 401) throw new Error('the camera refused the credentials for its snapshot URI (401)');
  if (r.status !== 200) throw new Error(`the snapshot URI answered HTTP ${r.status}`);
  const size = await checkJpeg(r.body);
  const a = await host.call<{ id: string; url: string }>('files.storePicture', {
    deviceKey: store.deviceKey,
    area: 'snapshot',
    base64: r.body.toString('base64'),
    ext: 'jpg',
    time: platformNow(),
    keepDays: store.keepDays,
  });
  if (a.code !== 200 || !a.data) throw new Error(`the file service did not store the snapshot: ${a.code} ${a.message}`);
  return { url: a.data.url, id: a.data.id, ...size, bytes: r.body.length };
}
