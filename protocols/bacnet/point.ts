/**
 * BACnetV3 channel and point definitions and the seed's validity rules for them
 * [seed 001 L16632-16674]. Pure data: the import (edge/eba) and the driver check rows with the
 * same `channelProblems` / `pointProblems`, so a table that imports is a table the driver accepts.
 *
 * A BACnetV3 channel is one physical BACnet device: the seed "extended the channel attributes
 * with the physical device's parameters" [seed 001 L16624-16626].
 */

/** 通信方式: 定向 finds the device at a given ip:port, 非定向 by broadcast Who-Is [seed 001 L16644]. */
export type ChannelMode = 'directed' | 'broadcast';

export interface ChannelDef {
  /** 通道编号, unique within the protocol [seed 001 L16634]. */
  id: string;
  /** 传输方式: only UDP (BACnet/IP) [seed 001 L16622, L16636]. */
  transport: 'udp';
  /** 网卡名称: the gateway NIC on the building LAN, e.g. enp95s0f0 [seed 001 L16638]. */
  nic: string;
  /** 设备ID: the BACnet device instance [seed 001 L16640]. */
  deviceId: number;
  /** 上报周期 (ms): how often the points are read and reported [seed 001 L16641]. */
  reportMs: number;
  /** 离线判定周期 (ms): silence after which the device is offline; default 上报周期 × 10 [seed 001 L16642]. */
  offlineMs: number;
  mode: ChannelMode;
  /** 最大报文长度: max APDU the device accepts; only for 定向 [seed 001 L16646]. */
  maxApdu?: number;
  /** 地址 `ip:port`; only for 定向 [seed 001 L16648]. */
  address?: string;
  remark?: string;
}

export interface PointDef {
  /** 链接通道 */
  channel: string;
  /** 点位编号, globally unique [seed 001 L16662]. */
  id: string;
  /** 对象类型 as the BACnet object type number (0 analog-input, 3 binary-input, …). */
  objectType: number;
  /** 对象ID: the object instance. */
  instance: number;
  /** 属性ID: the BACnet property identifier (85 = present-value). */
  property: number;
  /** 数据类型 [seed 001 L16670]. */
  dataType: DataType;
  /** 是否变更上报: report on change (COV subscription, polling as fallback) [seed 001 L16672]. */
  cov: boolean;
  /** Write priority 1..16 for this point (extension; the driver's default otherwise). */
  priority?: number;
  remark?: string;
}

/** 数据类型: "bool, int, float, double 等" [seed 001 L16670]; enum and text cover multistate and names. */
export type DataType = 'bool' | 'int' | 'float' | 'double' | 'enum' | 'text';
export const DATA_TYPES: readonly DataType[] = ['bool', 'int', 'float', 'double', 'enum', 'text'];

export const MAX_INSTANCE = 4_194_302; // 22-bit instance; 4194303 is the "unconfigured" wildcard
export const MAX_PROPERTY_ID = 4_194_303;
/** The BACnet max-APDU sizes a device can announce (Clause 20.1.2.5). */
export const APDU_SIZES: readonly number[] = [50, 128, 206, 480, 1024, 1476];
export const MIN_REPORT_MS = 100;
export const MAX_REPORT_MS = 86_400_000;

/** Object types the driver knows by name; any other type number is accepted as a number. */
export const OBJECT_TYPES = {
  'analog-input': 0,
  'analog-output': 1,
  'analog-value': 2,
  'binary-input': 3,
  'binary-output': 4,
  'binary-value': 5,
  device: 8,
  'multi-state-input': 13,
  'multi-state-output': 14,
  'multi-state-value': 19,
} as const;

/** Chinese labels used by the template ("模拟量输入、二进制输入等等" [seed 001 L16664]). */
export const OBJECT_TYPE_LABELS: Record<string, number> = {
  模拟量输入: 0,
  模拟量输出: 1,
  模拟量值: 2,
  二进制输入: 3,
  二进制输出: 4,
  二进制值: 5,
  设备: 8,
  多态输入: 13,
  多态输出: 14,
  多态值: 19,
};

export const PROPERTIES = {
  'present-value': 85,
  'status-flags': 111,
  'out-of-service': 81,
  'object-name': 77,
  description: 28,
  units: 117,
  'priority-array': 87,
  'relinquish-default': 104,
  'event-state': 36,
  reliability: 103,
  'cov-increment': 22,
  'number-of-states': 74,
  'object-list': 76,
  'vendor-name': 121,
  'model-name': 70,
} as const;
export const PROPERTY_LABELS: Record<string, number> = { 当前值: 85, 状态标志: 111, 停用: 81, 对象名称: 77, 描述: 28, 单位: 117 };

