/**
 * The ModbusV3 driver against pymodbus (Debian python3-pymodbus 3.0) as an independent peer:
 * every data type and swap combination, scaling, bits, strings, custom, coils and discrete
 * inputs; writes with read-back; exception responses; a silent slave; the server killed and
 * restarted.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Driver } from '../../edge/host/sdk/driver.js';
import driverFactory from '../../drivers/modbus-v3/index.js';
import type { DataType, OperationType, PointDef } from '../../protocols/modbus/point.js';
import { waitFor } from '../helpers/wait.js';
import { noHost, recordingHandle, silentLog, startPyModbus, tempDir, type PyModbus, type RecordingHandle } from './helpers.js';

interface Case {
  id: string;
  type: DataType;
  pyType: string;
  value: number | string;
  expected: number | string;
  byteSwap?: boolean;
  wordSwap?: boolean;
  scale?: number;
  count?: number;
  bit?: number;
  area: 'hr' | 'ir';
}

// modbus-serial is CommonJS whose module.exports is the client class.
const ModbusRTU = createRequire(import.meta.url)('modbus-serial') as typeof import('modbus-serial').default;

const NUMERIC: [DataType, number][] = [
  ['int16', -1234],
  ['uint16', 54321],
  ['int32', -123456789],
  ['uint32', 3123456789],
  ['int64', -1234567890123],
  ['uint64', 12345678901234],
  ['float', 3.14159],
  ['double', 2.718281828459045],
];
const WIDTH: Record<string, number> = { int16: 1, uint16: 1, int32: 2, uint32: 2, float: 2, int64: 4, uint64: 4, double: 4 };

function buildCases(): Case[] {
  const cases: Case[] = [];
  for (const [type, value] of NUMERIC) {
    const combos =
      WIDTH[type] === 1
        ? [
            [false, false],
            [true, false],
          ]
        : [
            [false, false],
            [true, false],
            [false, true],
            [true, true],
          ];
    for (const [bs, ws] of combos) {
      cases.push({
        id: `${type}-${bs ? 'B' : 'b'}${ws ? 'W' : 'w'}`,
        type,
        pyType: type,
        value,
        expected: value,
        byteSwap: bs!,
        wordSwap: ws!,
        area: 'hr',
      });
    }
  }
  cases.push({ id: 'int32-scaled', type: 'int32', pyType: 'int32', value: 2345, expected: 234.5, scale: 0.1, area: 'hr' });
  cases.push({ id: 'float-scaled', type: 'float', pyType: 'float', value: 1.25, expected: 12.5, scale: 10, wordSwap: true, area: 'hr' });
  cases.push({ id: 'uint64-scaled', type: 'uint64', pyType: 'uint64', value: 123456789, expected: 123456.789, scale: 0.001, area: 'hr' });
  cases.push({ id: 'string', type: 'string', pyType: 'string', value: 'AHU-01', expected: 'AHU-01', count: 5, area: 'hr' });
  cases.push({ id: 'custom', type: 'custom', pyType: 'raw', value: 'DEADBEEF', expected: 'DEADBEEF', count: 2, area: 'hr' });
  cases.push({ id: 'bits-3', type: 'bits', pyType: 'uint16', value: 0b1000, expected: 1, bit: 3, area: 'hr' });
  cases.push({ id: 'bool-hr', type: 'bool', pyType: 'uint16', value: 7, expected: 1, area: 'hr' });
  cases.push({ id: 'ir-int32', type: 'int32', pyType: 'int32', value: -42, expected: -42, wordSwap: true, area: 'ir' });
  cases.push({ id: 'ir-float', type: 'float', pyType: 'float', value: -0.5, expected: -0.5, byteSwap: true, area: 'ir' });
  return cases;
}

const CASES = buildCases();

function layout(): { spec: unknown; points: PointDef[] } {
  const hr: unknown[] = [];
  const ir: unknown[] = [];
  const points: PointDef[] = [];
  const next = { hr: 0, ir: 100 };
  for (const c of CASES) {
    const addr = next[c.area];
    const width = c.count ?? WIDTH[c.type] ?? 1;
    next[c.area] += width + 1; // a one-register hole between points: the planner bridges it
    (c.area === 'hr' ? hr : ir).push({
      addr,
      type: c.pyType,
      value: c.value,
      byteswap: !!c.byteSwap,
      wordswap: !!c.wordSwap,
      count: c.count,
    });
    const op: OperationType = c.area === 'ir' ? 'input:04' : width === 1 ? 'holding:06' : 'holding:16';
    points.push({
      id: c.id,
      channel: 'C1',
      slave: 1,
      address: addr,
      op,
      dataType: c.type,
      periodMs: 200,
      report: 'periodic',
      ...(c.byteSwap ? { byteSwap: true } : {}),
      ...(c.wordSwap ? { wordSwap: true } : {}),
      ...(c.scale ? { scale: c.scale } : {}),
      ...(c.count ? { count: c.count } : {}),
      ...(c.bit !== undefined ? { bit: c.bit } : {}),
    });
  }
  points.push({ id: 'coil-5', channel: 'C1', slave: 1, address: 5, op: 'coil:05', dataType: 'bool', periodMs: 200, report: 'onChange' });
  points.push({ id: 'coil-6', channel: 'C1', slave: 1, address: 6, op: 'coil:15', dataType: 'bool', periodMs: 200, report: 'periodic' });
  points.push({ id: 'di-9', channel: 'C1', slave: 1, address: 9, op: 'discrete:02', dataType: 'bool', periodMs: 200, report: 'periodic' });
  // Wider than one function-16 write (123 registers): written in two parts.
  hr.push({ addr: 1500, type: 'string', value: 'initial', count: 125 });
  points.push({
    id: 'long-string',
    channel: 'C1',
    slave: 1,
    address: 1500,
    op: 'holding:16',
    dataType: 'string',
    count: 125,
    periodMs: 200,
    report: 'onChange',
  });
  points.push({
    id: 'long-custom',
    channel: 'C1',
    slave: 1,
    address: 1700,
    op: 'holding:06',
    dataType: 'custom',
    count: 124,
    periodMs: 200,
    report: 'onChange',
  });
  // Past the end of pymodbus's 2000-register block: answered with ILLEGAL DATA ADDRESS.
  points.push({
    id: 'beyond',
    channel: 'C1',
    slave: 1,
    address: 1999,
    op: 'holding:16',
    dataType: 'int32',
    periodMs: 200,
    report: 'periodic',
  });
  // Slave 9 does not exist: pymodbus stays silent, the driver times out.
  points.push({
    id: 'ghost',
    channel: 'C1',
    slave: 9,
    address: 0,
    op: 'holding:06',
    dataType: 'uint16',
    periodMs: 200,
    report: 'periodic',
  });
  const spec = { slaves: { '1': { hr, ir, co: { '5': 1 }, di: { '9': 1 } } } };
  return { spec, points };
}

describe('ModbusV3 driver against pymodbus', () => {
  let server: PyModbus;
  let driver: Driver;
  let main: RecordingHandle;
  let broken: RecordingHandle;
  let ghost: RecordingHandle;
  let long: RecordingHandle;

  beforeAll(async () => {
    const { spec, points } = layout();
    server = await startPyModbus(spec);
    driver = await driverFactory({
      name: 'Test_ModbusV3_EBA_Points',
      config: {
        channels: [{ id: 'C1', transport: 'tcp', host: '127.0.0.1', port: server.port, minIntervalMs: 0 }],
        points,
        timeoutMs: 400,
        backoffMinMs: 200,
        backoffMaxMs: 1000,
        statsIntervalMs: 0,
      },
      deviceList: [],
      log: silentLog,
      dataDir: tempDir(),
      host: noHost,
    });
    await driver.start?.();
    const mapping = Object.fromEntries([
      ...CASES.map((c) => [`P_${c.id.replace(/-/g, '_')}`, c.id]),
      ['Coil5', 'coil-5'],
      ['Coil6', 'coil-6'],
      ['Input9', 'di-9'],
    ]);
    main = recordingHandle('EBATest', 'main', { points: mapping });
    broken = recordingHandle('EBATest', 'broken', { points: { Far: 'beyond' } });
    ghost = recordingHandle('EBATest', 'ghost', { points: { Value: 'ghost' } });
    long = recordingHandle('EBATest', 'long', { points: { Text: 'long-string', Raw: 'long-custom' } });
    await driver.addDevice(long);
    await driver.addDevice(main);
    await driver.addDevice(broken);
    await driver.addDevice(ghost);
  }, 40_000);

  afterAll(async () => {
    await driver?.stop?.(false);
    await server?.stop();
  });

  it('reads every data type and swap combination as pymodbus packed it', async () => {
    await waitFor(() => CASES.every((c) => `P_${c.id.replace(/-/g, '_')}` in main.values), { what: 'all values' });
    for (const c of CASES) expect([c.id, main.values[`P_${c.id.replace(/-/g, '_')}`]]).toEqual([c.id, c.expected]);
    expect(main.values.Coil5).toBe(1);
    expect(main.values.Coil6).toBe(0);
    expect(main.values.Input9).toBe(1);
    expect(main.status).toBe('online');
  });

  it('reports periodic points every period and on-change points only on change', async () => {
    const before = main.reports.length;
    const recent = (): Array<Record<string, unknown>> => main.reports.slice(before);
    await waitFor(() => recent().filter((r) => 'P_int16_bw' in r).length >= 2, { what: 'two periodic reports' });
    expect(recent().filter((r) => 'Coil5' in r).length).toBe(0); // unchanged since the first read
  });

  it('marks a device offline with the Modbus exception named, and a silent slave offline with a timeout', async () => {
    await waitFor(() => broken.status === 'offline', { what: 'broken offline' });
    expect(broken.reason).toMatch(/ILLEGAL DATA ADDRESS/);
    await waitFor(() => ghost.status === 'offline', { what: 'ghost offline' });
    expect(ghost.reason).toMatch(/slave 9 did not answer/);
    const before = main.reports.length;
    await waitFor(() => main.reports.length > before, { what: 'reports of the live slave', timeoutMs: 5000 }); // the dead slave does not stop the others
    expect(main.status).toBe('online');
  });

  it('writes with the inverse of scale, swaps and type and reads back', async () => {
    const writes: Record<string, unknown> = {
      P_int16_Bw: -300,
      P_uint32_BW: 4000000000,
      P_float_bW: -7.25,
      P_int32_scaled: -12.3,
      P_double_BW: 1.5e-7,
      P_string: 'CH-2',
      P_bits_3: 0,
      P_int64_bW: -9007199254740991,
      Coil5: 0,
      Coil6: 1,
    };
    const answer = await driver.setProperties(main, writes);
    expect(answer.code).toBe(200);
    expect(answer.data).toEqual(writes);
    // Independent check of the wire bytes with another client (modbus-serial) and Node's Buffer.
    const client = new ModbusRTU();
    await client.connectTCP('127.0.0.1', { port: server.port });
    client.setID(1);
    const { points } = layout();
    const at = (id: string): number => points.find((p) => p.id === id)!.address;
    const regs = async (id: string, n: number): Promise<Buffer> => (await client.readHoldingRegisters(at(id), n)).buffer;
    expect((await regs('int16-Bw', 1)).readInt16LE(0)).toBe(-300); // byte-swapped register
    const u32 = await regs('uint32-BW', 2); // both swaps: fully little-endian
    expect(u32.readUInt32LE(0)).toBe(4000000000);
    const f = await regs('float-bW', 2);
    expect(Buffer.concat([f.subarray(2, 4), f.subarray(0, 2)]).readFloatBE(0)).toBe(-7.25);
    expect((await regs('int32-scaled', 2)).readInt32BE(0)).toBe(-123);
    expect((await regs('string', 5)).toString('utf8').replace(/\0+$/, '')).toBe('CH-2');
    expect((await regs('bits-3', 1)).readUInt16BE(0)).toBe(0);
    expect((await client.readCoils(5, 2)).data.slice(0, 2)).toEqual([false, true]);
    client.close(() => undefined);
  });

  it('writes strings and custom data wider than one write (124-125 registers) in parts', async () => {
    await waitFor(() => long.values.Text === 'initial', { what: 'long text read' });
    const text = 'ABCDEFGHIJKLMNOPQRSTUVWXY'.repeat(10); // 250 bytes: all 125 registers
    const raw = Buffer.from(Array.from({ length: 248 }, (_, i) => (i * 7 + 1) & 0xff))
      .toString('hex')
      .toUpperCase();
    const answer = await driver.setProperties(long, { Text: text, Raw: raw });
    expect(answer).toMatchObject({ code: 200, data: { Text: text, Raw: raw } });
    const client = new ModbusRTU();
    await client.connectTCP('127.0.0.1', { port: server.port });
    client.setID(1);
    expect((await client.readHoldingRegisters(1500, 125)).buffer.toString('utf8')).toBe(text);
    expect((await client.readHoldingRegisters(1700, 124)).buffer.toString('hex').toUpperCase()).toBe(raw);
    client.close(() => undefined);
    const tooLong = await driver.setProperties(long, { Text: `${text}Z` });
    expect(tooLong.code).toBe(6402);
  });

  it('answers reads on demand and refuses what cannot be done with clear codes', async () => {
    const got = await driver.getProperties(main, ['P_ir_float', 'P_uint16_bw']);
    expect(got).toMatchObject({ code: 200, data: { P_ir_float: -0.5, P_uint16_bw: 54321 } });
    const unmapped = await driver.setProperties(main, { NotInTable: 1 });
    expect(unmapped.code).toBe(6400);
    const readOnly = await driver.setProperties(main, { P_ir_int32: 5 });
    expect(readOnly.code).toBe(6401);
    const tooBig = await driver.setProperties(main, { P_int16_bw: 70000 });
    expect(tooBig.code).toBe(6402);
    const exception = await driver.getProperties(broken, ['Far']);
    expect(exception.code).toBe(6403);
    expect(exception.message).toMatch(/ILLEGAL DATA ADDRESS/);
  });

  it('goes offline when the server dies and recovers when it returns', async () => {
    await server.stop();
    await waitFor(() => main.status === 'offline', { what: 'main offline' });
    expect(main.reason).toMatch(/connection|connect/);
    await server.restart();
    await waitFor(() => main.status === 'online', { what: 'main online again', timeoutMs: 20_000 });
    const before = main.reports.length;
    await waitFor(() => main.reports.length > before, { what: 'values again' });
  }, 40_000);
});
