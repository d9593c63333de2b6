/**
 * Table schemas for EBA point tables (ModbusV3, BACnetV3 [seed 001 L16342-16815]): a table is a
 * sheet name plus columns, each column a header in the seed's template, a field key and a
 * cell parser/formatter. Validation, import, export and the row-level report are written once
 * against these schemas; a protocol contributes only its column set and row rules (a profile).
 */

/** One failed check, located where the user can find it in the file. */
export interface RowProblem {
  sheet: string;
  /** Spreadsheet row number (1 = header row). */
  row: number;
  column: string;
  value: string;
  reason: string;
}

export type Parsed = { value: unknown } | { error: string };

export interface ColumnSpec {
  /** Field name in the row object (and in the driver's tables). */
  key: string;
  /** Header in the seed's template. */
  header: string;
  /** Other accepted headers (English names, older templates). */
  aliases?: readonly string[];
  required?: boolean;
  /** Cell text (trimmed, non-empty) → value. */
  parse(text: string): Parsed;
  /** Value → cell, for export. */
  format?(value: unknown): string | number;
  /** Shown in the template's header comment. */
  note?: string;
}

export type Row = Record<string, unknown>;

export interface TableSpec {
  sheet: string;
  aliases?: readonly string[];
  columns: readonly ColumnSpec[];
  /** Column key whose value must be unique in the table. */
  unique?: string;
  /** Rules across the fields of one row; `field` is a column key. */
  rowProblems?(row: Row): { field: string; reason: string }[];
}

// --- cell parsers shared by profiles ---

export const text =
  (max = 256): ColumnSpec['parse'] =>
  (t) =>
    t.length > max ? { error: `longer than ${max} characters` } : { value: t };

export const identifier = (t: string): Parsed =>
  /^[A-Za-z0-9_.:@-]{1,64}$/.test(t) ? { value: t } : { error: 'use 1-64 letters, digits or _ . : @ -' };

export const integer =
  (min: number, max: number): ColumnSpec['parse'] =>
  (t) => {
    const n = Number(t);
    return Number.isInteger(n) && n >= min && n <= max ? { value: n } : { error: `must be a whole number ${min}..${max}` };
  };

export const decimal = (t: string): Parsed => {
  const n = Number(t);
  return t !== '' && Number.isFinite(n) ? { value: n } : { error: 'must be a number' };
};

/** 0x-prefixed or bare hexadecimal 0..FFFF [seed 001 L16408: 寄存器地址 十六进制]. */
export const hex16 = (t: string): Parsed => {
  const m = /^(?:0x)?([0-9a-f]{1,4})$/i.exec(t);
  return m ? { value: parseInt(m[1]!, 16) } : { error: 'must be a hexadecimal register address 0x0000..0xFFFF' };
};
export const formatHex16 = (v: unknown): string => `0x${Number(v).toString(16).toUpperCase().padStart(4, '0')}`;

/** A closed set of values: several spellings may mean one value (labels, codes, English). */
export const oneOf = (options: Record<string, unknown>, label: string): ColumnSpec['parse'] => {
  const norm = new Map(Object.entries(options).map(([k, v]) => [normalize(k), v] as const));
  return (t) => {
    const v = norm.get(normalize(t));
    return v === undefined
      ? { error: `unknown ${label}; use one of: ${[...new Set(Object.keys(options))].slice(0, 12).join(', ')}` }
      : { value: v };
  };
};
const normalize = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[\s（）()]/g, '')
    .replace(/，/g, ',');

export const YES_NO = { 是: true, 否: false, yes: true, no: false, true: true, false: false, 1: true, 0: false, y: true, n: false };
export const yesNo = oneOf(YES_NO, 'yes/no value');
export const formatYesNo = (v: unknown): string => (v ? '是' : '否');

export const ipv4 = (t: string): Parsed => {
  const parts = t.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)
    ? { value: t }
    : { error: 'must be an IPv4 address' };
};

/** Reverse lookup for export: the first spelling that maps to the value. */
export const labelOf =
  (options: Record<string, unknown>) =>
  (v: unknown): string =>
    Object.entries(options).find(([, x]) => x === v)?.[0] ?? String(v);

/**
 * Columns the ModbusV3 and BACnetV3 tables share: the channel number (unique within the
 * protocol), the point number (globally unique) and the point's channel, whose header the two
 * seed tables spell differently (连接通道 / 链接通道); each accepts the other's spelling.
 */
export const channelNumberColumn: ColumnSpec = {
  key: 'id',
  header: '通道编号',
  aliases: ['channel'],
  required: true,
  parse: (t) => (/^[A-Za-z0-9_-]{1,32}$/.test(t) ? { value: t } : { error: 'use 1-32 letters, digits, _ or -' }),
  note: '协议内唯一',
};
/**
 * The channel sheet of a point-table protocol (通道配置表, seed 001 L16407-16626): its name, the
 * channel number, the transport with the protocol's options, then the protocol's own columns.
 */
export function channelSheet(
  transport: { options: Record<string, unknown>; format: (v: unknown) => string; note: string },
  columns: ColumnSpec[],
  more: Partial<TableSpec> = {},
): TableSpec {
  return {
    ...more,
    sheet: '通道配置表',
    aliases: ['通道配置', 'channels'],
    unique: 'id',
    columns: [
      channelNumberColumn,
      {
        key: 'transport',
        header: '传输方式',
        aliases: ['transport'],
        parse: oneOf(transport.options, 'transport'),
        format: transport.format,
        note: transport.note,
      },
      ...columns,
    ],
  };
}
export const pointNumberColumn: ColumnSpec = {
  key: 'id',
  header: '点位编号',
  aliases: ['point'],
  required: true,
  parse: (t) => (/^[A-Za-z0-9_.:-]{1,64}$/.test(t) ? { value: t } : { error: 'use 1-64 letters, digits or _ . : -' }),
  note: '全局唯一',
};
export const pointChannelColumn = (header: '连接通道' | '链接通道'): ColumnSpec => ({
  key: 'channel',
  header,
  aliases: [header === '连接通道' ? '链接通道' : '连接通道', 'channel'],
  required: true,
  parse: text(32),
});
