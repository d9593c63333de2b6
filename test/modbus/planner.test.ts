/** Table-driven cases: the block reads the planner chooses for given point layouts. */
import { describe, expect, it } from 'vitest';
import type { DataType, OperationType, PointDef } from '../../protocols/modbus/point.js';
import { planReads, unbridge } from '../../protocols/modbus/planner.js';

let n = 0;
function pt(address: number, dataType: DataType = 'uint16', extra: Partial<PointDef> = {}): PointDef {
  const op: OperationType = extra.op ?? 'holding:16';
  return { id: `p${n++}`, channel: 'C1', slave: 1, address, op, dataType, periodMs: 1000, report: 'periodic', ...extra };
}

/** Compact block notation: `fc:start+quantity@slave/period`. */
const show = (points: PointDef[], opts = {}): string[] =>
  planReads(points, opts).map((b) => `${b.fc}:${b.start}+${b.quantity}@${b.slave}/${b.periodMs}`);

const cases: { name: string; points: () => PointDef[]; opts?: object; blocks: string[] }[] = [
  { name: 'contiguous registers make one block', points: () => [pt(0), pt(1), pt(2, 'float'), pt(4, 'double')], blocks: ['3:0+8@1/1000'] },
  { name: 'a small hole is bridged', points: () => [pt(0), pt(10)], blocks: ['3:0+11@1/1000'] },
  { name: 'a hole larger than the bridge limit splits', points: () => [pt(0), pt(18)], blocks: ['3:0+1@1/1000', '3:18+1@1/1000'] },
  {
    name: 'the bridge limit is an option',
    points: () => [pt(0), pt(10)],
    opts: { maxGapRegisters: 0 },
    blocks: ['3:0+1@1/1000', '3:10+1@1/1000'],
  },
  {
    name: '125 registers per request at most',
    points: () => Array.from({ length: 130 }, (_, i) => pt(i)),
    blocks: ['3:0+125@1/1000', '3:125+5@1/1000'],
  },
  {
    name: 'a wide point is never cut at the limit',
    points: () => [pt(0, 'custom', { count: 100 }), pt(100, 'double'), pt(104, 'custom', { count: 30 })],
    blocks: ['3:0+104@1/1000', '3:104+30@1/1000'],
  },
  {
    name: 'functions are read separately',
    points: () => [pt(0), pt(1, 'uint16', { op: 'input:04' }), pt(2, 'bool', { op: 'coil:05' }), pt(3, 'bool', { op: 'discrete:02' })],
    blocks: ['1:2+1@1/1000', '2:3+1@1/1000', '3:0+1@1/1000', '4:1+1@1/1000'],
  },
  { name: 'slaves are read separately', points: () => [pt(0), pt(1, 'uint16', { slave: 2 })], blocks: ['3:0+1@1/1000', '3:1+1@2/1000'] },
  {
    name: 'sampling periods split blocks',
    points: () => [pt(0), pt(1, 'uint16', { periodMs: 5000 })],
    blocks: ['3:0+1@1/1000', '3:1+1@1/5000'],
  },
  {
    name: '06 and 16 holding points share reads (both read with 03)',
    points: () => [pt(0, 'int16', { op: 'holding:06' }), pt(1, 'int32')],
    blocks: ['3:0+3@1/1000'],
  },
  {
    name: 'coils up to 2000 per request, holes up to 256 bridged',
    points: () => [
      pt(0, 'bool', { op: 'coil:05' }),
      pt(200, 'bool', { op: 'coil:05' }),
      pt(1999, 'bool', { op: 'coil:05' }),
      pt(2000, 'bool', { op: 'coil:05' }),
    ],
    blocks: ['1:0+201@1/1000', '1:1999+2@1/1000'],
  },
  { name: 'unordered input is sorted', points: () => [pt(9), pt(3), pt(6, 'uint32')], blocks: ['3:3+7@1/1000'] },
  {
    name: 'overlapping points (bits of one register) share a register',
    points: () => [pt(4, 'bits', { bit: 0 }), pt(4, 'bits', { bit: 7 }), pt(5)],
    blocks: ['3:4+2@1/1000'],
  },
];

describe('read planner', () => {
  for (const c of cases) {
    it(c.name, () => {
      expect(show(c.points(), c.opts)).toEqual(c.blocks);
    });
  }

  it('records each point at its offset and flags bridged blocks', () => {
    const [b] = planReads([pt(0), pt(5, 'float')]);
    expect([...b!.offsets]).toEqual([0, 5]);
    expect(b!.bridged).toBe(true);
    expect(planReads([pt(0), pt(1)])[0]!.bridged).toBe(false);
  });

  it('unbridges a refused block into its contiguous runs', () => {
    const [b] = planReads([pt(0), pt(1), pt(8, 'float'), pt(10)]);
    expect(unbridge(b!).map((x) => `${x.start}+${x.quantity}`)).toEqual(['0+2', '8+3']);
  });

  it('plans 200 000 points quickly', () => {
    const points = Array.from({ length: 200_000 }, (_, i) =>
      pt(i % 200, 'uint16', { slave: 1 + (Math.floor(i / 200) % 247), channel: `C${Math.floor(i / 200 / 247)}` }),
    );
    const t = performance.now();
    const byChannel = new Map<string, PointDef[]>(); // the planner works one channel at a time
    for (const p of points) {
      const list = byChannel.get(p.channel);
      if (list) list.push(p);
      else byChannel.set(p.channel, [p]);
    }
    const blocks = [...byChannel.values()].flatMap((list) => planReads(list));
    expect(blocks.length).toBe(2000); // 1000 devices × 200 registers = 2 reads each
    expect(performance.now() - t).toBeLessThan(5000);
  });
});
