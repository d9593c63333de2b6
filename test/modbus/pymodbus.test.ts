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
import { waitFor } from '../helpers/wait.js';
import { noHost, recordingHandle, silentLog, startPyModbus, tempDir, type PyModbus, type RecordingHandle } from './helpers.js';
import { CASES, layout } from './pymodbus-cases.js';

const ModbusRTU = createRequire(import.meta.url)('modbus-serial') as typeof import('modbus-serial').default;

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
