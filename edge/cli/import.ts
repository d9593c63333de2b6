/**
 * `edge import points <file.xlsx | sheet.csv...> [-c box.yaml] [--driver name] [--report out.csv] [--check]`
 * `edge export points <out.xlsx | out-base.csv> [-c box.yaml] [--driver name] [--template]`
 *
 * Import validates the whole workbook first; on any problem nothing is applied and the
 * per-row report is printed (or written with --report). On success the tables and devices
 * are written into the box config (edge/eba/apply.ts); a running daemon applies them on
 * SIGHUP. Works without the console and without a running daemon.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/load.js';
import { applyImport, modelsFor, pickDriver, readBoxFile, tablesPath, type BoxFile } from '../eba/apply.js';
import { rowsFromDevices } from '../eba/devices-table.js';
import { PROFILES } from '../eba/profiles/index.js';
import { validateWorkbook } from '../eba/validate.js';
import { readWorkbook, reportCsv, writeCsv, writeXlsx } from '../eba/workbook-io.js';

const IMPORT_USAGE =
  'usage: edge import points <file.xlsx | sheet.csv...> [-c box.yaml] [--driver name] [--type modbus-v3] [--report out.csv] [--check]\n';
const EXPORT_USAGE = 'usage: edge export points <out.xlsx | out-base.csv> [-c box.yaml] [--driver name] [--type modbus-v3] [--template]\n';

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  driver: { type: 'string' },
  type: { type: 'string', default: 'modbus-v3' },
  report: { type: 'string' },
  check: { type: 'boolean', default: false },
  template: { type: 'boolean', default: false },
} as const;

function profileOf(type: string) {
  const p = PROFILES.get(type);
  if (!p) throw new Error(`no point-table profile for driver type ${type} (known: ${[...PROFILES.keys()].join(', ')})`);
  return p;
}

export async function importCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true });
  const [what, ...files] = positionals;
  if (what !== 'points' || files.length === 0) {
    process.stderr.write(IMPORT_USAGE);
    return 2;
  }
  const configFile = values.config ?? process.env.EDGE_CONFIG;
  if (!configFile && !values.check) {
    process.stderr.write(`edge import points needs the box config to write to (-c box.yaml), or --check to only validate\n${IMPORT_USAGE}`);
    return 2;
  }
  try {
    const profile = profileOf(values.type);
    const box: BoxFile | undefined = configFile ? readBoxFile(configFile) : undefined;
    const result = validateWorkbook(profile, await readWorkbook(files, profile), modelsFor(box));
    if (!result.ok) {
      if (values.report) {
        writeFileSync(values.report, reportCsv(result.problems));
        process.stdout.write(`${result.problems.length} problem(s); nothing applied. Report written to ${values.report}\n`);
      } else {
        for (const p of result.problems)
          process.stdout.write(`${p.sheet} row ${p.row} ${p.column} ${JSON.stringify(p.value)}: ${p.reason}\n`);
        process.stdout.write(`${result.problems.length} problem(s); nothing applied\n`);
      }
      return 1;
    }
    const c = result.counts;
    const summary = `${c.channels} channels, ${c.points} points, ${c.devices} devices, ${c.mappings} property mappings`;
    if (values.check || !box) {
      process.stdout.write(`valid: ${summary}\n`);
      return 0;
    }
    const applied = applyImport(box, profile, values.driver, result);
    process.stdout.write(
      `imported ${summary} into driver ${applied.driver}\n  tables: ${applied.tablesFile}\n  config: ${box.file}\n  a running daemon applies it on SIGHUP (systemctl reload property-edge, or kill -HUP <pid>)\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const p of err.problems) process.stderr.write(`config ${p.path}: ${p.message} (hint: ${p.hint})\n`);
      return 1;
    }
    process.stderr.write(`edge import points: ${(err as Error).message}\n`);
    return 1;
  }
}

export async function exportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true });
  const [what, out] = positionals;
  if (what !== 'points' || !out) {
    process.stderr.write(EXPORT_USAGE);
    return 2;
  }
  try {
    const profile = profileOf(values.type);
    let content = {
      channels: [] as Record<string, unknown>[],
      points: [] as Record<string, unknown>[],
      devices: [] as Record<string, unknown>[],
    };
    if (!values.template) {
      const configFile = values.config ?? process.env.EDGE_CONFIG;
      if (!configFile) throw new Error('needs -c box.yaml (or --template for the blank template)');
      const box = readBoxFile(configFile);
      const { name, exists } = pickDriver(box.config, profile, values.driver);
      const driver = box.config.drivers.find((d) => d.name === name);
      if (!exists || !driver) throw new Error(`no driver ${name} in ${box.file}`);
      const cfg = driver.config ?? {};
      const tables =
        typeof cfg.tablesFile === 'string'
          ? (JSON.parse(readFileSync(tablesPath(box, name, cfg), 'utf8')) as Record<string, unknown>)
          : cfg;
      const models = modelsFor(box);
      content = {
        ...profile.fromDriverTables(tables),
        devices: rowsFromDevices(driver.devices, (pk, prop) => models.get(pk)?.properties.get(prop)?.def.name),
      };
    }
    if (/\.xlsx$/i.test(out)) await writeXlsx(out, profile, content);
    else {
      const files = writeCsv(out.replace(/\.csv$/i, ''), profile, content);
      process.stdout.write(`${files.join('\n')}\n`);
    }
    process.stdout.write(
      `exported ${content.channels.length} channels, ${content.points.length} points, ${content.devices.length} device rows to ${out}\n`,
    );
    return 0;
  } catch (err) {
    process.stderr.write(`edge export points: ${(err as Error).message}\n`);
    return 1;
  }
}
