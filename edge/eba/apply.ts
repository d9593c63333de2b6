/**
 * Applying an imported workbook to a box: the channel and point tables go to a tables file in
 * the driver's own data folder (`<dataDir>/drivers/<driver>/tables.json`, which the driver
 * process reads; it never opens the box database), the driver config points at it with the
 * file's SHA-256 (so a new import is a driver-level change and the redeploy restarts the
 * driver), and the devices, with their property → point mapping in `custom.points`, replace
 * the driver's device list in the box config. The running daemon picks the change up on
 * SIGHUP (`systemctl reload`), which redeploys by diff.
 *
 * Order keeps a failure harmless: the new box config is checked in full first, then the
 * tables file and the config are each written to a temporary file and renamed into place.
 */
import { writeFileAtomic } from '../store/atomic-file.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import { blocking, checkSemantics, ConfigError, parseConfig } from '../config/load.js';
import { BUILTIN_TSL_DIR } from '../config/paths.js';
import type { BoxConfig } from '../config/schema.js';
import type { DeviceConfig } from '../host/host.js';
import { ThingModelLibrary } from '../thing/library.js';
import type { EbaProfile } from './profile.js';
import type { ImportResult } from './validate.js';

export const TABLES_FILE = 'tables.json';

export interface BoxFile {
  file: string;
  text: string;
  config: BoxConfig;
  baseDir: string;
  dataDir: string;
}

export function readBoxFile(file: string): BoxFile {
  const path = resolve(file);
  const text = readFileSync(path, 'utf8');
  const config = parseConfig(text, path);
  const baseDir = dirname(path);
  return { file: path, text, config, baseDir, dataDir: resolve(baseDir, config.box.dataDir) };
}

export function modelsFor(box: Pick<BoxFile, 'config' | 'baseDir'> | undefined): ThingModelLibrary {
  return ThingModelLibrary.fromDirs([BUILTIN_TSL_DIR, ...(box?.config.thingModels ?? []).map((d) => resolve(box!.baseDir, d))]);
}

/** The driver instance the tables belong to: named, or the only one of the profile's type. */
export function pickDriver(config: BoxConfig, profile: EbaProfile, name: string | undefined): { name: string; exists: boolean } {
  if (name) return { name, exists: config.drivers.some((d) => d.name === name) };
  const ofType = config.drivers.filter((d) => d.type === profile.driverType);
  if (ofType.length === 1) return { name: ofType[0]!.name, exists: true };
  if (ofType.length > 1)
    throw new Error(
      `several ${profile.driverType} drivers in the config (${ofType.map((d) => d.name).join(', ')}): choose one with --driver`,
    );
  return { name: profile.defaultDriverName ?? 'Official_ModbusV3_EBA_Points', exists: false };
}

export function tablesPath(box: BoxFile, driver: string, config: Record<string, unknown> | undefined): string {
  const f = typeof config?.tablesFile === 'string' ? config.tablesFile : TABLES_FILE;
  return isAbsolute(f) ? f : join(box.dataDir, 'drivers', driver, f);
}

function setDriver(doc: Document, driver: string, type: string, config: Record<string, unknown>, devices: DeviceConfig[]): void {
  let drivers = doc.get('drivers');
  if (!isSeq(drivers)) {
    doc.set('drivers', doc.createNode([]));
    drivers = doc.get('drivers');
  }
  const seq = drivers as { items: unknown[]; flow?: boolean };
  seq.flow = false; // `drivers: []` would otherwise put the whole section on one line
  const node = seq.items.find((d) => isMap(d) && d.get('name') === driver);
  // Devices one per line (flow style): 1 000 devices stay readable.
  const devNode = doc.createNode(
    devices.map((d) => ({ productKey: d.productKey, deviceName: d.deviceName, ...(d.alias ? { alias: d.alias } : {}), custom: d.custom })),
  );
  for (const item of (devNode as { items: { flow?: boolean }[] }).items) item.flow = true;
  if (node && isMap(node)) {
    const old = node.get('config', true);
    const merged = { ...(isMap(old) ? (old.toJSON() as Record<string, unknown>) : {}), ...config };
    node.set('config', doc.createNode(merged));
    node.set('devices', devNode);
  } else {
    const fresh = doc.createNode({ name: driver, type, config }) as unknown as { set(k: string, v: unknown): void; flow?: boolean };
    fresh.flow = false;
    fresh.set('devices', devNode);
    seq.items.push(fresh);
  }
}

/** Write the tables and the box config. Throws ConfigError when the new config would not load. */
export function applyImport(
  box: BoxFile,
  profile: EbaProfile,
  driverName: string | undefined,
  result: ImportResult,
): { driver: string; tablesFile: string } {
  if (!result.ok) throw new Error('refusing to apply a workbook with problems');
  const { name } = pickDriver(box.config, profile, driverName);
  const tablesText = `${JSON.stringify(profile.toDriverTables(result.channels, result.points), null, 1)}\n`;
  const sha = createHash('sha256').update(tablesText).digest('hex');
  const doc = parseDocument(box.text);
  setDriver(doc, name, profile.driverType, { tablesFile: TABLES_FILE, tablesSha256: sha }, result.devices);
  const newText = doc.toString({ lineWidth: 0 });
  const problems = blocking(checkSemantics(parseConfig(newText, box.file), box.baseDir));
  if (problems.length > 0) throw new ConfigError(problems);
  const file = join(box.dataDir, 'drivers', name, TABLES_FILE);
  writeFileAtomic(file, tablesText);
  writeFileAtomic(box.file, newText);
  return { driver: name, tablesFile: file };
}