const nameOf = (table: Record<string, number>, n: number): string | undefined => Object.entries(table).find(([, v]) => v === n)?.[0];
export const objectTypeName = (t: number): string => nameOf(OBJECT_TYPES, t) ?? String(t);
export const propertyName = (p: number): string => nameOf(PROPERTIES, p) ?? String(p);

export const PRESENT_VALUE = 85;
/** Object types whose present value is commandable through the priority array (Clause 19.2). */
export const COMMANDABLE: ReadonlySet<number> = new Set([1, 2, 4, 5, 14, 19]);
export const isAnalog = (t: number): boolean => t <= 2;
export const isBinary = (t: number): boolean => t >= 3 && t <= 5;
export const isMultistate = (t: number): boolean => t === 13 || t === 14 || t === 19;

export interface Problem {
  field: string;
  reason: string;
}

/** `ip:port` with an IPv4 address and a port 1..65535. */
export function parseAddress(text: string): { host: string; port: number } | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3}):(\d{1,5})$/.exec(text.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const port = Number(m[5]);
  if (octets.some((o) => o > 255) || port < 1 || port > 65535) return undefined;
  return { host: octets.join('.'), port };
}

export function channelProblems(c: ChannelDef): Problem[] {
  const out: Problem[] = [];
  if (c.transport !== 'udp') out.push({ field: 'transport', reason: 'BACnetV3 supports UDP only' });
  if (!c.nic) out.push({ field: 'nic', reason: 'required: the NIC on the device LAN (e.g. eth0)' });
  if (!Number.isInteger(c.deviceId) || c.deviceId < 0 || c.deviceId > MAX_INSTANCE)
    out.push({ field: 'deviceId', reason: `must be a device instance 0..${MAX_INSTANCE}` });
  if (!Number.isInteger(c.reportMs) || c.reportMs < MIN_REPORT_MS || c.reportMs > MAX_REPORT_MS)
    out.push({ field: 'reportMs', reason: `must be ${MIN_REPORT_MS}..${MAX_REPORT_MS} ms` });
  if (!Number.isInteger(c.offlineMs) || c.offlineMs < c.reportMs)
    out.push({ field: 'offlineMs', reason: 'must be at least the report period (recommended: report period × 10)' });
  if (c.mode === 'directed') {
    if (!c.address) out.push({ field: 'address', reason: '定向 needs the device address ip:port' });
    else if (!parseAddress(c.address)) out.push({ field: 'address', reason: 'must be ip:port, e.g. 192.168.1.20:47808' });
    if (c.maxApdu !== undefined && !APDU_SIZES.includes(c.maxApdu))
      out.push({ field: 'maxApdu', reason: `must be one of ${APDU_SIZES.join(', ')}` });
  } else if (c.mode === 'broadcast') {
    if (c.address !== undefined) out.push({ field: 'address', reason: 'only for 定向: 非定向 finds the device by broadcast' });
    if (c.maxApdu !== undefined) out.push({ field: 'maxApdu', reason: 'only for 定向: 非定向 takes it from the I-Am' });
  } else out.push({ field: 'mode', reason: 'must be 定向 or 非定向' });
  return out;
}

export function pointProblems(p: PointDef): Problem[] {
  const out: Problem[] = [];
  if (!Number.isInteger(p.objectType) || p.objectType < 0 || p.objectType > 1023)
    out.push({ field: 'objectType', reason: 'must be an object type 0..1023' });
  if (!Number.isInteger(p.instance) || p.instance < 0 || p.instance > MAX_INSTANCE)
    out.push({ field: 'instance', reason: `must be an object instance 0..${MAX_INSTANCE}` });
  if (!Number.isInteger(p.property) || p.property < 0 || p.property > MAX_PROPERTY_ID)
    out.push({ field: 'property', reason: 'must be a property identifier' });
  if (!DATA_TYPES.includes(p.dataType)) out.push({ field: 'dataType', reason: `must be one of ${DATA_TYPES.join(', ')}` });
  if (p.priority !== undefined && (!Number.isInteger(p.priority) || p.priority < 1 || p.priority > 16))
    out.push({ field: 'priority', reason: 'must be 1..16' });
  if (p.priority !== undefined && p.priority === 6)
    out.push({ field: 'priority', reason: 'priority 6 is reserved for minimum on/off (Clause 19.2.3)' });
  if (out.length === 0 && isBinary(p.objectType) && p.property === PRESENT_VALUE && !['bool', 'int', 'enum'].includes(p.dataType)) {
    out.push({ field: 'dataType', reason: 'a binary present value is bool, int or enum' });
  }
  if (out.length === 0 && isMultistate(p.objectType) && p.property === PRESENT_VALUE && !['int', 'enum'].includes(p.dataType)) {
    out.push({ field: 'dataType', reason: 'a multistate present value is int or enum' });
  }
  return out;
}
