/**
 * The read planner: turns a channel's points into the fewest block reads. Points are grouped
 * by (slave, register area, sampling period), sorted by address and merged while the block
 * stays within the protocol limit (125 registers, 2000 bits per request) and the hole
 * between neighbours is small enough that reading it is cheaper than another request.
 */
import { areaOf, isBitArea, MAX_READ_BITS, MAX_READ_REGISTERS, pointWidth, READ_FUNCTION, type Area, type PointDef } from './point.js';

export interface PlanOptions {
  /** Largest hole (registers) bridged inside a block: a request costs ~12 B + a round trip, a register 2 B. */
  maxGapRegisters: number;
  /** Largest hole (bits) bridged inside a coil / discrete-input block. */
  maxGapBits: number;
  maxRegisters: number;
  maxBits: number;
}

export const planDefaults: PlanOptions = { maxGapRegisters: 16, maxGapBits: 256, maxRegisters: MAX_READ_REGISTERS, maxBits: MAX_READ_BITS };

export interface ReadBlock {
  slave: number;
  area: Area;
  fc: number;
  start: number;
  quantity: number;
  periodMs: number;
  /** The points read, and beside them each one's offset from `start` in registers (or bits): two flat arrays, not an object per point. */
  points: PointDef[];
  offsets: Uint16Array;
  /** True when the block reads registers no point asked for (a bridged hole). */
  bridged: boolean;
}

function groupKey(p: PointDef): string {
  return `${p.slave}|${areaOf(p.op)}|${p.periodMs}`;
}

/** Plan the reads of one channel's points. Deterministic: the same points give the same blocks. */
export function planReads(points: readonly PointDef[], options: Partial<PlanOptions> = {}): ReadBlock[] {
  const opts = { ...planDefaults, ...options };
  const groups = new Map<string, PointDef[]>();
  for (const p of points) {
    const k = groupKey(p);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(p);
  }
  const blocks: ReadBlock[] = [];
  for (const g of groups.values()) {
    g.sort((a, b) => a.address - b.address || pointWidth(b) - pointWidth(a));
    const area = areaOf(g[0]!.op);
    const bits = isBitArea(area);
    const limit = bits ? opts.maxBits : opts.maxRegisters;
    const maxGap = bits ? opts.maxGapBits : opts.maxGapRegisters;
    let cur: ReadBlock | undefined;
    let offsets: number[] = [];
    let covered = 0; // registers actually asked for in `cur`
    let end = 0; // one past the last register in `cur`
    for (const p of g) {
      const w = pointWidth(p);
      const pEnd = p.address + w;
      const fits = cur && Math.max(end, pEnd) - cur.start <= limit && p.address - end <= maxGap;
      if (!cur || !fits) {
        if (cur) blocks.push(finish(cur, offsets, covered));
        cur = {
          slave: p.slave,
          area,
          fc: READ_FUNCTION[area],
          start: p.address,
          quantity: w,
          periodMs: p.periodMs,
          points: [],
          offsets: EMPTY,
          bridged: false,
        };
        offsets = [];
        covered = 0;
        end = p.address;
      }
      covered += Math.max(0, pEnd - Math.max(end, p.address));
      end = Math.max(end, pEnd);
      cur.quantity = end - cur.start;
      cur.points.push(p);
      offsets.push(p.address - cur.start);
    }
    if (cur) blocks.push(finish(cur, offsets, covered));
  }
  return blocks.sort((a, b) => a.periodMs - b.periodMs || a.slave - b.slave || a.fc - b.fc || a.start - b.start);
}

const EMPTY = new Uint16Array(0);

function finish(b: ReadBlock, offsets: number[], covered: number): ReadBlock {
  b.offsets = Uint16Array.from(offsets);
  b.points = b.points.slice(); // trimmed to its length: push leaves spare capacity
  b.bridged = covered < b.quantity;
  return b;
}

/**
 * A bridged block the device refused (ILLEGAL DATA ADDRESS: the hole holds registers it does
 * not implement) is read again without bridging.
 */
export function unbridge(block: ReadBlock, options: Partial<PlanOptions> = {}): ReadBlock[] {
  return planReads(block.points, { ...options, maxGapRegisters: 0, maxGapBits: 0 });
}
