/**
 * File paths of the service, as clients name them (`aaa/bbb/ccc.jpg` [seed 001 L39750, L39836]).
 * A path is a relative name inside the store and nothing else: it is checked here, at the
 * boundary, before it comes near the file system. Refused: empty, absolute (`/x`), `.` and `..`
 * segments, any segment starting with a dot (hidden names; the store's own `.tmp` among them),
 * empty segments (`a//b`), backslashes, NUL and other control characters, `%` (an encoded name
 * would mean one thing here and another to a client that decodes it), `?` and `#` (they cannot
 * round-trip through the download URL), and names over the length limits. Symlinks inside the
 * store are refused when a file is read (./store.ts).
 */
import { fileError } from './codes.js';

const MAX_PATH_BYTES = 1024;
const MAX_SEGMENT_BYTES = 255;
const MAX_DEPTH = 16;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const BAD_CHARS = /[\u0000-\u001f\u007f\\%?#]/;

/** The checked path (segments joined by `/`) or a parameter error naming why. */
export function checkFilePath(raw: unknown): string {
  if (typeof raw !== 'string' || raw === '') throw fileError('param', 'filePath is blank');
  if (Buffer.byteLength(raw) > MAX_PATH_BYTES) throw fileError('param', `filePath is longer than ${MAX_PATH_BYTES} bytes`);
  if (BAD_CHARS.test(raw)) throw fileError('param', 'filePath holds a character that is not allowed (control, \\, %, ?, #)');
  if (raw.startsWith('/')) throw fileError('param', 'filePath must be relative (aaa/bbb/ccc.jpg)');
  const segments = raw.split('/');
  if (segments.length > MAX_DEPTH) throw fileError('param', `filePath has more than ${MAX_DEPTH} levels`);
  for (const s of segments) {
    if (s === '') throw fileError('param', 'filePath has an empty segment');
    if (s.startsWith('.')) throw fileError('param', 'filePath segments may not start with a dot');
    if (Buffer.byteLength(s) > MAX_SEGMENT_BYTES) throw fileError('param', `a filePath segment is longer than ${MAX_SEGMENT_BYTES} bytes`);
  }
  return raw;
}

/**
 * The file path of a download URL's path (`/oss/<filePath>`): each segment percent-decoded once,
 * then checked like an upload's filePath, so `%2e%2e`, `%2f` and `%00` are refused as what they
 * decode to. Undefined when the URL is not under `/oss/`.
 */
export function filePathOfUrl(pathname: string): string | undefined {
  if (!pathname.startsWith('/oss/')) return undefined;
  const decoded = pathname
    .slice('/oss/'.length)
    .split('/')
    .map((s) => {
      let d: string;
      try {
        d = decodeURIComponent(s);
      } catch {
        throw fileError('param', 'the file path is not valid percent-encoding');
      }
      if (d.includes('/')) throw fileError('param', 'the file path holds an encoded slash');
      return d;
    });
  return checkFilePath(decoded.join('/'));
}

/** The URL path of a stored file: `/oss/` and the path with each segment percent-encoded. */
export function urlPathOf(filePath: string): string {
  return `/oss/${filePath.split('/').map(encodeURIComponent).join('/')}`;
}
