/**
 * The simulator's memory: per device a register array laid out as layout.ts says, values
 * that move (a random walk on a share of the points each tick), coils, and a name string.
 */
import type { BitArea, RegisterArea, SlaveData } from '../../../protocols/modbus/server.js';
import { COILS, layoutPoint, NAME_ADDRESS, NAME_REGISTERS, registersFor } from './layout.js';

interface Device {
  regs: Buffer;
  coils: boolean[];
  name: Buffer;
}

export class SimData implements SlaveData {
  readonly #devices = new Map<number, Device>();
  readonly #points: number;
  readonly #size: number;

  /** `units`: the unit ids served on this port. */
  constructor(units: number[], points: number, label: (unit: number) => string) {
    this.#points = points;
    this.#size = registersFor(points);
    for (const u of units) {
      const regs = Buffer.alloc(this.#size * 2);
      const name = Buffer.alloc(NAME_REGISTERS * 2);
      name.write(label(u).slice(0, NAME_REGISTERS * 2));
      const d: Device = { regs, coils: new Array<boolean>(COILS).fill(false), name };
      this.#devices.set(u, d);
      for (let i = 0; i < points; i++) this.#set(d, i, Math.random());
    }
  }

  /** Move a share of every device's points (0..1). */
  tick(share: number): void {
    const n = Math.max(1, Math.round(this.#points * share));
    for (const d of this.#devices.values()) {
      for (let k = 0; k < n; k++) this.#set(d, Math.floor(Math.random() * this.#points), Math.random());
    }
  }

  #set(d: Device, index: number, r: number): void {
    const p = layoutPoint(index);
    switch (p.dataType) {
      case 'uint16':
        d.regs.writeUInt16BE(Math.floor(r * 1000), p.address * 2);
        break;
      case 'int16':
        d.regs.writeInt16BE(Math.floor(r * 200) - 100, p.address * 2);
        break;
      case 'float':
        d.regs.writeFloatBE(Math.round(r * 2500) / 10, p.address * 2);
        break;
      default:
        d.regs.writeUInt32BE(Math.floor(r * 10_000_000), p.address * 2);
    }
  }

  hasUnit(unit: number): boolean {
    return this.#devices.has(unit);
  }

  readRegisters(unit: number, _area: RegisterArea, start: number, quantity: number, out: Buffer): number {
    const d = this.#devices.get(unit)!;
    if (start >= NAME_ADDRESS && start + quantity <= NAME_ADDRESS + NAME_REGISTERS) {
      d.name.copy(out, 0, (start - NAME_ADDRESS) * 2, (start - NAME_ADDRESS + quantity) * 2);
      return 0;
    }
    if (start + quantity > this.#size) return 2;
    d.regs.copy(out, 0, start * 2, (start + quantity) * 2);
    return 0;
  }

  readBits(unit: number, _area: BitArea, start: number, quantity: number, out: boolean[]): number {
    const d = this.#devices.get(unit)!;
    if (start + quantity > COILS) return 2;
    for (let i = 0; i < quantity; i++) out[i] = d.coils[start + i]!;
    return 0;
  }

  writeRegisters(unit: number, start: number, regs: Buffer): number {
    const d = this.#devices.get(unit)!;
    if (start * 2 + regs.length > d.regs.length) return 2;
    regs.copy(d.regs, start * 2);
    return 0;
  }

  writeBits(unit: number, start: number, values: boolean[]): number {
    const d = this.#devices.get(unit)!;
    if (start + values.length > COILS) return 2;
    for (const [i, v] of values.entries()) d.coils[start + i] = v;
    return 0;
  }
}
