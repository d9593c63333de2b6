/**
 * Reads the format and size of a JPEG or PNG from its header, so a face photo can be refused
 * at the boundary (jpg/jpeg/png only, ≥120×120, ≤1 MB; seed 001 L35436-35444) without decoding it.
 */
export interface ImageInfo {
  format: 'jpeg' | 'png';
  width: number;
  height: number;
}

function pngInfo(b: Buffer): ImageInfo | undefined {
  // 8-byte signature, then the IHDR chunk: length(4) 'IHDR'(4) width(4) height(4).
  if (b.length < 24 || b.readUInt32BE(0) !== 0x89504e47 || b.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { format: 'png', width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

function jpegInfo(b: Buffer): ImageInfo | undefined {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    const len = b.readUInt16BE(i + 2);
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { format: 'jpeg', height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    }
    if (len < 2) return undefined;
    i += 2 + len;
  }
  return undefined;
}

export function imageInfo(b: Buffer): ImageInfo | undefined {
  return pngInfo(b) ?? jpegInfo(b);
}

export const PHOTO_MIN_SIDE = 120;

/** Why a face photo is not acceptable, or undefined when it is. */
export function photoProblem(b: Buffer, maxBytes: number): string | undefined {
  if (b.length === 0) return 'photo is empty';
  if (b.length > maxBytes) return `photo larger than ${maxBytes} bytes`;
  const info = imageInfo(b);
  if (!info) return 'photo is not a JPEG or PNG image';
  if (info.width < PHOTO_MIN_SIDE || info.height < PHOTO_MIN_SIDE) return `photo smaller than ${PHOTO_MIN_SIDE}x${PHOTO_MIN_SIDE}`;
  return undefined;
}
