/**
 * Unpack a package (gzipped tar, the backup's reader) into a new folder: staged beside it, then
 * renamed in one step, so a folder of that name is always whole. Entry names are checked: no
 * absolute path, no `..`, nothing that lands outside the folder. A leading `package/` (npm pack)
 * is dropped.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readTar } from '../backup/tar.js';
import { OTA_STEP, OtaError } from './messages.js';

/** Largest unpacked package: read whole into memory, as backups are. */
const MAX_UNPACKED = 1024 ** 3;

export async function unpackPackage(file: string, dest: string): Promise<string[]> {
  let entries: ReturnType<typeof readTar>;
  try {
    const tar = gunzipSync(await readFile(file), { maxOutputLength: MAX_UNPACKED });
    entries = readTar(tar);
  } catch (err) {
    throw new OtaError(OTA_STEP.INSTALL_FAILED, `package is not a readable .tar.gz: ${(err as Error).message}`);
  }
  const strip = entries.length > 0 && entries.every((e) => e.name.startsWith('package/'));
  const staging = `${dest}.staging`;
  await rm(staging, { recursive: true, force: true });
  const names: string[] = [];
  for (const e of entries) {
    const name = normalize(strip ? e.name.slice('package/'.length) : e.name);
    if (name === '' || name === '.' || name.startsWith(`..${sep}`) || name === '..' || name.startsWith(sep) || name.includes('\0'))
      throw new OtaError(OTA_STEP.INSTALL_FAILED, `package entry ${JSON.stringify(e.name)} would land outside its folder`);
    const to = join(staging, name);
    await mkdir(dirname(to), { recursive: true });
    await writeFile(to, e.data);
    names.push(name);
  }
  if (names.length === 0) throw new OtaError(OTA_STEP.INSTALL_FAILED, 'package is empty');
  await rm(dest, { recursive: true, force: true });
  await rename(staging, dest);
  return names;
}
