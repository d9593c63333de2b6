/**
 * BACnetV3 (官方) tables: 通道配置表 [seed 001 L16632-16651] and 点位表 [seed 001 L16658-16674].
 * Row keys are the field names of protocols/bacnet/point.ts, so checked rows become the
 * driver's ChannelDef / PointDef and the rules are the protocol's own.
 */
import {
  APDU_SIZES,
  channelProblems,
  DATA_TYPES,
  MAX_INSTANCE,
  MAX_REPORT_MS,
  MIN_REPORT_MS,
  OBJECT_TYPE_LABELS,
  OBJECT_TYPES,
  pointProblems,
  PROPERTIES,
  PROPERTY_LABELS,
  type ChannelDef,
  type PointDef,
} from '../../../protocols/bacnet/point.js';
import type { EbaProfile } from '../profile.js';
import {
  formatYesNo,
  integer,
  labelOf,
  oneOf,
  text,
  yesNo,
  type Parsed,
  type Row,
  channelSheet,
  pointChannelColumn,
  pointNumberColumn,
} from '../table-schema.js';

const MODES = { 定向: 'directed', 非定向: 'broadcast', directed: 'directed', broadcast: 'broadcast', undirected: 'broadcast' };
const TRANSPORTS = { UDP: 'udp', udp: 'udp' };
const DATA_TYPE_OPTIONS = Object.fromEntries(DATA_TYPES.map((t) => [t, t]));

/** A name from the table (Chinese label or BACnet name) or a plain number. */
const named = (labels: Record<string, number>, names: Record<string, number>, max: number, what: string) => {
  const byName = oneOf({ ...labels, ...names }, what);
  return (t: string): Parsed => (/^\d+$/.test(t) ? integer(0, max)(t) : byName(t));
};
const formatNamed =
  (labels: Record<string, number>, names: Record<string, number>) =>
  (v: unknown): string =>
    labelOf(labels)(v) !== String(v) ? labelOf(labels)(v) : labelOf(names)(v);

const channels: EbaProfile['channels'] = channelSheet(
  { options: TRANSPORTS, format: () => 'UDP', note: '支持UDP' },
  [
    {
      key: 'nic',
      header: '网卡名称',
      aliases: ['NIC', 'nic'],
      required: true,
      parse: (t) => (/^[A-Za-z0-9_.:@-]{1,15}$/.test(t) ? { value: t } : { error: 'a network interface name, e.g. eth0 or enp95s0f0' }),
      note: '网关接入内网的网卡名',
    },
    {
      key: 'deviceId',
      header: '设备ID',
      aliases: ['device id', 'deviceId'],
      required: true,
      parse: integer(0, MAX_INSTANCE),
      note: 'BACnet物理设备ID',
    },
    {
      key: 'reportMs',
      header: '上报周期',
      aliases: ['上报周期(ms)', '上报周期（ms）', 'report period'],
      required: true,
      parse: integer(MIN_REPORT_MS, MAX_REPORT_MS),
      note: '单位ms',
    },
    {
      key: 'offlineMs',
      header: '离线判定周期',
      aliases: ['离线判定周期(ms)', '离线判定周期（ms）', 'offline period'],
      parse: integer(MIN_REPORT_MS, MAX_REPORT_MS * 10),
      note: '单位ms, 建议为上报周期*10 (空: 上报周期*10)',
    },
    {
      key: 'mode',
      header: '通信方式',
      aliases: ['mode'],
      required: true,
      parse: oneOf(MODES, 'mode'),
      format: labelOf(MODES),
      note: '定向 / 非定向',
    },
    {
      key: 'maxApdu',
      header: '最大报文长度',
      aliases: ['max APDU', 'maxApdu'],
      parse: oneOf(Object.fromEntries(APDU_SIZES.map((n) => [String(n), n])), 'max APDU length'),
      note: '定向时有效: 50/128/206/480/1024/1476',
    },
    { key: 'address', header: '地址', aliases: ['address'], parse: text(21), note: '定向时有效, 格式 ip:port' },
    { key: 'remark', header: '通道备注', aliases: ['remark'], parse: text(256) },
  ],
  {
    rowProblems: (r) => channelProblems(toChannel(r)),
  },
);

