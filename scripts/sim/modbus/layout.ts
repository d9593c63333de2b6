/**
 * The register layout of a simulated EBA device, shared by the simulator, the benchmark and
 * the example workbook. Points repeat in groups of four over contiguous holding registers:
 * uint16, int16, float (2 registers), uint32 scaled by 0.01 (2 registers): 6 registers per
 * group, 300 registers for 200 points. Coils 0..63 are writable switches; registers
 * 1000..1004 hold the device's model name as a string.
 */
import type { DataType } from '../../../protocols/modbus/point.js';

export interface LayoutPoint {
  index: number;
  address: number;
  dataType: DataType;
  scale?: number;
  /** TSL data type the point feeds. */
  tsl: 'int' | 'float' | 'double';
}

export const NAME_ADDRESS = 1000;
export const NAME_REGISTERS = 5;
export const COILS = 64;

export function layoutPoint(index: number): LayoutPoint {
  const g = Math.floor(index / 4);
  switch (index % 4) {
    case 0:
      return { index, address: g * 6, dataType: 'uint16', tsl: 'int' };
    case 1:
      return { index, address: g * 6 + 1, dataType: 'int16', tsl: 'int' };
    case 2:
      return { index, address: g * 6 + 2, dataType: 'float', tsl: 'float' };
    default:
      return { index, address: g * 6 + 4, dataType: 'uint32', scale: 0.01, tsl: 'double' };
  }
}

export function registersFor(points: number): number {
  return Math.ceil(points / 4) * 6;
}
