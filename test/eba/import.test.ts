/**
 * Point-table import: the example workbook round-trips (import → export → import gives the
 * same tables); a deliberately broken workbook applies nothing and reports each error on its
 * row; CSV sheets import the same way; the CLI writes the box config and the tables file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelsFor } from '../../edge/eba/apply.js';
import { modbusV3Profile } from '../../edge/eba/profiles/modbus-v3.js';
import { validateWorkbook } from '../../edge/eba/validate.js';
import { readCsv, readXlsx, writeCsv, writeXlsx } from '../../edge/eba/workbook-io.js';
import { DEVICE_TABLE, rowsFromDevices } from '../../edge/eba/devices-table.js';

const EXAMPLE = resolve('config/examples/modbus-v3-example.xlsx');
const models = modelsFor(undefined);
const tmp = (): string => mkdtempSync(join(tmpdir(), 'eba-test-'));

describe('EBA point-table import', () => {
  it('accepts the example workbook and round-trips it through export', async () => {
    const first = validateWorkbook(modbusV3Profile, await readXlsx(EXAMPLE), models);
    expect(first.problems).toEqual([]);
    expect(first.counts).toEqual({ channels: 1, points: 16, devices: 2, mappings: 16 });
    const out = join(tmp(), 'back.xlsx');
    await writeXlsx(out, modbusV3Profile, {
      channels: first.channels,
      points: first.points,
      devices: rowsFromDevices(first.devices, () => undefined),
    });
    const second = validateWorkbook(modbusV3Profile, await readXlsx(out), models);
    expect(second.ok).toBe(true);
    expect(second.points).toEqual(first.points);
    expect(second.channels).toEqual(first.channels);
    expect(second.devices).toEqual(first.devices);
    const dev = first.devices[0]!;
    expect(dev).toMatchObject({ productKey: 'yxykHw01', deviceName: 'GT-HBA704I-Modbus-001', alias: '1号楼智能仪表' });
    expect((dev.custom as { points: Record<string, string> }).points.Voltage).toBe('1-Voltage');
  });

  it('reads CSV sheets as text (a bare hex address stays hex) and gives the same tables', async () => {
    const xlsx = validateWorkbook(modbusV3Profile, await readXlsx(EXAMPLE), models);
    const files = writeCsv(join(tmp(), 'example'), modbusV3Profile, {
      channels: xlsx.channels,
      points: xlsx.points,
      devices: rowsFromDevices(xlsx.devices, () => undefined),
    });
    // Write one address bare ("03E8", which a number-guessing CSV reader would break).
    const pointsCsv = files[1]!;
    writeFileSync(pointsCsv, readFileSync(pointsCsv, 'utf8').replace('0x03E8', '03E8'));
    const csv = validateWorkbook(
      modbusV3Profile,
      await readCsv(files, [modbusV3Profile.channels, modbusV3Profile.points, DEVICE_TABLE]),
      models,
    );
    expect(csv.problems).toEqual([]);
    expect(csv.points).toEqual(xlsx.points);
    expect(csv.devices).toEqual(xlsx.devices);
  });

  it('applies nothing from a broken workbook and reports every error on its row', async () => {
    const sheets = await readXlsx(EXAMPLE);
    const points = sheets.find((s) => s.name === '点位表')!;
    const col = (h: string): number => points.headers.indexOf(h);
    const row = (n: number): string[] => points.rows.find((r) => r.row === n)!.cells;
    row(3)[col('点位编号')] = row(2)[col('点位编号')]!; // duplicate point number
    row(4)[col('寄存器地址')] = '0xZZ'; // bad hex
    row(5)[col('寄存器操作类型')] = '保持寄存器(03读/10写)';
    row(8)[col('数据类型')] = 'float'; // row 8 is a coil: bool only
    row(5)[col('数据类型')] = 'uint32';
    row(5)[col('缩放因子')] = '0'; // scale 0
    row(6)[col('连接通道')] = 'C9'; // unknown channel
    row(2)[col('比特位置')] = '3'; // bit position on a non-bits point
    const result = validateWorkbook(modbusV3Profile, sheets, models);
    expect(result.ok).toBe(false);
    expect(result.channels).toEqual([]);
    expect(result.points).toEqual([]);
    expect(result.devices).toEqual([]);
    const seen = result.problems.filter((p) => p.sheet === '点位表').map((p) => [p.row, p.column, p.value, p.reason]);
    expect(seen).toEqual([
      [2, '比特位置', '3', expect.stringMatching(/only to bits/)],
      [3, '点位编号', '1-RunHours', 'duplicate: already used on row 2'],
      [4, '寄存器地址', '0xZZ', expect.stringMatching(/hexadecimal/)],
      [5, '缩放因子', '0', 'scale factor must be a number other than 0'],
      [6, '连接通道', 'C9', 'unknown channel: not in the channel sheet'],
      [8, '数据类型', 'float', 'coil status points support only bool, not float'],
    ]);
    // Device rows whose points failed are reported too, on the device sheet.
    expect(result.problems.some((p) => p.sheet === '设备表' && p.column === '点位编号' && p.value === '1-Energy')).toBe(true);
  });

  it('checks device rows against the thing models', async () => {
    const sheets = await readXlsx(EXAMPLE);
    const devs = sheets.find((s) => s.name === '设备表')!;
    const c = (h: string): number => devs.headers.indexOf(h);
    devs.rows[0]!.cells[c('设备品类')] = 'NoSuchModel';
    devs.rows[1]!.cells[c('标识符')] = 'Nonexistent';
    devs.rows[2]!.cells[c('标识符')] = 'ModelName'; // a float point feeding a text property
    const result = validateWorkbook(modbusV3Profile, sheets, models);
    const reasons = result.problems.map((p) => `${p.row}:${p.column}:${p.reason}`);
    expect(reasons).toContain('2:设备品类:no thing model with this productKey on the box');
    expect(reasons).toContain('3:标识符:property not in the thing model yxykHw01');
    expect(reasons).toContain('4:点位编号:a float point feeds a number, bool or enum property, ModelName is text');
  });

  it('edge import points writes the config and tables, and refuses a broken file with a report', () => {
    const dir = tmp();
    const box = join(dir, 'box.yaml');
    writeFileSync(box, 'box:\n  dataDir: ./data\ndrivers: []\n');
    const edge = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', resolve('edge/main.ts'), ...args], { encoding: 'utf8', cwd: resolve('.') });
    const ok = edge('import', 'points', EXAMPLE, '-c', box);
    expect(ok.stdout).toMatch(/imported 1 channels, 16 points, 2 devices/);
    expect(ok.status).toBe(0);
    const tables = join(dir, 'data', 'drivers', 'Official_ModbusV3_EBA_Points', 'tables.json');
    expect(existsSync(tables)).toBe(true);
    const yaml = readFileSync(box, 'utf8');
    expect(yaml).toMatch(/type: modbus-v3/);
    expect(yaml).toMatch(/tablesSha256: [0-9a-f]{64}/);

    const broken = join(dir, 'broken.csv');
    writeFileSync(broken, '通道编号,传输方式,IP地址,端口号\nC1,TCP,999.1.1.1,502\n');
    const before = readFileSync(box, 'utf8');
    const report = join(dir, 'report.csv');
    const bad = edge('import', 'points', broken, '-c', box, '--report', report);
    expect(bad.status).toBe(1);
    expect(readFileSync(box, 'utf8')).toBe(before); // nothing applied
    const text = readFileSync(report, 'utf8');
    expect(text).toMatch(/表名,行号,列名,值,失败原因/);
    expect(text).toMatch(/通道配置表,2,IP地址,999\.1\.1\.1,must be an IPv4 address/);
    expect(text).toMatch(/点位表,0,,,sheet 点位表 is missing/);
  }, 60_000);
});
