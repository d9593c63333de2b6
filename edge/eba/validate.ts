/**
 * Whole-workbook pre-validation [seed 001 L16459-16473]: every sheet, every row, every cell is
 * checked before anything applies, and every failure is reported on its row (sheet, row,
 * column, value, reason). Only a workbook without a single problem yields tables to apply.
 */
import type { DeviceConfig } from '../host/host.js';
import type { ThingModelLibrary } from '../thing/library.js';
import { DEVICE_TABLE, devicesFromRows } from './devices-table.js';
import type { EbaProfile } from './profile.js';
import type { ColumnSpec, Row, RowProblem, TableSpec } from './table-schema.js';

/** A sheet as read from XLSX or CSV: cell texts by column, with spreadsheet row numbers. */
export interface RawSheet {
  name: string;
  headers: string[];
  rows: { row: number; cells: string[] }[];
}

export interface CheckedRow {
  row: number;
  data: Row;
}

export interface ImportResult {
  ok: boolean;
  problems: RowProblem[];
  channels: Row[];
  points: Row[];
  devices: DeviceConfig[];
  counts: { channels: number; points: number; devices: number; mappings: number };
}

const clean = (s: string): string => s.replace(/\s+/g, '').toLowerCase();
const matches = (name: string, header: string, aliases: readonly string[] = []): boolean =>
  [header, ...aliases].some((h) => clean(h) === clean(name));

export function findSheet(sheets: readonly RawSheet[], spec: TableSpec): RawSheet | undefined {
  return sheets.find((s) => matches(s.name, spec.sheet, spec.aliases));
}

/** Parse one table: cells, required columns, row rules, uniqueness. */
export function checkTable(spec: TableSpec, sheet: RawSheet | undefined, problems: RowProblem[]): CheckedRow[] {
  if (!sheet) {
    problems.push({ sheet: spec.sheet, row: 0, column: '', value: '', reason: `sheet ${spec.sheet} is missing` });
    return [];
  }
  const at = new Map<ColumnSpec, number>();
  let headerMissing = false;
  for (const col of spec.columns) {
    const i = sheet.headers.findIndex((h) => matches(h, col.header, col.aliases));
    if (i >= 0) at.set(col, i);
    else if (col.required) {
      problems.push({ sheet: spec.sheet, row: 1, column: col.header, value: '', reason: 'required column is missing' });
      headerMissing = true;
    }
  }
  // Rows of a sheet that lacks a required column cannot be read (another template, e.g. a BACnet
  // workbook given as ModbusV3): the header problems say it, row rules would only run on holes.
  if (headerMissing) return [];
  const out: CheckedRow[] = [];
  const firstRowOf = new Map<unknown, number>();
  for (const { row, cells } of sheet.rows) {
    if (cells.every((c) => c.trim() === '')) continue;
    const data: Row = {};
    let bad = false;
    const report = (col: ColumnSpec, value: string, reason: string): void => {
      problems.push({ sheet: spec.sheet, row, column: col.header, value, reason });
      bad = true;
    };
    for (const col of spec.columns) {
      const i = at.get(col);
      const cell = i === undefined ? '' : (cells[i] ?? '').trim();
      if (cell === '') {
        if (col.required && i !== undefined) report(col, cell, 'required');
        continue;
      }
      const parsed = col.parse(cell);
      if ('error' in parsed) report(col, cell, parsed.error);
      else data[col.key] = parsed.value;
    }
    if (!bad && spec.rowProblems) {
      for (const p of spec.rowProblems(data)) {
        const col = spec.columns.find((c) => c.key === p.field) ?? spec.columns[0]!;
        report(col, cellText(data[p.field], col), p.reason);
      }
    }
    if (spec.unique && data[spec.unique] !== undefined) {
      const key = data[spec.unique];
      const first = firstRowOf.get(key);
      const col = spec.columns.find((c) => c.key === spec.unique)!;
      if (first !== undefined) report(col, String(key), `duplicate: already used on row ${first}`);
      else firstRowOf.set(key, row);
    }
    if (!bad) out.push({ row, data });
  }
  return out;
}

function cellText(v: unknown, col: ColumnSpec): string {
  if (v === undefined) return '';
  return String(col.format ? col.format(v) : v);
}

