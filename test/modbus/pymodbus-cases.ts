/** The pymodbus test's cases: every data type and swap combination laid out on one slave, with the points that read them. */
import type { DataType, OperationType, PointDef } from '../../protocols/modbus/point.js';

export interface Case {
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

export const NUMERIC: [DataType, number][] = [
  ['int16', -1234],
  ['uint16', 54321],
  ['int32', -123456789],
  ['uint32', 3123456789],
  ['int64', -1234567890123],
  ['uint64', 12345678901234],
  ['float', 3.14159],
  ['double', 2.718281828459045],
];
export const WIDTH: Record<string, number> = { int16: 1, uint16: 1, int32: 2, uint32: 2, float: 2, int64: 4, uint64: 4, double: 4 };

export function buildCases(): Case[] {
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

export const CASES = buildCases();

export function layout(): { spec: unknown; points: PointDef[] } {
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
