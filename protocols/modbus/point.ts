/**
 * ModbusV3 channel and point definitions and the seed's validity rules for them
 * [seed 001 L16376-16444]. Pure data: the import (edge/eba) and the driver both check
 * points with `pointProblems`, so a table that imports is a table the driver accepts.
 */

/** 传输方式: TCP (default), RTU over a serial line, RTU frames carried over TCP. */
export type Transport = 'tcp' | 'rtu' | 'rtu-over-tcp';

export interface SerialSettings {
  path: string;
  baudRate: number;
  dataBits: 7 | 8;
  parity: 'none' | 'even' | 'odd';
  stopBits: 1 | 2;
}

export interface ChannelDef {
  /** 通道编号, unique within the protocol [seed 001 L16378]. */
  id: string;
  transport: Transport;
  host?: string;
  port?: number;
  serial?: SerialSettings;
  /** 指令操作间隔时间 (ms): the device's minimum gap between commands; 0 = no limit [seed 001 L16386]. */
  minIntervalMs: number;
  remark?: string;
}

/**
 * 寄存器操作类型: the register family with its read and write function codes. The seed names
 * the families ("线圈状态" series, 离散量输入, "保持寄存器" series, 输入寄存器) [seed 001 L16410];
 * the series differ by write code (single or multiple write).
 */
export type OperationType = 'coil:05' | 'coil:15' | 'discrete:02' | 'holding:06' | 'holding:16' | 'input:04';
export const OPERATION_TYPES: readonly OperationType[] = ['coil:05', 'coil:15', 'discrete:02', 'holding:06', 'holding:16', 'input:04'];

export type Area = 'coil' | 'discrete' | 'holding' | 'input';
export const areaOf = (op: OperationType): Area => op.slice(0, op.indexOf(':')) as Area;
export const READ_FUNCTION: Record<Area, number> = { coil: 0x01, discrete: 0x02, holding: 0x03, input: 0x04 };
export const isBitArea = (a: Area): boolean => a === 'coil' || a === 'discrete';
export const isWritable = (op: OperationType): boolean => op.startsWith('coil') || op.startsWith('holding');

export type DataType =
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float'
  | 'double'
  | 'string'
  | 'bool'
  | 'custom'
  | 'bits';
export const DATA_TYPES: readonly DataType[] = [
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'float',
  'double',
  'string',
  'bool',
  'custom',
  'bits',
];

