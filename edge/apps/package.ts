/**
 * An app package: a .tar.gz of the app folder (app.json at its root, or in one top folder).
 * Downloaded with its size capped and its checksum computed on the way, checked before anything
 * is unpacked; unpacked with every path confined to the target folder (regular files only: no
 * links, no devices, no `..`, no absolute paths).
 */
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readTar } from '../backup/tar.js';

export interface PackageRef {
  url: string;
  sha256?: string | undefined;
  md5?: string | undefined;
  size?: number | undefined;
}

/** Why the package is refused, or undefined when it matches its checksum (and size). */
export function checksumProblem(bytes: Buffer, ref: PackageRef): string | undefined {
  if (ref.size !== undefined && bytes.length !== ref.size) return `size ${bytes.length} is not the announced ${ref.size}`;
  if (ref.sha256) {
    const got = createHash('sha256').update(bytes).digest('hex');
    return got === ref.sha256.toLowerCase() ? undefined : `sha256 ${got} is not the announced ${ref.sha256}`;
  }
  if (ref.md5) {
    const got = createHash('md5').update(bytes).digest('hex');
    return got === ref.md5.toLowerCase() ? undefined : `md5 ${got} is not the announced ${ref.md5}`;
  }
  return 'no checksum given (sha256, or md5 with size)';
}

/** The package's bytes; throws on an HTTP error or when it grows past `maxBytes`. */
export async function download(url: string, maxBytes: number, timeoutMs: number): Promise<Buffer> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok || !res.body) throw new Error(`download answered HTTP ${res.status}`);
  const announced = Number(res.headers.get('content-length') ?? 0);
  if (announced > maxBytes) throw new Error(`package of ${announced} bytes is over the limit of ${maxBytes}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += chunk.length;
    if (size > maxBytes) throw new Error(`package is over the limit of ${maxBytes} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** Unpacks into `target` (created); throws RangeError on anything unsafe or unreadable. */
export function unpack(bytes: Buffer, target: string, maxBytes: number): void {
  let tar: Buffer;
  try {
    tar = gunzipSync(bytes, { maxOutputLength: maxBytes * 4 });
  } catch (err) {
    throw new RangeError(`not a gzip file: ${(err as Error).message}`);
  }
  let entries = readTar(tar, { maxEntries: 10_000 }).map((e) => ({ ...e, name: e.name.replace(/^(\.\/)+/, '') }));
  if (!entries.some((e) => e.name === 'app.json')) {
    const tops = new Set(entries.map((e) => e.name.split('/')[0]));
    const [top] = tops;
    if (tops.size !== 1 || !entries.some((e) => e.name === `${top}/app.json`)) throw new RangeError('no app.json in the package');
    entries = entries.map((e) => ({ ...e, name: e.name.slice(`${top}/`.length) }));
  }
  mkdirSync(target, { recursive: true });
  for (const e of entries) {
    const rel = normalize(e.name);
    if (rel === '' || rel === '.' || rel.startsWith('/') || rel.split(sep).includes('..') || e.name.includes('\0'))
      throw new RangeError(`unsafe path in the package: ${JSON.stringify(e.name)}`);
    const file = join(target, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, e.data, { mode: 0o644 });
  }
}

/** A relative command path of the manifest made executable (tar readers here keep no modes). */
export function makeExecutable(dir: string, command: readonly string[]): void {
  const first = command[0];
  if (first?.includes('/') && !first.startsWith('/')) {
    try {
      chmodSync(join(dir, first), 0o755);
    } catch {
      // not in the package: the start reports it
    }
  }
}
