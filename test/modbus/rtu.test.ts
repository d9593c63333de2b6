/**
 * The ModbusV3 driver over RTU framing against pymodbus (Debian python3-pymodbus 3.0) with its
 * RTU framer: RTU over TCP on a loopback port, and RTU over a serial line made of a socat
 * pseudo-terminal pair (driver on one end with the channel's serial settings, pymodbus's serial
 * server on the other). Both: reads of several types, writes with read-back, an exception, a
 * silent slave, answers with a broken CRC (offline with the reason, then back online), and the
 * channel's command interval (指令操作间隔时间) as the slave sees the requests.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import driverFactory from '../../drivers/modbus-v3/index.js';
import type { Driver } from '../../edge/host/sdk/driver.js';
import type { ChannelDef, PointDef } from '../../protocols/modbus/point.js';
import {
  noHost,
  recordingHandle,
  silentLog,
  startPtyPair,
  startPyModbus,
  tempDir,
  type PtyPair,
  type PyModbus,
  type RecordingHandle,
} from './helpers.js';
import { answerGaps, slaveSpec } from './rtu-slave.js';

// modbus-serial is CommonJS whose module.exports is the client class.
const ModbusRTU = createRequire(import.meta.url)('modbus-serial') as typeof import('modbus-serial').default;

const PERIOD = 300;
const base = { channel: 'C1', slave: 1, periodMs: PERIOD, report: 'periodic' } as const;
const POINTS: PointDef[] = [
  { ...base, id: 'i16', address: 0, op: 'holding:06', dataType: 'int16' },
  { ...base, id: 'u32w', address: 2, op: 'holding:16', dataType: 'uint32', wordSwap: true },
  { ...base, id: 'fltb', address: 5, op: 'holding:16', dataType: 'float', byteSwap: true },
  { ...base, id: 'name', address: 8, op: 'holding:16', dataType: 'string', count: 4 },
  { ...base, id: 'flag2', address: 13, op: 'holding:06', dataType: 'bits', bit: 2 },
  { ...base, id: 'in32', address: 100, op: 'input:04', dataType: 'int32', scale: 0.5 },
  { ...base, id: 'coil5', address: 5, op: 'coil:05', dataType: 'bool' },
  { ...base, id: 'di9', address: 9, op: 'discrete:02', dataType: 'bool' },
  // Past the end of pymodbus's 2000 registers: ILLEGAL DATA ADDRESS.
  { ...base, id: 'beyond', address: 1999, op: 'holding:16', dataType: 'int32' },
  // No slave 9: pymodbus stays silent.
  { ...base, id: 'ghost', slave: 9, address: 0, op: 'holding:06', dataType: 'uint16' },
];
const MAIN_MAP = { I16: 'i16', U32: 'u32w', Flt: 'fltb', Name: 'name', Flag: 'flag2', In: 'in32', Coil: 'coil5', Input: 'di9' };
const EXPECTED = { I16: -1234, U32: 3123456789, Flt: 3.14159, Name: 'PUMP-7', Flag: 1, In: -21, Coil: 1, Input: 1 };

interface Rig {
  server: PyModbus;
  driver: Driver;
  main: RecordingHandle;
  broken: RecordingHandle;
  ghost: RecordingHandle;
  corruptFlag: string;
  answerLog: string;
}

async function startRig(
  dir: string,
  channel: ChannelDef,
  extraSpec: Record<string, unknown>,
): Promise<Omit<Rig, 'server'> & { server: PyModbus }> {
  const corruptFlag = join(dir, 'corrupt');
  const answerLog = join(dir, 'answers.log');
  const server = await startPyModbus({ slaves: { '1': slaveSpec() }, corrupt_flag: corruptFlag, answer_log: answerLog, ...extraSpec });
  const ch = channel.transport === 'rtu-over-tcp' ? { ...channel, port: server.port } : channel;
  const driver = await driverFactory({
    name: 'Test_ModbusV3_RTU',
    config: { channels: [ch], points: POINTS, timeoutMs: 400, backoffMinMs: 200, backoffMaxMs: 1000, statsIntervalMs: 0 },
    deviceList: [],
    log: silentLog,
    dataDir: tempDir(),
    host: noHost,
  });
  await driver.start?.();
  const main = recordingHandle('EBATest', 'main', { points: MAIN_MAP });
  const broken = recordingHandle('EBATest', 'broken', { points: { Far: 'beyond' } });
  const ghost = recordingHandle('EBATest', 'ghost', { points: { Value: 'ghost' } });
  for (const h of [main, broken, ghost]) await driver.addDevice(h);
  return { server, driver, main, broken, ghost, corruptFlag, answerLog };
}

/** The checks both RTU transports pass. */
function commonChecks(rig: () => Rig): void {
  it('reads several types, coils and discrete inputs through RTU frames', async () => {
    const { main } = rig();
    await waitFor(() => Object.keys(EXPECTED).every((k) => k in main.values), { what: 'all values', timeoutMs: 20_000 });
    expect(Object.fromEntries(Object.keys(EXPECTED).map((k) => [k, main.values[k]]))).toEqual(EXPECTED);
    expect(main.status).toBe('online');
  });

  it('marks a device offline with the exception named, and a silent slave offline with a timeout', async () => {
    const { broken, ghost, driver } = rig();
    await waitFor(() => broken.status === 'offline', { what: 'broken offline', timeoutMs: 20_000 });
    expect(broken.reason).toMatch(/ILLEGAL DATA ADDRESS/);
    await waitFor(() => ghost.status === 'offline', { what: 'ghost offline', timeoutMs: 20_000 });
    expect(ghost.reason).toMatch(/slave 9 did not answer/);
    const answer = await driver.getProperties(broken, ['Far']);
    expect(answer.code).toBe(6403);
    expect(answer.message).toMatch(/ILLEGAL DATA ADDRESS/);
  });

  it('writes with read-back', async () => {
    const { driver, main } = rig();
    const writes = { I16: 321, U32: 4000000001, Flt: -7.25, Name: 'FAN-2', Flag: 0, Coil: 0 };
    const answer = await driver.setProperties(main, writes);
    expect(answer).toMatchObject({ code: 200, data: writes });
    const got = await driver.getProperties(main, Object.keys(writes));
    expect(got).toMatchObject({ code: 200, data: writes });
  });

  it('fails a request whose answer has a broken CRC, goes offline with the reason, and recovers', async () => {
    const { driver, main, corruptFlag } = rig();
    await waitFor(() => main.status === 'online', { what: 'main online', timeoutMs: 20_000 });
    writeFileSync(corruptFlag, '1');
    try {
      await waitFor(() => main.status === 'offline', { what: 'main offline', timeoutMs: 20_000 });
      expect(main.reason).toMatch(/corrupt answer to slave 1: CRC mismatch/);
      const answer = await driver.getProperties(main, ['I16']);
      expect(answer.code).toBe(6404);
      expect(answer.message).toMatch(/CRC mismatch/);
    } finally {
      rmSync(corruptFlag, { force: true });
    }
    await waitFor(() => main.status === 'online', { what: 'main online again', timeoutMs: 20_000 });
    const before = main.reports.length;
    await waitFor(() => main.reports.length > before, { what: 'values again' });
    const got = await driver.getProperties(main, ['I16']);
    expect(got.code).toBe(200);
  }, 60_000);
}

