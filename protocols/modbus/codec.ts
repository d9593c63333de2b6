/**
 * Register bytes ↔ point values for every ModbusV3 data type, with the seed's byte swap
 * ("0xAB → 0xBA" inside each 16-bit register), word swap ("0xABCD → 0xCDAB" inside 32-bit
 * data) and scale factor (real = raw × factor) [seed 001 L16424-16437].
 *
 * Bytes are as they travel on the wire (big-endian registers). For 64-bit types the word
 * swap reverses all four words (the common "little-endian word order"); the seed only gives
 * the 32-bit example, see docs/eba.md.
 */
import { SCALE_TYPES, pointWidth, type PointDef } from './point.js';

export type PointValue = number | string;
type Codable = Pick<PointDef, 'op' | 'dataType' | 'count' | 'bit' | 'byteSwap' | 'wordSwap' | 'scale'>;

function swapBytes(b: Buffer): void {
  for (let i = 0; i + 1 < b.length; i += 2) {
    const t = b[i]!;
    b[i] = b[i + 1]!;
    b[i + 1] = t;
  }
}

function reverseWords(b: Buffer): void {
  const words = b.length / 2;
  for (let i = 0; i < words / 2; i++) {
    const a = i * 2;
    const z = (words - 1 - i) * 2;
    const t0 = b[a]!;
    const t1 = b[a + 1]!;
    b[a] = b[z]!;
    b[a + 1] = b[z + 1]!;
    b[z] = t0;
    b[z + 1] = t1;
  }
}

/** Turn device order into big-endian order (and back: both swaps are their own inverse). */
function reorder(raw: Buffer, p: Codable): Buffer {
  if (!p.byteSwap && !p.wordSwap) return raw;
  const b = Buffer.from(raw);
  if (p.byteSwap) swapBytes(b);
  if (p.wordSwap && b.length >= 4) reverseWords(b);
  return b;
}

const clean = (x: number, digits: number): number => Number(x.toPrecision(digits));

function scaled(raw: number, p: Codable): number {
  if (p.scale === undefined || p.scale === 1 || !SCALE_TYPES.has(p.dataType)) return raw;
  return clean(raw * p.scale, 15); // 123 × 0.1 is 12.3, not 12.300000000000001
}

/** Decode a register-area point from its bytes (`bytes.length >= 2 × pointWidth`). */
export function decodeRegisters(bytes: Buffer, p: Codable): PointValue {
  const b = reorder(bytes.subarray(0, pointWidth(p) * 2), p);
  switch (p.dataType) {
    case 'int16':
      return b.readInt16BE(0);
    case 'uint16':
      return b.readUInt16BE(0);
    case 'int32':
      return scaled(b.readInt32BE(0), p);
    case 'uint32':
      return scaled(b.readUInt32BE(0), p);
    case 'int64':
      return scaled(Number(b.readBigInt64BE(0)), p);
    case 'uint64':
      return scaled(Number(b.readBigUInt64BE(0)), p);
    case 'float':
      return scaled(clean(b.readFloatBE(0), 7), p); // a float32 carries ~7 significant digits
    case 'double':
      return scaled(b.readDoubleBE(0), p);
    case 'bool':
      return b.readUInt16BE(0) !== 0 ? 1 : 0; // TSL bool is int 0/1 [seed 001 L16580]
    case 'bits':
      return (b.readUInt16BE(0) >> (p.bit ?? 0)) & 1;
    case 'string': {
      const end = b.indexOf(0);
      return b.subarray(0, end < 0 ? b.length : end).toString('utf8');
    }
    case 'custom':
      return b.toString('hex').toUpperCase();
  }
}

function integer(value: unknown, min: bigint, max: bigint, p: Codable): bigint {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n)) throw new RangeError(`${String(value)} is not a number`);
  const raw = SCALE_TYPES.has(p.dataType) && p.scale !== undefined && p.scale !== 1 ? n / p.scale : n;
  const r = BigInt(Math.round(raw));
  if (r < min || r > max)
    throw new RangeError(`${n} does not fit ${p.dataType}${p.scale && p.scale !== 1 ? ` with scale ${p.scale}` : ''}`);
  return r;
}

/**
 * Encode a value as the registers to write (device byte order). `bits` is a read-modify-write:
 * pass the register's current bytes as `current`.
 */
export function encodeRegisters(value: unknown, p: Codable, current?: Buffer): Buffer {
  const width = pointWidth(p);
  const b = Buffer.alloc(width * 2);
  switch (p.dataType) {
    case 'int16':
      b.writeInt16BE(Number(integer(value, -0x8000n, 0x7fffn, p)));
      break;
    case 'uint16':
      b.writeUInt16BE(Number(integer(value, 0n, 0xffffn, p)));
      break;
    case 'int32':
      b.writeInt32BE(Number(integer(value, -0x80000000n, 0x7fffffffn, p)));
      break;
    case 'uint32':
      b.writeUInt32BE(Number(integer(value, 0n, 0xffffffffn, p)));
      break;
    case 'int64':
      b.writeBigInt64BE(integer(value, -(2n ** 63n), 2n ** 63n - 1n, p));
      break;
    case 'uint64':
      b.writeBigUInt64BE(integer(value, 0n, 2n ** 64n - 1n, p));
      break;
    case 'float':
    case 'double': {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new RangeError(`${String(value)} is not a number`);
      const raw = p.scale !== undefined && p.scale !== 1 ? n / p.scale : n;
      if (p.dataType === 'float') {
        if (Math.abs(raw) > 3.4028234663852886e38) throw new RangeError(`${n} does not fit float`);
        b.writeFloatBE(raw);
      } else b.writeDoubleBE(raw);
      break;
    }
    case 'bool':
      b.writeUInt16BE(truthy(value) ? 1 : 0);
      break;
    case 'bits': {
      if (!current || current.length < 2) throw new RangeError('writing a bit needs the register read first');
      const reg = current.readUInt16BE(0);
      const mask = 1 << (p.bit ?? 0);
      b.writeUInt16BE(truthy(value) ? reg | mask : reg & ~mask & 0xffff);
      break;
    }
    case 'string': {
      const s = Buffer.from(String(value), 'utf8');
      if (s.length > b.length) throw new RangeError(`string of ${s.length} bytes does not fit ${width} registers`);
      s.copy(b);
      break;
    }
    case 'custom': {
      const hex = String(value).replace(/^0x/i, '');
      if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length !== b.length * 2)
        throw new RangeError(`custom value must be ${b.length * 2} hex digits`);
      Buffer.from(hex, 'hex').copy(b);
      break;
    }
  }
  return reorder(b, p);
}

function truthy(v: unknown): boolean {
  if (v === true || v === 1 || v === '1' || v === 'true') return true;
  if (v === false || v === 0 || v === '0' || v === 'false') return false;
  throw new RangeError(`${String(v)} is not a bool (0/1)`);
}

/** A coil's value to write (function 05/15). */
export function encodeBit(value: unknown): boolean {
  return truthy(value);
}
