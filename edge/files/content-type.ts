/**
 * The Content-Type a stored file is served with, from its name's extension. What an uploader
 * says is not trusted: the box would otherwise serve any HTML a LAN client puts on it as a page.
 * Unknown extensions (HTML among them) are `application/octet-stream`, and every answer carries
 * `X-Content-Type-Options: nosniff`.
 */
const TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  bmp: 'image/bmp',
  gif: 'image/gif',
  webp: 'image/webp',
  json: 'application/json',
  txt: 'text/plain; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  log: 'text/plain; charset=utf-8',
  pdf: 'application/pdf',
  zip: 'application/zip',
  gz: 'application/gzip',
  mp4: 'video/mp4',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export function contentTypeOf(filePath: string): string {
  const dot = filePath.lastIndexOf('.');
  const ext = dot > filePath.lastIndexOf('/') ? filePath.slice(dot + 1).toLowerCase() : '';
  return TYPES[ext] ?? 'application/octet-stream';
}
