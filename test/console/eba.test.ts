/**
 * The console's EBA point tables for both templates (issue 22 item 7): a BACnetV3 workbook is
 * checked without applying, then imported; a ModbusV3 table set arrives as three CSV files;
 * views carry the template's headers and hex addresses; a failed import's report downloads as
 * the CLI's CSV; the blank template downloads; a workbook of the other template is reported by
 * its missing columns instead of crashing the import.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelsFor } from '../../edge/eba/apply.js';
import { rowsFromDevices } from '../../edge/eba/devices-table.js';
import { PROFILES } from '../../edge/eba/profiles/index.js';
import { validateWorkbook } from '../../edge/eba/validate.js';
import { readXlsx, writeCsv } from '../../edge/eba/workbook-io.js';
import { freePort } from '../bacnet/helpers.js';
import { DEMO_DRIVERS, startConsoleBox, waitFor, type ConsoleBox } from './box.js';
import { ConsoleClient } from './client.js';
import { bacnetWorkbook, EXAMPLE_WORKBOOK } from './workbook.js';

const PASSWORD = 'eba-console-Pass-1';
const tmp = mkdtempSync(join(tmpdir(), 'pe-console-eba-'));
describe('console EBA point tables', () => {
  let box: ConsoleBox;
  let c: ConsoleClient;
  beforeAll(async () => {
    const port = await freePort('127.0.0.30');
    const bacnetDriver = `  - name: Official_BACnetV3_EBA_Points
    type: bacnet-v3
    config: { bindAddress: 127.0.0.30, localPort: ${port}, channels: [], points: [] }
    devices: []
`;
    box = await startConsoleBox('', `${DEMO_DRIVERS}${bacnetDriver}`);
    c = new ConsoleClient(box.runtime.http);
    expect((await c.setup(box.runtime.console!.setupToken!, PASSWORD)).statusCode).toBe(200);
  });
  afterAll(async () => {
    await box?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  const finished = (id: number) =>
    waitFor(async () => {
      const j = (await c.get(`/api/eba/import/${id}`)).json() as { state: string };
      return j.state !== 'running' && (j as Record<string, unknown>);
    });

  it('checks a BACnetV3 workbook without applying it, then imports it; the views use the template headers', async () => {
    const file = join(tmp, 'ahu.xlsx');
    await bacnetWorkbook(file, { address: '127.0.0.1:47999', deviceId: 5533 });
    const before = readFileSync(box.configFile, 'utf8');
    const check = (await c.post('/api/eba/import?type=bacnet-v3&check=yes', readFileSync(file))).json() as { id: number };
    expect(await finished(check.id)).toMatchObject({ state: 'done', checkOnly: true, counts: { channels: 1, points: 2, devices: 1 } });
    expect(readFileSync(box.configFile, 'utf8')).toBe(before);
    const apply = (await c.post('/api/eba/import?type=bacnet-v3', readFileSync(file))).json() as { id: number };
    expect(await finished(apply.id)).toMatchObject({ state: 'done', checkOnly: false });
    expect(readFileSync(box.configFile, 'utf8')).toContain('HW-AHU-001');
    const points = (await c.get('/api/eba/points?type=bacnet-v3')).json() as { columns: { header: string }[]; rows: string[][] };
    expect(points.columns.map((x) => x.header)).toEqual(expect.arrayContaining(['链接通道', '点位编号', '对象类型', '对象ID']));
    expect(points.rows.map((r) => r[points.columns.findIndex((x) => x.header === '点位编号')])).toEqual(['AHU-1-T', 'AHU-1-FAN']);
    // The Modbus tables are untouched by a BACnet import.
    expect((await c.get('/api/eba/points?type=modbus-v3')).json()).toMatchObject({ rows: [] });
  });

  it('imports a ModbusV3 table set given as three CSV files and shows register addresses in hex', async () => {
    const modbus = PROFILES.get('modbus-v3')!;
    const w = validateWorkbook(modbus, await readXlsx(EXAMPLE_WORKBOOK), modelsFor(undefined));
    const base = join(tmp, 'meters.csv');
    const written = writeCsv(base, modbus, {
      channels: w.channels,
      points: w.points,
      devices: rowsFromDevices(w.devices, () => undefined),
    });
    const files = written.map((f) => ({ name: f.split('/').pop()!, data: readFileSync(f).toString('base64') }));
    const { id } = (await c.post('/api/eba/import?type=modbus-v3', { files })).json() as { id: number };
    expect(await finished(id)).toMatchObject({ state: 'done', counts: { channels: w.channels.length, points: w.points.length } });
    const points = (await c.get('/api/eba/points?type=modbus-v3')).json() as { columns: { key: string }[]; rows: string[][] };
    const address = points.columns.findIndex((x) => x.key === 'address');
    expect(points.rows.length).toBe(w.points.length);
    expect(points.rows.every((r) => /^0x[0-9A-F]{4}$/.test(r[address]!))).toBe(true);
  });

  it('reports a workbook of the other template by its missing columns, with the report as CSV', async () => {
    const file = join(tmp, 'ahu-as-modbus.xlsx');
    await bacnetWorkbook(file, { address: '127.0.0.1:47999', deviceId: 5533 });
    const { id } = (await c.post('/api/eba/import?type=modbus-v3&check=yes', readFileSync(file))).json() as { id: number };
    const job = (await finished(id)) as { state: string; errors: { sheet: string; row: number; message: string }[] };
    expect(job.state).toBe('failed');
    // Not a crash ("Cannot read properties of undefined"): the point sheet is named by its missing
    // columns, the channel sheet's BACnet transport is refused with the ModbusV3 choices.
    const points = job.errors.filter((e) => e.sheet === '点位表');
    expect(points.length).toBeGreaterThan(0);
    expect(points.filter((e) => e.row !== 1 || e.message !== 'required column is missing')).toEqual([]);
    expect(job.errors).toContainEqual(
      expect.objectContaining({ sheet: '通道配置表', row: 2, message: expect.stringMatching(/^unknown transport; use one of: TCP/) }),
    );
    const report = await c.get(`/api/eba/import/${id}/report`);
    expect(report.headers['content-type']).toMatch(/^text\/csv/);
    expect(report.body.replace(/^\uFEFF/, '').split('\r\n')[0]).toBe('表名,行号,列名,值,失败原因');
    expect(report.body).toContain('required column is missing');
    expect((await c.get('/api/eba/import/99999/report')).statusCode).toBe(404);
  });

  it('hands out the blank template of each type and refuses bad uploads with a clear message', async () => {
    for (const type of ['modbus-v3', 'bacnet-v3']) {
      const r = await c.get(`/api/eba/export?type=${type}&template=yes`);
      expect(r.headers['content-disposition']).toContain(`${type}-template.xlsx`);
      const out = join(tmp, `${type}-template.xlsx`);
      writeFileSync(out, r.rawPayload);
      const sheets = await readXlsx(out);
      expect(sheets.map((s) => s.name)).toEqual(['通道配置表', '点位表', '设备表']);
      expect(sheets.every((s) => s.rows.length === 0)).toBe(true);
    }
    expect((await c.get('/api/eba/points?type=opcua')).statusCode).toBe(400);
    expect((await c.post('/api/eba/import', { files: [{ name: 'x.txt', data: 'AAAA' }] })).statusCode).toBe(400);
    expect((await c.post('/api/eba/import', { files: [{ name: 'x.csv', data: 'not base64!' }] })).statusCode).toBe(400);
    expect((await c.post('/api/eba/import', { files: [] })).statusCode).toBe(415);
    expect((await c.post('/api/eba/import', { nonsense: 1 })).statusCode).toBe(415);
  });
});