/** Types the byte swap applies to [seed 001 L16426]. */
export const BYTE_SWAP_TYPES: ReadonlySet<DataType> = new Set(['int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'float', 'double']);
/** Types the 32-bit word swap applies to [seed 001 L16431]. */
export const WORD_SWAP_TYPES: ReadonlySet<DataType> = new Set(['int32', 'uint32', 'int64', 'uint64', 'float', 'double']);
/** Types the scale factor applies to [seed 001 L16436]. */
export const SCALE_TYPES: ReadonlySet<DataType> = new Set(['int32', 'uint32', 'int64', 'uint64', 'float', 'double']);
/** Types whose register count comes from the table [seed 001 L16421]. */
export const COUNT_TYPES: ReadonlySet<DataType> = new Set(['custom', 'string']);

export type ReportMode = 'periodic' | 'onChange';

export interface PointDef {
  /** 点位编号, globally unique [seed 001 L16402]. */
  id: string;
  channel: string;
  slave: number;
  /** 寄存器地址 (0..0xFFFF), written in hex in the tables [seed 001 L16408]. */
  address: number;
  op: OperationType;
  dataType: DataType;
  /** 比特位置, only for bits [seed 001 L16419]. */
  bit?: number;
  /** 寄存器个数, only for custom and string [seed 001 L16421]. */
  count?: number;
  byteSwap?: boolean;
  wordSwap?: boolean;
  /** real = raw × scale; never 0 [seed 001 L16435]. */
  scale?: number;
  periodMs: number;
  report: ReportMode;
  remark?: string;
}

export const MAX_READ_REGISTERS = 125;
export const MAX_READ_BITS = 2000;
export const MAX_WRITE_REGISTERS = 123;
export const MIN_PERIOD_MS = 100;
export const MAX_PERIOD_MS = 86_400_000;

const FIXED_REGISTERS: Partial<Record<DataType, number>> = {
  int16: 1,
  uint16: 1,
  bool: 1,
  bits: 1,
  int32: 2,
  uint32: 2,
  float: 2,
  int64: 4,
  uint64: 4,
  double: 4,
};

/** How many registers (or bits, for coils and discrete inputs) the point occupies. */
export function pointWidth(p: Pick<PointDef, 'op' | 'dataType' | 'count'>): number {
  if (isBitArea(areaOf(p.op))) return 1;
  return FIXED_REGISTERS[p.dataType] ?? p.count ?? 1;
}

/** One broken rule: which field and why (the import turns it into a row-level report entry). */
export interface FieldProblem {
  field: keyof PointDef;
  reason: string;
}

/** Every rule of the point table the seed states, plus the protocol's own limits. */
export function pointProblems(p: PointDef): FieldProblem[] {
  const out: FieldProblem[] = [];
  const area = areaOf(p.op);
  if (isBitArea(area) && p.dataType !== 'bool') {
    out.push({
      field: 'dataType',
      reason: `${p.op.startsWith('coil') ? 'coil status' : 'discrete input'} points support only bool, not ${p.dataType}`,
    });
  }
  if (p.dataType === 'bits') {
    if (p.bit === undefined || !Number.isInteger(p.bit) || p.bit < 0 || p.bit > 15)
      out.push({ field: 'bit', reason: 'bits needs a bit position 0..15' });
  } else if (p.bit !== undefined) out.push({ field: 'bit', reason: `bit position applies only to bits, not ${p.dataType}` });
  if (COUNT_TYPES.has(p.dataType)) {
    if (p.count === undefined || !Number.isInteger(p.count) || p.count < 1 || p.count > MAX_READ_REGISTERS)
      out.push({ field: 'count', reason: `${p.dataType} needs a register count 1..${MAX_READ_REGISTERS}` });
  } else if (p.count !== undefined)
    out.push({ field: 'count', reason: `register count applies only to custom and string, not ${p.dataType}` });
  if (p.byteSwap && !BYTE_SWAP_TYPES.has(p.dataType))
    out.push({ field: 'byteSwap', reason: `byte swap applies only to ${[...BYTE_SWAP_TYPES].join(', ')}` });
  if (p.wordSwap && !WORD_SWAP_TYPES.has(p.dataType))
    out.push({ field: 'wordSwap', reason: `word swap applies only to ${[...WORD_SWAP_TYPES].join(', ')}` });
  if (p.scale !== undefined) {
    if (p.scale === 0 || !Number.isFinite(p.scale)) out.push({ field: 'scale', reason: 'scale factor must be a number other than 0' });
    else if (p.scale !== 1 && !SCALE_TYPES.has(p.dataType))
      out.push({ field: 'scale', reason: `scale factor applies only to ${[...SCALE_TYPES].join(', ')}` });
  }
  if (!Number.isInteger(p.slave) || p.slave < 0 || p.slave > 255) out.push({ field: 'slave', reason: 'slave id must be 0..255' });
  if (!Number.isInteger(p.address) || p.address < 0 || p.address > 0xffff)
    out.push({ field: 'address', reason: 'register address must be 0x0000..0xFFFF' });
  else if (p.address + pointWidth(p) > 0x10000) out.push({ field: 'address', reason: 'the point runs past register 0xFFFF' });
  if (!Number.isInteger(p.periodMs) || p.periodMs < MIN_PERIOD_MS || p.periodMs > MAX_PERIOD_MS)
    out.push({ field: 'periodMs', reason: `sampling period must be ${MIN_PERIOD_MS}..${MAX_PERIOD_MS} ms` });
  return out;
}

export function channelProblems(c: ChannelDef): { field: keyof ChannelDef; reason: string }[] {
  const out: { field: keyof ChannelDef; reason: string }[] = [];
  if (c.transport === 'rtu') {
    const s = c.serial;
    if (!s?.path) out.push({ field: 'serial', reason: 'RTU over a serial line needs the serial port' });
    else if (
      !Number.isInteger(s.baudRate) ||
      s.baudRate < 300 ||
      s.baudRate > 4_000_000 ||
      ![7, 8].includes(s.dataBits) ||
      !['none', 'even', 'odd'].includes(s.parity) ||
      ![1, 2].includes(s.stopBits)
    ) {
      out.push({
        field: 'serial',
        reason: 'serial settings need a baud rate 300..4000000, 7 or 8 data bits, parity none/even/odd, 1 or 2 stop bits',
      });
    }
  } else {
    if (!c.host) out.push({ field: 'host', reason: `${c.transport === 'tcp' ? 'TCP' : 'RTU over TCP'} needs the device IP address` });
    if (c.port === undefined || !Number.isInteger(c.port) || c.port < 1 || c.port > 65535)
      out.push({ field: 'port', reason: 'port must be 1..65535' });
  }
  if (!Number.isInteger(c.minIntervalMs) || c.minIntervalMs < 0 || c.minIntervalMs > 60_000)
    out.push({ field: 'minIntervalMs', reason: 'command interval must be 0..60000 ms' });
  return out;
}
