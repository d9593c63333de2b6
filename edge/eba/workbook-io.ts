/**
 * Reading and writing the three-sheet template (通道配置表, 点位表, 设备表) as XLSX (exceljs)
 * or CSV (one file per sheet, recognised by its header row), and the failure report.
 */
import { writeFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type ExcelJS from 'exceljs';

// exceljs costs ~30 MB of RSS: loaded on the first import/export, not at box start.
async function newWorkbook(): Promise<ExcelJS.Workbook> {
  const { default: lib } = await import('exceljs');
  return new lib.Workbook();
}
import { DEVICE_TABLE } from './devices-table.js';
import type { EbaProfile } from './profile.js';
import type { Row, RowProblem, TableSpec } from './table-schema.js';
import type { RawSheet } from './validate.js';

/** Any exceljs cell value as the text a user typed. */
function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') {
    if (v instanceof Date) return v.toISOString();
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('text' in v) return String(v.text);
    if ('result' in v) return v.result === undefined || v.result === null ? '' : String(v.result);
    if ('error' in v) return String(v.error);
    return '';
  }
  return String(v);
}

function toRawSheet(ws: ExcelJS.Worksheet, name = ws.name): RawSheet {
  const headers: string[] = [];
  ws.getRow(1).eachCell({ includeEmpty: true }, (cell, col) => (headers[col - 1] = cellText(cell.value).trim()));
  const rows: RawSheet['rows'] = [];
  ws.eachRow({ includeEmpty: false }, (r, n) => {
    if (n === 1) return;
    const cells: string[] = [];
    for (let c = 1; c <= headers.length; c++) cells.push(cellText(r.getCell(c).value));
    rows.push({ row: n, cells });
  });
  return { name, headers, rows };
}

export async function readXlsx(file: string): Promise<RawSheet[]> {
  const wb = await newWorkbook();
  await wb.xlsx.readFile(file);
  return wb.worksheets.map((ws) => toRawSheet(ws));
}

/**
 * Read CSV files, each one sheet. A file is matched to a table by the table's sheet name in
 * the file name, or else by its header row. Cells stay text (no number/date guessing:
 * a register address `0010` must not become 10).
 */
export async function readCsv(files: string[], tables: readonly TableSpec[]): Promise<RawSheet[]> {
  const sheets: RawSheet[] = [];
  for (const file of files) {
    const wb = await newWorkbook();
    const ws = await wb.csv.readFile(file, { map: (v: unknown) => v } as never);
    const raw = toRawSheet(ws, basename(file, extname(file)));
    if (raw.headers[0]) raw.headers[0] = raw.headers[0].replace(/^\uFEFF/, '');
    const byName = tables.find((t) => raw.name.includes(t.sheet));
    const byHeader = tables.find((t) =>
      t.columns.filter((c) => c.required).every((c) => raw.headers.some((h) => [c.header, ...(c.aliases ?? [])].includes(h))),
    );
    const table = byName ?? byHeader;
    sheets.push({ ...raw, name: table?.sheet ?? raw.name });
  }
  return sheets;
}

export async function readWorkbook(files: string[], profile: EbaProfile): Promise<RawSheet[]> {
  if (files.length === 1 && /\.xlsx$/i.test(files[0]!)) return readXlsx(files[0]!);
  if (files.every((f) => /\.csv$/i.test(f))) return readCsv(files, [profile.channels, profile.points, DEVICE_TABLE]);
  throw new Error('give one .xlsx workbook or one .csv file per sheet');
}

/** A row as the workbook shows it: one cell per template column, formatted as on export (hex addresses). */
export function rowCells(spec: TableSpec, r: Row): (string | number)[] {
  return spec.columns.map((c) => {
    const v = r[c.key];
    if (v === undefined || v === null) return '';
    return c.format ? c.format(v) : typeof v === 'number' ? v : String(v);
  });
}

export interface WorkbookContent {
  channels: Row[];
  points: Row[];
  devices: Row[];
}

/** Write the template (empty content gives the blank template to download). */
export async function writeXlsx(file: string, profile: EbaProfile, content: WorkbookContent): Promise<void> {
  const wb = await newWorkbook();
  for (const [spec, rows] of [
    [profile.channels, content.channels],
    [profile.points, content.points],
    [DEVICE_TABLE, content.devices],
  ] as const) {
    const ws = wb.addWorksheet(spec.sheet);
    ws.columns = spec.columns.map((c) => ({ header: c.header, key: c.key, width: Math.max(10, Math.min(40, c.header.length * 2 + 4)) }));
    ws.getRow(1).font = { bold: true };
    spec.columns.forEach((c, i) => {
      if (c.note) ws.getRow(1).getCell(i + 1).note = c.note;
    });
    for (const r of rows) ws.addRow(rowCells(spec, r));
  }
  await wb.xlsx.writeFile(file);
}

const csvCell = (v: string | number): string => {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Write one CSV per sheet: `<base>.<sheet>.csv`, with a BOM so spreadsheet programs read UTF-8. */
export function writeCsv(base: string, profile: EbaProfile, content: WorkbookContent): string[] {
  const files: string[] = [];
  for (const [spec, rows] of [
    [profile.channels, content.channels],
    [profile.points, content.points],
    [DEVICE_TABLE, content.devices],
  ] as const) {
    const lines = [spec.columns.map((c) => csvCell(c.header)).join(','), ...rows.map((r) => rowCells(spec, r).map(csvCell).join(','))];
    const file = `${base}.${spec.sheet}.csv`;
    writeFileSync(file, `\uFEFF${lines.join('\r\n')}\r\n`);
    files.push(file);
  }
  return files;
}

/** The downloadable failure report [seed 001 L16466-16473]: one line per failure. */
export function reportCsv(problems: readonly RowProblem[]): string {
  const lines = [
    ['表名', '行号', '列名', '值', '失败原因'].join(','),
    ...problems.map((p) => [p.sheet, p.row, p.column, p.value, p.reason].map(csvCell).join(',')),
  ];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
