/**
 * The frame check of SIA DC-09 (§5.5.1.2): CRC-16 with polynomial x^16 + x^15 + x^2 + 1 in its
 * reflected form 0xA001, initial value 0, no final XOR (the "ARC"/"IBM" CRC, check value 0xBB3D
 * for "123456789"), over the bytes from the id token's opening quote up to the last byte before
 * the closing CR, sent as four upper-case hex characters.
 */
import { crc16Reflected } from '../common/crc16.js';

export function crc16(data: Uint8Array | string): number {
  return crc16Reflected(typeof data === 'string' ? Buffer.from(data, 'latin1') : data, 0);
}

/** Four upper-case hex characters. */
export const hex4 = (n: number): string => n.toString(16).toUpperCase().padStart(4, '0');