describe('ModbusV3 RTU over TCP against pymodbus (RTU framer)', () => {
  let r: Rig;
  const dir = tempDir();

  beforeAll(async () => {
    r = await startRig(dir, { id: 'C1', transport: 'rtu-over-tcp', host: '127.0.0.1', port: 1, minIntervalMs: 0 }, { framer: 'rtu' });
  }, 40_000);

  afterAll(async () => {
    await r?.driver.stop?.(false);
    await r?.server.stop();
  });

  commonChecks(() => r);

  it('frames match an independent RTU master (modbus-serial telnet port: raw RTU over TCP)', async () => {
    const client = new ModbusRTU();
    await client.connectTelnet('127.0.0.1', { port: r.server.port });
    client.setID(1);
    client.setTimeout(2000);
    try {
      const regs = (await client.readHoldingRegisters(0, 14)).buffer;
      expect(regs.readInt16BE(0)).toBe(r.main.values.I16);
      expect(Buffer.concat([regs.subarray(6, 8), regs.subarray(4, 6)]).readUInt32BE(0)).toBe(r.main.values.U32); // word swap
    } finally {
      client.close(() => undefined);
    }
  });

  it('without a command interval the requests follow each other closely (control for the spacing check)', async () => {
    const gaps = await answerGaps(r.answerLog, 1500);
    expect(gaps.length).toBeGreaterThan(4);
    expect(Math.min(...gaps)).toBeLessThan(40);
  });
});

