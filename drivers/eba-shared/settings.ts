/**
 * Settings the EBA point-table drivers share (ModbusV3, BACnetV3): where their tables are and
 * each device's property → point mapping. The rows of the tables are checked by the import
 * (edge/eba, docs/eba.md) and again by the driver with the protocol's own rules
 * (loadCheckedTables), so here they are only declared as lists.
 */
import { Type } from '@sinclair/typebox';
import { described, TextId } from '../../edge/host/sdk/settings.js';

/** The tables keys of an EBA driver's config (`importType`: the `--type` of `edge import points`). */
export function tablesKeys(importType: string) {
  return {
    tablesFile: Type.Optional(described(Type.String({ minLength: 1 }), `tables file written by edge import points --type ${importType}, relative to the driver's data folder`, `点位导入(edge import points)生成的点表文件, 相对驱动数据目录`)),
    tablesSha256: Type.Optional(described(Type.String({ pattern: '^[0-9a-f]{64}$' }), 'SHA-256 of the tables file, written by the import (a changed file is refused)', '点表文件的SHA-256, 由导入写入(文件被改动则拒绝)')),
    channels: Type.Optional(described(Type.Array(Type.Unknown()), 'inline channel table (instead of tablesFile; rows as in the tables file, docs/eba.md)', '内联通道表(代替tablesFile)')),
    points: Type.Optional(described(Type.Array(Type.Unknown()), 'inline point table (instead of tablesFile; rows as in the tables file, docs/eba.md)', '内联点位表(代替tablesFile)')),
  };
}

/** A device's custom config: which point each property of its thing model reads and writes. */
export const ebaDevice = Type.Object({
  points: Type.Optional(described(
    Type.Record(Type.String({ minLength: 1 }), TextId('point number', '点位编号')),
    'property identifier → point number of the point table',
    '属性标识符 → 点位编号',
  )),
}, { additionalProperties: false });
