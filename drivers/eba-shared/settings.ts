/**
 * Settings the EBA point-table drivers share (ModbusV3, BACnetV3): where their tables are and
 * each device's property → point mapping. The rows of the tables are checked by the import
 * (edge/eba, docs/eba.md) and again by the driver with the protocol's own rules
 * (loadCheckedTables), so here they are only declared as lists.
 */
import { Type } from '@sinclair/typebox';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { described, TextId, type SettingsProblem } from '../../edge/host/sdk/settings.js';

/** The tables keys of an EBA driver's config (`importType`: the `--type` of `edge import points`). */
export function tablesKeys(importType: string) {
  return {
    tablesFile: Type.Optional(
      described(
        Type.String({ minLength: 1 }),
        `tables file written by edge import points --type ${importType}, relative to the driver's data folder`,
        `点位导入(edge import points)生成的点表文件, 相对驱动数据目录`,
      ),
    ),
    tablesSha256: Type.Optional(
      described(
        Type.String({ pattern: '^[0-9a-f]{64}$' }),
        'SHA-256 of the tables file, written by the import (a changed file is refused)',
        '点表文件的SHA-256, 由导入写入(文件被改动则拒绝)',
      ),
    ),
    channels: Type.Optional(
      described(
        Type.Array(Type.Unknown()),
        'inline channel table (instead of tablesFile; rows as in the tables file, docs/eba.md)',
        '内联通道表(代替tablesFile)',
      ),
    ),
    points: Type.Optional(
      described(
        Type.Array(Type.Unknown()),
        'inline point table (instead of tablesFile; rows as in the tables file, docs/eba.md)',
        '内联点位表(代替tablesFile)',
      ),
    ),
  };
}

/** A device's custom config: which point each property of its thing model reads and writes. */
export const ebaDevice = Type.Object(
  {
    points: Type.Optional(
      described(
        Type.Record(Type.String({ minLength: 1 }), TextId('point number', '点位编号')),
        'property identifier → point number of the point table',
        '属性标识符 → 点位编号',
      ),
    ),
  },
  { additionalProperties: false },
);

/**
 * The tables an EBA driver will read exist and are the ones imported: no tables at all, a
 * missing tables file, or one changed after the import would stop the driver at start.
 */
export function checkTables(input: {
  config: { tablesFile?: string; tablesSha256?: string; channels?: unknown[]; points?: unknown[] };
  dataDir: string;
}): SettingsProblem[] {
  const c = input.config;
  if (c.tablesFile === undefined) {
    return c.channels && c.points
      ? []
      : [
          {
            path: '/config',
            message: 'no point tables: neither tablesFile nor inline channels and points',
            hint: 'run edge import points for this driver (docs/eba.md), or write channels and points',
          },
        ];
  }
  const file = isAbsolute(c.tablesFile) ? c.tablesFile : join(input.dataDir, c.tablesFile);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return [
      {
        path: '/config/tablesFile',
        message: `tables file ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
        hint: "run edge import points again, or fix the path (relative to the driver's data folder)",
      },
    ];
  }
  if (c.tablesSha256 && createHash('sha256').update(text).digest('hex') !== c.tablesSha256) {
    return [
      {
        path: '/config/tablesSha256',
        message: `tables file ${file} was changed after the import (its SHA-256 differs)`,
        hint: 're-run edge import points; edit the workbook, not the tables file',
      },
    ];
  }
  return [];
}