describe('ModbusV3 RTU over a serial line (socat pty pair) against pymodbus serial server', () => {
  const INTERVAL = 100;
  let r: Rig;
  let pty: PtyPair;
  const dir = tempDir();

  beforeAll(async () => {
    pty = await startPtyPair(dir);
    // A pty carries bytes, not bits: Linux forces 8 data bits and no parity on it and pyserial
    // refuses to set parity there, so the slave end runs 8N; baud and stop bits do stick.
    const serial = { port: pty.b, baudrate: 19200, bytesize: 8, parity: 'N', stopbits: 2 };
    const channel: ChannelDef = {
      id: 'C1',
      transport: 'rtu',
      minIntervalMs: INTERVAL,
      serial: { path: pty.a, baudRate: 19200, dataBits: 8, parity: 'even', stopBits: 2 },
    };
    r = await startRig(dir, channel, { serial });
  }, 40_000);

  afterAll(async () => {
    await r?.driver.stop?.(false);
    await r?.server.stop();
    await pty?.stop();
  });

  commonChecks(() => r);

  it('opens the line with the channel table settings', async () => {
    await waitFor(() => r.main.status === 'online', { what: 'main online', timeoutMs: 20_000 });
    const stty = execFileSync('stty', ['-F', pty.a, '-a']).toString();
    expect(stty).toMatch(/speed 19200 baud/);
    expect(stty).toMatch(/(^|\s)cstopb(\s|$)/); // two stop bits
  });

  it('keeps the command interval between requests as the slave sees them', async () => {
    const gaps = await answerGaps(r.answerLog, 2500);
    expect(gaps.length).toBeGreaterThan(8);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    expect(mean).toBeGreaterThanOrEqual(INTERVAL - 5);
    // Per gap, allow for the slave's own scheduling jitter on a loaded machine.
    expect(Math.min(...gaps)).toBeGreaterThan(INTERVAL / 2);
  });

  it('goes offline when the serial line goes away (adapter unplugged) and recovers when it is back', async () => {
    await waitFor(() => r.main.status === 'online', { what: 'main online', timeoutMs: 20_000 });
    await r.server.stop();
    await pty.stop();
    await waitFor(() => r.main.status === 'offline', { what: 'main offline', timeoutMs: 20_000 });
    expect(r.main.reason).toMatch(/connection lost|connect failed/);
    pty = await startPtyPair(dir); // the same two paths again
    await r.server.restart();
    await waitFor(() => r.main.status === 'online', { what: 'main online again', timeoutMs: 30_000 });
    const before = r.main.reports.length;
    await waitFor(() => r.main.reports.length > before, { what: 'values again' });
  }, 60_000);
});

describe('ModbusV3 serial channel settings at the driver boundary', () => {
  it('refuses impossible serial settings with a clear message', async () => {
    const make = async (serial: Record<string, unknown>): Promise<Driver> =>
      driverFactory({
        name: 'Test_ModbusV3_RTU_Bad',
        config: {
          channels: [{ id: 'S1', transport: 'rtu', minIntervalMs: 0, serial }],
          points: [{ ...base, channel: 'S1', id: 'x', address: 0, op: 'holding:06', dataType: 'uint16' }],
        },
        deviceList: [],
        log: silentLog,
        dataDir: tempDir(),
        host: noHost,
      });
    await expect(make({ path: '/dev/null', baudRate: 'fast', dataBits: 8, parity: 'none', stopBits: 1 })).rejects.toThrow(
      /channel S1 serial: serial settings need a baud rate/,
    );
    await expect(make({ path: '/dev/null', baudRate: 9600, dataBits: 9, parity: 'none', stopBits: 1 })).rejects.toThrow(/7 or 8 data bits/);
    await expect(make({ baudRate: 9600 })).rejects.toThrow(/needs the serial port/);
  });

  it('reports devices offline, with the reason, when the serial port cannot be opened', async () => {
    const driver = await driverFactory({
      name: 'Test_ModbusV3_RTU_NoPort',
      config: {
        channels: [
          {
            id: 'S1',
            transport: 'rtu',
            minIntervalMs: 0,
            serial: { path: join(tempDir(), 'no-such-tty'), baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 },
          },
        ],
        points: [{ ...base, channel: 'S1', id: 'x', address: 0, op: 'holding:06', dataType: 'uint16' }],
        backoffMinMs: 100,
        statsIntervalMs: 0,
      },
      deviceList: [],
      log: silentLog,
      dataDir: tempDir(),
      host: noHost,
    });
    await driver.start?.();
    const dev = recordingHandle('EBATest', 'serial', { points: { Value: 'x' } });
    await driver.addDevice(dev);
    try {
      await waitFor(() => dev.status === 'offline', { what: 'offline' });
      expect(dev.reason).toMatch(/connect failed: .*no-such-tty/);
      const answer = await driver.getProperties(dev, ['Value']);
      expect(answer.code).toBe(6404);
    } finally {
      await driver.stop?.(false);
    }
  });
});