/** Check the three sheets and their cross references. Nothing is applied here. */
export function validateWorkbook(profile: EbaProfile, sheets: readonly RawSheet[], models: Pick<ThingModelLibrary, 'get'>): ImportResult {
  const problems: RowProblem[] = [];
  const channels = checkTable(profile.channels, findSheet(sheets, profile.channels), problems);
  const points = checkTable(profile.points, findSheet(sheets, profile.points), problems);
  const deviceRows = checkTable(DEVICE_TABLE, findSheet(sheets, DEVICE_TABLE), problems);
  const { channelId, pointId, pointChannel } = profile.keys;

  const channelIds = new Set(channels.map((c) => c.data[channelId]));
  const pointById = new Map<unknown, Row>();
  const pointsOk: CheckedRow[] = [];
  for (const p of points) {
    if (!channelIds.has(p.data[pointChannel])) {
      problems.push({
        sheet: profile.points.sheet,
        row: p.row,
        column: header(profile.points, pointChannel),
        value: String(p.data[pointChannel]),
        reason: 'unknown channel: not in the channel sheet',
      });
      continue;
    }
    pointById.set(p.data[pointId], p.data);
    pointsOk.push(p);
  }

  const { devicesOk, deviceCount } = checkDevices(profile, deviceRows, pointById, models, problems);

  const ok = problems.length === 0;
  const devices = ok ? devicesFromRows(devicesOk) : [];
  problems.sort((a, b) => sheetOrder(profile, a.sheet) - sheetOrder(profile, b.sheet) || a.row - b.row);
  return {
    ok,
    problems,
    channels: ok ? channels.map((c) => c.data) : [],
    points: ok ? pointsOk.map((p) => p.data) : [],
    devices,
    counts: { channels: channels.length, points: pointsOk.length, devices: deviceCount, mappings: devicesOk.length },
  };
}

/**
 * The device sheet: each row's thing model, point and property exist and fit; a device keeps one
 * category; a property is mapped once per device. Returns the rows without a problem.
 */
function checkDevices(
  profile: EbaProfile,
  deviceRows: CheckedRow[],
  pointById: Map<unknown, Row>,
  models: Pick<ThingModelLibrary, 'get'>,
  problems: RowProblem[],
): { devicesOk: Row[]; deviceCount: number } {
  const devSheet = DEVICE_TABLE.sheet;
  const col = (k: string): string => header(DEVICE_TABLE, k);
  const seenDevice = new Map<string, { productKey: unknown; alias: unknown; row: number }>();
  const seenMapping = new Map<string, number>();
  const devicesOk: Row[] = [];
  for (const { row, data } of deviceRows) {
    const fail = (k: string, reason: string): void => {
      problems.push({ sheet: devSheet, row, column: col(k), value: String(data[k] ?? ''), reason });
    };
    const before = problems.length;
    const model = models.get(String(data.productKey));
    if (!model) fail('productKey', 'no thing model with this productKey on the box');
    const point = pointById.get(data.point);
    if (!point) fail('point', 'unknown point: not in the point sheet (or its row has errors)');
    const property = model?.properties.get(String(data.property));
    if (model && !property) fail('property', `property not in the thing model ${String(data.productKey)}`);
    if (point && property) {
      const why = profile.propertyMismatch?.(point, property.def);
      if (why) fail('point', why);
    }
    const dev = String(data.deviceName);
    const prev = seenDevice.get(dev);
    if (prev && prev.productKey !== data.productKey)
      fail('productKey', `device already has category ${String(prev.productKey)} on row ${prev.row}`);
    if (!prev) seenDevice.set(dev, { productKey: data.productKey, alias: data.alias, row });
    const mapKey = `${dev}/${String(data.property)}`;
    const first = seenMapping.get(mapKey);
    if (first !== undefined) fail('property', `property already mapped for this device on row ${first}`);
    else seenMapping.set(mapKey, row);
    if (problems.length === before) devicesOk.push(data);
  }
  return { devicesOk, deviceCount: seenDevice.size };
}

function header(spec: TableSpec, key: string): string {
  return spec.columns.find((c) => c.key === key)?.header ?? key;
}

function sheetOrder(profile: EbaProfile, sheet: string): number {
  return [profile.channels.sheet, profile.points.sheet, DEVICE_TABLE.sheet].indexOf(sheet);
}
