/**
 * The device table (设备表), the same for every EBA protocol: one row per (device, property),
 * giving the device's IoT code, its alias, its thing-model category (productKey) and the
 * point that feeds the property [seed 001 L16475-16510]. Each device becomes a thing-model
 * device whose custom config carries the property → point mapping.
 */
import type { DeviceConfig } from '../host/host.js';
import { identifier, text, type Row, type TableSpec } from './table-schema.js';

export const DEVICE_TABLE: TableSpec = {
  sheet: '设备表',
  aliases: ['devices'],
  columns: [
    {
      key: 'deviceName',
      header: 'IoT 设备ID',
      aliases: ['IoT设备ID', '设备名称', 'deviceName'],
      required: true,
      parse: identifier,
      note: '设备的IoT编码',
    },
    {
      key: 'alias',
      header: 'IoT 设备中文名称',
      aliases: ['IoT设备中文名称', '设备别名', 'alias'],
      parse: text(128),
      note: '设备的备注名称',
    },
    {
      key: 'productKey',
      header: '设备品类',
      aliases: ['品类', 'productKey'],
      required: true,
      parse: (t) => (/^[A-Za-z0-9_.-]{1,64}$/.test(t) ? { value: t } : { error: 'a thing-model productKey: letters, digits, _ . -' }),
      note: '设备的物模型品类 (productKey)',
    },
    { key: 'propertyName', header: '功能名称', aliases: ['name'], parse: text(128) },
    {
      key: 'property',
      header: '标识符',
      aliases: ['属性标识符', 'property', 'identifier'],
      required: true,
      parse: (t) => (/^[A-Za-z_][A-Za-z0-9_]{0,49}$/.test(t) ? { value: t } : { error: 'a property identifier: letters, digits, _' }),
      note: '物模型属性标识符',
    },
    { key: 'point', header: '点位编号', aliases: ['point'], required: true, parse: text(64), note: '点位表中的点位编号' },
  ],
};

/** Group device rows into thing-model devices with `custom.points` = { property: point }. */
export function devicesFromRows(rows: Row[]): DeviceConfig[] {
  const out = new Map<string, DeviceConfig & { custom: { points: Record<string, string> } }>();
  for (const r of rows) {
    const key = `${String(r.productKey)}/${String(r.deviceName)}`;
    let d = out.get(key);
    if (!d) {
      d = {
        productKey: String(r.productKey),
        deviceName: String(r.deviceName),
        custom: { points: {} },
        ...(r.alias ? { alias: String(r.alias) } : {}),
      };
      out.set(key, d);
    }
    d.custom.points[String(r.property)] = String(r.point);
  }
  return [...out.values()];
}

/** The inverse, for export. */
export function rowsFromDevices(
  devices: readonly DeviceConfig[],
  propertyName: (productKey: string, property: string) => string | undefined,
): Row[] {
  const rows: Row[] = [];
  for (const d of devices) {
    const points = (d.custom?.points ?? {}) as Record<string, string>;
    for (const [property, point] of Object.entries(points)) {
      rows.push({
        deviceName: d.deviceName,
        alias: d.alias,
        productKey: d.productKey,
        propertyName: propertyName(d.productKey, property),
        property,
        point,
      });
    }
  }
  return rows;
}
