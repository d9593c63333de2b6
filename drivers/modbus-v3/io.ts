/**
 * On-demand reads and writes of single points: `getProperties` and `setProperties`. A write
 * applies the inverse of scale, swaps and type, uses the single or multiple write function
 * as the operation type and width require (several writes for a point wider than one write
 * carries), and reads the point back.
 */
import { encodeBit, encodeRegisters, type PointValue } from '../../protocols/modbus/codec.js';
import {
  readRequest,
  responseData,
  writeMultipleCoils,
  writeMultipleRegisters,
  writeSingleCoil,
  writeSingleRegister,
} from '../../protocols/modbus/frames.js';
import { areaOf, isWritable, MAX_WRITE_REGISTERS, pointWidth, READ_FUNCTION, type PointDef } from '../../protocols/modbus/point.js';
import { planReads } from '../../protocols/modbus/planner.js';
import type { ChannelLink } from './link.js';
import { decodeAt } from './poller.js';

/** Read points (of one channel) with as few requests as the planner allows. */
export async function readPoints(link: ChannelLink, points: readonly PointDef[]): Promise<Map<string, PointValue>> {
  const out = new Map<string, PointValue>();
  const blocks = planReads(
    points.map((p) => ({ ...p, periodMs: 1000 })),
    { maxGapRegisters: 0, maxGapBits: 0 },
  );
  await Promise.all(
    blocks.map(async (b) => {
      const req = readRequest(b.fc, b.start, b.quantity);
      const data = responseData(req, await link.request(b.slave, req, true));
      for (const [i, p] of b.points.entries()) out.set(p.id, decodeAt(b, data, i));
    }),
  );
  return out;
}

async function rawRegisters(link: ChannelLink, p: PointDef): Promise<Buffer> {
  const req = readRequest(READ_FUNCTION[areaOf(p.op)], p.address, pointWidth(p));
  return responseData(req, await link.request(p.slave, req, true));
}

/** Write one point and return the value read back. Throws RangeError for a value that does not fit. */
export async function writePoint(link: ChannelLink, p: PointDef, value: unknown): Promise<PointValue> {
  if (!isWritable(p.op)) throw new TypeError(`point ${p.id} is ${areaOf(p.op)} (read-only)`);
  if (p.op === 'coil:05') await send(link, p, writeSingleCoil(p.address, encodeBit(value)));
  else if (p.op === 'coil:15') await send(link, p, writeMultipleCoils(p.address, [encodeBit(value)]));
  else {
    const current = p.dataType === 'bits' ? await rawRegisters(link, p) : undefined;
    const regs = encodeRegisters(value, p, current);
    // 06 writes exactly one register; wider data needs 16 even on a "06" point.
    if (p.op === 'holding:06' && regs.length === 2) await send(link, p, writeSingleRegister(p.address, regs));
    else await writeRegisters(link, p, regs);
  }
  const back = await readPoints(link, [p]);
  return back.get(p.id)!;
}

async function send(link: ChannelLink, p: PointDef, req: Buffer): Promise<void> {
  responseData(req, await link.request(p.slave, req, true));
}

/**
 * Function 16 carries at most 123 registers: a string or custom point of 124-125 registers
 * goes out as consecutive writes in address order. Not atomic: when a later part fails the
 * earlier ones stay written, and the error says which part failed.
 */
async function writeRegisters(link: ChannelLink, p: PointDef, regs: Buffer): Promise<void> {
  const partBytes = MAX_WRITE_REGISTERS * 2;
  const parts = Math.ceil(regs.length / partBytes);
  for (let i = 0; i < parts; i++) {
    const address = p.address + i * MAX_WRITE_REGISTERS;
    try {
      await send(link, p, writeMultipleRegisters(address, regs.subarray(i * partBytes, (i + 1) * partBytes)));
    } catch (err) {
      if (i > 0 && err instanceof Error)
        err.message += ` (write part ${i + 1} of ${parts} at 0x${address.toString(16).padStart(4, '0')}; the earlier parts were written)`;
      throw err;
    }
  }
}
