/**
 * Face images: decode with sharp, refuse what is too small or not an image (seed codes 2006
 * / 2007, seed 000 L301-319), normalise to JPEG within 800 × 800 px and 1 MB, and keep the
 * result content-addressed (sha256) under the data directory with a small thumbnail for the
 * console. A corrupt file is an error value, never a crash.
 */
import { writeFileAtomic } from '../../store/atomic-file.js';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type sharpType from 'sharp';

type Sharp = typeof sharpType;
let sharpLib: Sharp | undefined;
// sharp (libvips) costs ~20 MB of RSS: loaded with the first face image, not at box start.
async function loadSharp(): Promise<Sharp> {
  sharpLib ??= (await import('sharp')).default;
  return sharpLib;
}
import { IMAGE } from '../codes.js';

export const MAX_SIDE = 800;
export const MAX_BYTES = 1024 * 1024;
export const MIN_SIDE = 120; // [seed 001 L35436-35444]
const THUMB_SIDE = 160;
/** Anything bigger is not a face photo; refuse before decoding (decompression bombs). */
const MAX_INPUT_BYTES = 20 * 1024 * 1024;
const MAX_INPUT_PIXELS = 40_000_000;

export class FaceImageError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.name = 'FaceImageError';
    this.code = code;
  }
}

export interface NormalizedImage {
  jpeg: Buffer;
  sha256: string;
  width: number;
  height: number;
}

export async function normalizeFaceImage(input: Buffer): Promise<NormalizedImage> {
  if (input.byteLength === 0) throw new FaceImageError(IMAGE.GET_FAILED.code, 'empty image');
  if (input.byteLength > MAX_INPUT_BYTES)
    throw new FaceImageError(IMAGE.INVALID_SIZE.code, `image of ${input.byteLength} bytes is too large`);
  let meta: sharpType.Metadata;
  try {
    meta = await (await loadSharp())(input, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' }).metadata();
  } catch (err) {
    throw new FaceImageError(IMAGE.GET_FAILED.code, `image cannot be decoded: ${(err as Error).message}`);
  }
  const w = meta.autoOrient?.width ?? meta.width ?? 0;
  const h = meta.autoOrient?.height ?? meta.height ?? 0;
  if (w < MIN_SIDE || h < MIN_SIDE)
    throw new FaceImageError(IMAGE.INVALID_SIZE.code, `image is ${w}×${h} px, at least ${MIN_SIDE}×${MIN_SIDE} needed`);
  let jpeg: Buffer;
  let info: sharpType.OutputInfo;
  try {
    let quality = 85;
    ({ data: jpeg, info } = await encode(input, quality));
    while (jpeg.byteLength > MAX_BYTES && quality > 40) {
      quality -= 15;
      ({ data: jpeg, info } = await encode(input, quality));
    }
  } catch (err) {
    throw new FaceImageError(IMAGE.GET_FAILED.code, `image cannot be decoded: ${(err as Error).message}`);
  }
  if (jpeg.byteLength > MAX_BYTES) throw new FaceImageError(IMAGE.INVALID_SIZE.code, 'image does not fit in 1 MB');
  return { jpeg, sha256: createHash('sha256').update(jpeg).digest('hex'), width: info.width, height: info.height };
}

async function encode(input: Buffer, quality: number): Promise<{ data: Buffer; info: sharpType.OutputInfo }> {
  return (await loadSharp())(input, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' })
    .rotate()
    .resize(MAX_SIDE, MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality, mozjpeg: false })
    .toBuffer({ resolveWithObject: true });
}

/** Content-addressed face image files: `<dir>/ab/abcdef….jpg` and `….thumb.jpg`. */
export class FaceImageFiles {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
  }

  path(sha256: string, thumb = false): string {
    return join(this.dir, sha256.slice(0, 2), `${sha256}${thumb ? '.thumb' : ''}.jpg`);
  }

  /** Store a normalised image (idempotent) and its thumbnail. */
  async put(img: NormalizedImage): Promise<string> {
    const file = this.path(img.sha256);
    if (existsSync(file) && existsSync(this.path(img.sha256, true))) return file;
    mkdirSync(join(this.dir, img.sha256.slice(0, 2)), { recursive: true });
    const thumb = await (await loadSharp())(img.jpeg).resize(THUMB_SIDE, THUMB_SIDE, { fit: 'inside' }).jpeg({ quality: 70 }).toBuffer();
    writeFileAtomic(this.path(img.sha256, true), thumb);
    writeFileAtomic(file, img.jpeg);
    return file;
  }

  read(sha256: string, thumb = false): Buffer | undefined {
    const p = this.path(sha256, thumb);
    return existsSync(p) ? readFileSync(p) : undefined;
  }
}
