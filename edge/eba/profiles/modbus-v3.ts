/**
 * ModbusV3 (官方) tables: 通道配置表 [seed 001 L16376-16388] and 点位表 [seed 001 L16396-16444].
 * Row keys are the field names of protocols/modbus/point.ts, so a checked point row is a
 * PointDef and the rules are the protocol's own `pointProblems`.
 */
import {
  channelProblems,
  COUNT_TYPES,
  DATA_TYPES,
  MAX_PERIOD_MS,
  MIN_PERIOD_MS,
  pointProblems,
  type ChannelDef,
  type PointDef,
  type SerialSettings,
} from '../../../protocols/modbus/point.js';
import type { EbaProfile } from '../profile.js';
import {
  decimal,
  formatHex16,
  formatYesNo,
  hex16,
  integer,
  ipv4,
  labelOf,
  oneOf,
  text,
  yesNo,
  type Row,
  channelSheet,
  pointChannelColumn,
  pointNumberColumn,
} from '../table-schema.js';

const TRANSPORTS = { TCP: 'tcp', 'RTU over TCP': 'rtu-over-tcp', RTU: 'rtu', 串口RTU: 'rtu', rtuovertcp: 'rtu-over-tcp' };
const PARITY = { none: 'none', even: 'even', odd: 'odd', 无: 'none', 偶: 'even', 奇: 'odd', N: 'none', E: 'even', O: 'odd' };

/** 寄存器操作类型: the template's labels first (export uses them), then codes and English. */
export const OPERATIONS = {
  '线圈状态(01读/05写)': 'coil:05',
  '线圈状态(01读/0F写)': 'coil:15',
  '离散量输入(02读)': 'discrete:02',
  '保持寄存器(03读/06写)': 'holding:06',
  '保持寄存器(03读/10写)': 'holding:16',
  '输入寄存器(04读)': 'input:04',
  线圈状态: 'coil:05',
  离散量输入: 'discrete:02',
  保持寄存器: 'holding:16',
  输入寄存器: 'input:04',
  '01/05': 'coil:05',
  '01/15': 'coil:15',
  '01/0F': 'coil:15',
  '02': 'discrete:02',
  '03/06': 'holding:06',
  '03/16': 'holding:16',
  '03/10': 'holding:16',
  '04': 'input:04',
  'coil:05': 'coil:05',
  'coil:15': 'coil:15',
  'discrete:02': 'discrete:02',
  'holding:06': 'holding:06',
  'holding:16': 'holding:16',
  'input:04': 'input:04',
};

/** 数据上报方式; the seed prints "安时上报" for 按时上报 [seed 001 L16441], both are accepted. */
const REPORT = { 按时上报: 'periodic', 安时上报: 'periodic', 变更上报: 'onChange', periodic: 'periodic', onchange: 'onChange' };

const DATA_TYPE_OPTIONS = Object.fromEntries(DATA_TYPES.map((t) => [t, t]));

const channels: EbaProfile['channels'] = channelSheet(
  { options: TRANSPORTS, format: labelOf(TRANSPORTS), note: 'TCP (默认) / RTU / RTU over TCP' },
  [
    { key: 'host', header: 'IP地址', aliases: ['IP', 'host'], parse: ipv4 },
    { key: 'port', header: '端口号', aliases: ['port'], parse: integer(1, 65535) },
    { key: 'serialPath', header: '串口号', aliases: ['serial port'], parse: text(128), note: 'RTU: 如 /dev/ttyS1' },
    {
      key: 'baudRate',
      header: '波特率',
      aliases: ['baud rate'],
      parse: oneOf(Object.fromEntries([1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200].map((b) => [String(b), b])), 'baud rate'),
    },
    { key: 'dataBits', header: '数据位', aliases: ['data bits'], parse: oneOf({ 7: 7, 8: 8 }, 'data bits') },
    { key: 'parity', header: '校验位', aliases: ['parity'], parse: oneOf(PARITY, 'parity'), format: labelOf(PARITY) },
    { key: 'stopBits', header: '停止位', aliases: ['stop bits'], parse: oneOf({ 1: 1, 2: 2 }, 'stop bits') },
    {
      key: 'minIntervalMs',
      header: '指令操作间隔时间（单位ms）',
      aliases: ['指令操作间隔时间(单位ms)', '指令操作间隔时间', 'minIntervalMs'],
      parse: integer(0, 60_000),
      note: '设备没有限制时填0',
    },
    { key: 'remark', header: '通道备注', aliases: ['remark'], parse: text(256) },
  ],
  {
    rowProblems: (r) =>
      channelProblems(toChannel(r)).map((p) => ({ field: p.field === 'serial' ? 'serialPath' : p.field, reason: p.reason })),
  },
);