const points: EbaProfile['points'] = {
  sheet: '点位表',
  aliases: ['points'],
  unique: 'id',
  columns: [
    pointChannelColumn('链接通道'),
    pointNumberColumn,
    {
      key: 'objectType',
      header: '对象类型',
      aliases: ['object type'],
      required: true,
      parse: named(OBJECT_TYPE_LABELS, OBJECT_TYPES, 1023, 'object type'),
      format: formatNamed(OBJECT_TYPE_LABELS, OBJECT_TYPES),
      note: '如 模拟量输入 / analog-input / 0',
    },
    { key: 'instance', header: '对象ID', aliases: ['object instance', 'instance'], required: true, parse: integer(0, MAX_INSTANCE) },
    {
      key: 'property',
      header: '属性ID',
      aliases: ['property id', 'property'],
      required: true,
      parse: named(PROPERTY_LABELS, PROPERTIES, 4_194_303, 'property'),
      format: formatNamed(PROPERTY_LABELS, PROPERTIES),
      note: '如 present-value / 85',
    },
    {
      key: 'dataType',
      header: '数据类型',
      aliases: ['data type'],
      required: true,
      parse: oneOf(DATA_TYPE_OPTIONS, 'data type'),
      note: 'bool / int / float / double / enum / text',
    },
    {
      key: 'cov',
      header: '是否变更上报',
      aliases: ['report on change', 'cov'],
      required: true,
      parse: yesNo,
      format: formatYesNo,
      note: '是: 数据变化时上报 (COV)',
    },
    { key: 'priority', header: '写入优先级', aliases: ['priority'], parse: integer(1, 16), note: '扩展列: 1-16, 空则用驱动默认值' },
    { key: 'remark', header: '点位备注', aliases: ['remark'], parse: text(256) },
  ],
  rowProblems: (r) => pointProblems(r as unknown as PointDef),
};

function toChannel(r: Row): ChannelDef {
  const reportMs = r.reportMs as number;
  const c: ChannelDef = {
    id: String(r.id),
    transport: 'udp',
    nic: String(r.nic ?? ''),
    deviceId: r.deviceId as number,
    reportMs,
    offlineMs: (r.offlineMs as number | undefined) ?? reportMs * 10, // 建议为上报周期*10 [seed 001 L16642]
    mode: r.mode as ChannelDef['mode'],
  };
  if (r.maxApdu !== undefined) c.maxApdu = r.maxApdu as number;
  if (r.address !== undefined) c.address = String(r.address);
  if (r.remark !== undefined) c.remark = String(r.remark);
  return c;
}

export const bacnetV3Profile: EbaProfile = {
  driverType: 'bacnet-v3',
  defaultDriverName: 'Official_BACnetV3_EBA_Points',
  channels,
  points,
  keys: { channelId: 'id', pointId: 'id', pointChannel: 'channel' },
  propertyMismatch(point, property) {
    const t = property.dataType.type;
    if (point.dataType === 'text' && t !== 'text') return `a text point feeds only a text property, ${property.identifier} is ${t}`;
    if (point.dataType !== 'text' && !['int', 'float', 'double', 'bool', 'enum'].includes(t))
      return `a ${String(point.dataType)} point feeds a number, bool or enum property, ${property.identifier} is ${t}`;
    return undefined;
  },
  toDriverTables: (cs, ps) => ({ format: 'eba-bacnet-v3/1', channels: cs.map(toChannel), points: ps.map((p) => ({ ...p })) }),
  fromDriverTables(tables) {
    return {
      channels: ((tables.channels ?? []) as ChannelDef[]).map((c) => ({ ...c })),
      points: ((tables.points ?? []) as PointDef[]).map((p) => ({ ...p })),
    };
  },
};
