/**
 * EBA point tables for the console, on top of edge/eba (the same functions `edge import/export
 * points` use), for every driver type with a template (ModbusV3, BACnetV3): the workbook (one
 * .xlsx, or one .csv per sheet) is validated whole; on any row problem nothing changes and every
 * problem is returned; a check-only import stops there; otherwise the tables and devices are
 * written into the box config and the running daemon redeploys at once (the CLI leaves that to
 * SIGHUP).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { applyImport, modelsFor, pickDriver, readBoxFile, tablesPath } from '../../eba/apply.js';
import { DEVICE_TABLE, rowsFromDevices } from '../../eba/devices-table.js';
import { PROFILES } from '../../eba/profiles/index.js';
import type { TableSpec } from '../../eba/table-schema.js';
import { validateWorkbook } from '../../eba/validate.js';
import { readWorkbook, rowCells, writeXlsx, type WorkbookContent } from '../../eba/workbook-io.js';
import type { EbaTablesService, EbaUpload } from '../services.js';

type TablesDeps = { configFile: () => string | undefined; redeploy: (text: string, source: string) => Promise<unknown> };
type Profile = NonNullable<ReturnType<typeof PROFILES.get>>;

function profileOf(type: string): Profile {
  const p = PROFILES.get(type);
  if (!p) throw new Error(`no point-table template for driver type ${type} (known: ${[...PROFILES.keys()].join(', ')})`);
  return p;
}

function boxFile(deps: TablesDeps) {
  const file = deps.configFile();
  if (!file) throw new Error('the box runs on its embedded defaults; start it with a config file (-c box.yaml) to import point tables');
  return readBoxFile(file);
}

/** The channels, points and devices the box config holds now for this profile's driver. */
function content(deps: TablesDeps, profile: Profile): WorkbookContent {
  const file = deps.configFile();
  if (!file) return { channels: [], points: [], devices: [] };
  const box = readBoxFile(file);
  const { name, exists } = pickDriver(box.config, profile, undefined);
  const driver = box.config.drivers.find((d) => d.name === name);
  if (!exists || !driver) return { channels: [], points: [], devices: [] };
  const cfg = driver.config ?? {};
  const tables =
    typeof cfg.tablesFile === 'string' ? (JSON.parse(readFileSync(tablesPath(box, name, cfg), 'utf8')) as Record<string, unknown>) : cfg;
  const models = modelsFor(box);
  return {
    ...profile.fromDriverTables(tables),
    devices: rowsFromDevices(driver.devices, (pk, prop) => models.get(pk)?.properties.get(prop)?.def.name),
  };
}

async function withTemp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'pe-eba-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The uploads as files the CLI's reader takes: only the name's last part is kept (CSV files are matched to sheets by it, e.g. `点位表.csv`). */
async function writeUploads(dir: string, files: EbaUpload[]): Promise<string[]> {
  const paths: string[] = [];
  for (const [i, f] of files.entries()) {
    const path = join(dir, `${i}-${basename(f.name.replace(/\\/g, '/')).replace(/^\.+/, '')}`);
    await writeFile(path, f.data);
    paths.push(path);
  }
  return paths;
}

async function importWorkbook(
  deps: TablesDeps,
  profile: Profile,
  files: EbaUpload[],
  checkOnly: boolean,
  onProgress: ((done: number, total: number) => void) | undefined,
) {
  const box = checkOnly ? (deps.configFile() ? readBoxFile(deps.configFile()!) : undefined) : boxFile(deps);
  const failed = (message: string) => ({ ok: false as const, errors: [{ sheet: '-', row: 0, message }] });
  return withTemp(async (dir) => {
    const paths = await writeUploads(dir, files);
    onProgress?.(0, 3);
    let sheets;
    try {
      sheets = await readWorkbook(paths, profile);
    } catch (err) {
      const kind = paths.length === 1 && /\.xlsx$/i.test(paths[0]!) ? 'not a readable .xlsx workbook' : 'not readable';
      return failed(`${kind} (${(err as Error).message})`);
    }
    onProgress?.(1, 3);
    const result = validateWorkbook(profile, sheets, modelsFor(box));
    if (!result.ok)
      return {
        ok: false as const,
        errors: result.problems.map((p) => ({ sheet: p.sheet, row: p.row, column: p.column, value: p.value, message: p.reason })),
      };
    onProgress?.(2, 3);
    if (!checkOnly && box) {
      applyImport(box, profile, undefined, result);
      await deps.redeploy(readFileSync(box.file, 'utf8'), 'console-import');
    }
    onProgress?.(3, 3);
    return { ok: true as const, applied: !checkOnly, counts: { ...result.counts } };
  });
}

const columnsOf = (spec: TableSpec) => spec.columns.map((c) => ({ key: c.key, header: c.header, note: c.note }));

export function ebaTablesService(deps: TablesDeps): EbaTablesService {
  return {
    types: () => [...PROFILES.keys()],
    async view(type, sheet) {
      const profile = profileOf(type);
      const spec = sheet === 'devices' ? DEVICE_TABLE : profile[sheet];
      return { columns: columnsOf(spec), rows: content(deps, profile)[sheet].map((r) => rowCells(spec, r).map(String)) };
    },
    importWorkbook: (type, files, o, onProgress) => importWorkbook(deps, profileOf(type), files, o.checkOnly, onProgress),
    async exportWorkbook(type, o) {
      const profile = profileOf(type);
      return withTemp(async (dir) => {
        const file = join(dir, 'points.xlsx');
        await writeXlsx(file, profile, o.template ? { channels: [], points: [], devices: [] } : content(deps, profile));
        return readFile(file);
      });
    },
  };
}
