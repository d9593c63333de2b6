/**
 * The backup file: a gzipped ustar archive (`tar xzf` opens it on a laptop) whose first entry,
 * `manifest.json`, names the format version, the product version, the box, the time, and the
 * size and SHA-256 of every other entry. One format for `edge backup` and the console.
 *
 * Entries: `config.yaml`, `edge.db` (an online snapshot, secret tables emptied), `data/<path>`
 * (driver folders, face library, edge files, bus users…), `secrets.enc` (only with a passphrase).
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzipSync, gzip } from 'node:zlib';
import { edgeError, type EdgeError } from '../errors.js';
import { readTar, writeTar, type TarEntry } from './tar.js';

export const BACKUP_FORMAT = 'property-edge-backup';
export const FORMAT_VERSION = 2;

export interface ManifestEntry {
  name: string;
  size: number;
  sha256: string;
}

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  formatVersion: typeof FORMAT_VERSION;
  productVersion: string;
  box: string;
  createdAt: number;
  entries: ManifestEntry[];
  secrets: { included: boolean; missing: string[] };
}

export const invalidBackup = (why: string): EdgeError => edgeError('EDGE_ERR_CONSOLE_BACKUP_INVALID', why);

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

const gzipAsync = promisify(gzip);

/** The backup file and its manifest. Compressed on libuv's thread pool: a daemon taking a backup keeps serving meanwhile. */
export async function packBackup(
  head: Omit<BackupManifest, 'format' | 'formatVersion' | 'entries'>,
  entries: TarEntry[],
): Promise<{ data: Buffer; manifest: BackupManifest }> {
  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    formatVersion: FORMAT_VERSION,
    ...head,
    entries: entries.map((e) => ({ name: e.name, size: e.data.length, sha256: sha256(e.data) })),
  };
  const tar = writeTar([{ name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest, null, 2)) }, ...entries]);
  return { data: await gzipAsync(tar), manifest };
}

function manifestOf(raw: Buffer | undefined): BackupManifest {
  if (!raw) throw invalidBackup('manifest.json missing');
  let m: BackupManifest;
  try {
    m = JSON.parse(raw.toString('utf8')) as BackupManifest;
  } catch {
    throw invalidBackup('manifest.json is not JSON');
  }
  if (m?.format !== BACKUP_FORMAT) throw invalidBackup('not a property-edge backup (format)');
  if (m.formatVersion !== FORMAT_VERSION)
    throw invalidBackup(`backup format version ${String(m.formatVersion)}, this box reads version ${FORMAT_VERSION}`);
  if (!Array.isArray(m.entries) || typeof m.productVersion !== 'string' || typeof m.box !== 'string' || !m.secrets)
    throw invalidBackup('manifest.json incomplete');
  return m;
}

/** Unpack and verify every entry against the manifest; throws EDGE_ERR_CONSOLE_BACKUP_INVALID with the reason. */
export function unpackBackup(data: Buffer, maxUnpackedBytes: number): { manifest: BackupManifest; entries: Map<string, Buffer> } {
  let list: TarEntry[];
  try {
    list = readTar(gunzipSync(data, { maxOutputLength: maxUnpackedBytes }));
  } catch (err) {
    throw invalidBackup(`cannot unpack (${(err as Error).message})`);
  }
  const manifest = manifestOf(list[0]?.name === 'manifest.json' ? list[0].data : undefined);
  const entries = new Map(list.slice(1).map((e) => [e.name, e.data]));
  for (const e of manifest.entries) {
    const got = entries.get(e.name);
    if (!got) throw invalidBackup(`${e.name} missing`);
    if (got.length !== e.size || sha256(got) !== e.sha256) throw invalidBackup(`${e.name} is corrupt (checksum does not match)`);
    if (!safeName(e.name)) throw invalidBackup(`${e.name}: not a plain relative path`);
  }
  if (entries.size !== manifest.entries.length) throw invalidBackup('entries not listed in the manifest');
  return { manifest, entries };
}

/** A relative path without `..`, absolute parts or empty segments (nothing outside the data folder). */
export function safeName(name: string): boolean {
  return !name.startsWith('/') && name.split('/').every((s) => s !== '' && s !== '.' && s !== '..') && !name.includes('\\');
}

/** -1, 0, 1 for dotted numeric versions (pre-release tags ignored). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) < (pb[i] ?? 0) ? -1 : 1;
  return 0;
}
