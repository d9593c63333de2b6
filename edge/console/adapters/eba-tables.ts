/**
 * EBA point tables for the console, on top of edge/eba (the same functions `edge import/export
 * points` use): the workbook is validated whole; on any row problem nothing changes and every
 * problem is returned; on success the tables and devices are written into the box config and
 * the running daemon redeploys at once (the CLI leaves that to SIGHUP).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyImport, modelsFor, pickDriver, readBoxFile, tablesPath } from '../../eba/apply.js';
import { rowsFromDevices } from '../../eba/devices-table.js';
import { PROFILES } from '../../eba/profiles/index.js';
import { validateWorkbook } from '../../eba/validate.js';
import { readWorkbook, writeXlsx, type WorkbookContent } from '../../eba/workbook-io.js';
import type { EbaTablesService } from '../services.js';

type TablesDeps = { configFile: () => string | undefined; redeploy: (text: string, source: string) => Promise<unknown>; type?: string };
type Profile = NonNullable<ReturnType<typeof PROFILES.get>>;

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

/** Read, validate whole, apply and redeploy an uploaded workbook; every problem is returned, nothing changes on one. */
async function importWorkbook(
  deps: TablesDeps,
  profile: Profile,
  data: Buffer,
  onProgress: ((done: number, total: number) => void) | undefined,
) {
  const box = boxFile(deps);
  return withTemp(async (dir) => {
    const file = join(dir, 'upload.xlsx');
    await writeFile(file, data);
    onProgress?.(0, 3);
    let sheets;
    try {
      sheets = await readWorkbook([file], profile);
    } catch (err) {
      return { ok: false as const, errors: [{ sheet: '-', row: 0, message: `not a readable .xlsx workbook (${(err as Error).message})` }] };
    }
    onProgress?.(1, 3);
    const result = validateWorkbook(profile, sheets, modelsFor(box));
    if (!result.ok)
      return {
        ok: false as const,
        errors: result.problems.map((p) => ({
          sheet: p.sheet,
          row: p.row,
          column: p.column,
          message: p.value === '' ? p.reason : `${p.reason} (${JSON.stringify(p.value)})`,
        })),
      };
    onProgress?.(2, 3);
    applyImport(box, profile, undefined, result);
    await deps.redeploy(readFileSync(box.file, 'utf8'), 'console-import');
    onProgress?.(3, 3);
    return { ok: true as const, counts: { ...result.counts } };
  });
}

export function ebaTablesService(deps: TablesDeps): EbaTablesService {
  const profile = PROFILES.get(deps.type ?? 'modbus-v3')!;
  return {
    async view(sheet) {
      return content(deps, profile)[sheet];
    },
    importWorkbook: (data, onProgress) => importWorkbook(deps, profile, data, onProgress),
    async exportWorkbook() {
      return withTemp(async (dir) => {
        const file = join(dir, 'points.xlsx');
        await writeXlsx(file, profile, content(deps, profile));
        return readFile(file);
      });
    },
  };
}