const points: EbaProfile['points'] = {
  sheet: '点位表',
  aliases: ['points'],
  unique: 'id',
  columns: [
    pointChannelColumn('连接通道'),
    pointNumberColumn,
    { key: 'slave', header: '从站ID', aliases: ['slave'], required: true, parse: integer(0, 255) },
    {
      key: 'address',
      header: '寄存器地址',
      aliases: ['address'],
      required: true,
      parse: hex16,
      format: formatHex16,
      note: '十六进制, 如 0x0010',
    },
    {
      key: 'op',
      header: '寄存器操作类型',
      aliases: ['operation'],
      required: true,
      parse: oneOf(OPERATIONS, 'operation type'),
      format: labelOf(OPERATIONS),
    },
    { key: 'dataType', header: '数据类型', aliases: ['data type'], required: true, parse: oneOf(DATA_TYPE_OPTIONS, 'data type') },
    { key: 'bit', header: '比特位置', aliases: ['bit'], parse: integer(0, 15), note: '仅 bits' },
    { key: 'count', header: '寄存器个数', aliases: ['count'], parse: integer(1, 125), note: '仅 custom / string' },
    { key: 'byteSwap', header: '是否交换寄存器内16位数据的高低字节', aliases: ['byte swap'], parse: yesNo, format: formatYesNo },
    { key: 'wordSwap', header: '是否交换寄存器内32位数据顺序', aliases: ['word swap'], parse: yesNo, format: formatYesNo },
    { key: 'scale', header: '缩放因子', aliases: ['scale'], parse: decimal, note: '不能为0' },
    {
      key: 'periodMs',
      header: '数据采样周期',
      aliases: ['数据采样周期(ms)', 'period'],
      required: true,
      parse: integer(MIN_PERIOD_MS, MAX_PERIOD_MS),
      note: '单位ms',
    },
    {
      key: 'report',
      header: '数据上报方式',
      aliases: ['report'],
      required: true,
      parse: oneOf(REPORT, 'report mode'),
      format: labelOf(REPORT),
    },
    { key: 'remark', header: '点位备注', aliases: ['remark'], parse: text(256) },
  ],
  rowProblems: (r) => pointProblems(toPoint(r)),
};

function toChannel(r: Row): ChannelDef {
  const transport = (r.transport as ChannelDef['transport'] | undefined) ?? 'tcp'; // 默认选择"TCP" [seed 001 L16380]
  const c: ChannelDef = { id: String(r.id), transport, minIntervalMs: (r.minIntervalMs as number | undefined) ?? 0 };
  if (r.host !== undefined) c.host = String(r.host);
  if (r.port !== undefined) c.port = r.port as number;
  if (r.serialPath !== undefined) {
    c.serial = {
      path: String(r.serialPath),
      baudRate: (r.baudRate as number) ?? 9600,
      dataBits: (r.dataBits as SerialSettings['dataBits']) ?? 8,
      parity: (r.parity as SerialSettings['parity']) ?? 'none',
      stopBits: (r.stopBits as SerialSettings['stopBits']) ?? 1,
    };
  }
  if (r.remark !== undefined) c.remark = String(r.remark);
  return c;
}

function toPoint(r: Row): PointDef {
  const p = { ...r } as unknown as PointDef;
  for (const k of ['byteSwap', 'wordSwap'] as const) if (!p[k]) delete p[k]; // "否" is the same as empty
  return p;
}

export const modbusV3Profile: EbaProfile = {
  driverType: 'modbus-v3',
  channels,
  points,
  keys: { channelId: 'id', pointId: 'id', pointChannel: 'channel' },
  propertyMismatch(point, property) {
    const textual = COUNT_TYPES.has(point.dataType as PointDef['dataType']);
    const t = property.dataType.type;
    if (textual && t !== 'text') return `a ${String(point.dataType)} point feeds only a text property, ${property.identifier} is ${t}`;
    if (!textual && !['int', 'float', 'double', 'bool', 'enum'].includes(t))
      return `a ${String(point.dataType)} point feeds a number, bool or enum property, ${property.identifier} is ${t}`;
    return undefined;
  },
  toDriverTables: (cs, ps) => ({ format: 'eba-modbus-v3/1', channels: cs.map(toChannel), points: ps.map(toPoint) }),
  fromDriverTables(tables) {
    const cs = (tables.channels ?? []) as ChannelDef[];
    const ps = (tables.points ?? []) as PointDef[];
    return {
      channels: cs.map(({ serial, ...c }) => ({
        ...c,
        ...(serial
          ? {
              serialPath: serial.path,
              baudRate: serial.baudRate,
              dataBits: serial.dataBits,
              parity: serial.parity,
              stopBits: serial.stopBits,
            }
          : {}),
      })),
      points: ps.map((p) => ({ ...p })),
    };
  },
};
