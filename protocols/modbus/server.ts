/**
 * A small, fast Modbus TCP slave: parses MBAP frames, answers function codes 01-06, 15, 16
 * from a `SlaveData` source, and answers everything else with exception 1. Many unit ids on
 * one port. Used by the simulator and the benchmark; all answers to one incoming chunk go
 * out in one write (unless a per-request latency is simulated).
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export type RegisterArea = 'holding' | 'input';
export type BitArea = 'coil' | 'discrete';

/** Where the slave's data lives. Return a Modbus exception code (2 = bad address), or 0. */
export interface SlaveData {
  hasUnit(unit: number): boolean;
  readRegisters(unit: number, area: RegisterArea, start: number, quantity: number, out: Buffer): number;
  readBits(unit: number, area: BitArea, start: number, quantity: number, out: boolean[]): number;
  writeRegisters(unit: number, start: number, regs: Buffer): number;
  writeBits(unit: number, start: number, values: boolean[]): number;
}

function exception(tid: number, unit: number, fc: number, code: number): Buffer {
  const b = Buffer.alloc(9);
  b.writeUInt16BE(tid, 0);
  b.writeUInt16BE(3, 4);
  b[6] = unit;
  b[7] = fc | 0x80;
  b[8] = code;
  return b;
}

/** Answer one request PDU; returns the full MBAP response or undefined (no answer: unknown unit). */
export function answer(data: SlaveData, tid: number, unit: number, pdu: Buffer): Buffer | undefined {
  if (!data.hasUnit(unit)) return undefined; // a gateway with no such slave stays silent: the master times out
  const fc = pdu[0]!;
  if (pdu.length < 5) return exception(tid, unit, fc, 3);
  const start = pdu.readUInt16BE(1);
  const q = pdu.readUInt16BE(3);
  if (fc === 3 || fc === 4) {
    if (q < 1 || q > 125) return exception(tid, unit, fc, 3);
    const b = Buffer.alloc(9 + q * 2);
    const code = data.readRegisters(unit, fc === 3 ? 'holding' : 'input', start, q, b.subarray(9));
    if (code) return exception(tid, unit, fc, code);
    b.writeUInt16BE(tid, 0);
    b.writeUInt16BE(3 + q * 2, 4);
    b[6] = unit;
    b[7] = fc;
    b[8] = q * 2;
    return b;
  }
  if (fc === 1 || fc === 2) {
    if (q < 1 || q > 2000) return exception(tid, unit, fc, 3);
    const bits: boolean[] = new Array<boolean>(q).fill(false);
    const code = data.readBits(unit, fc === 1 ? 'coil' : 'discrete', start, q, bits);
    if (code) return exception(tid, unit, fc, code);
    const n = Math.ceil(q / 8);
    const b = Buffer.alloc(9 + n);
    b.writeUInt16BE(tid, 0);
    b.writeUInt16BE(3 + n, 4);
    b[6] = unit;
    b[7] = fc;
    b[8] = n;
    bits.forEach((v, i) => {
      if (v) b[9 + (i >> 3)]! |= 1 << (i & 7);
    });
    return b;
  }
  let code = 0;
  if (fc === 5) {
    if (q !== 0xff00 && q !== 0) return exception(tid, unit, fc, 3);
    code = data.writeBits(unit, start, [q === 0xff00]);
  } else if (fc === 6) code = data.writeRegisters(unit, start, pdu.subarray(3, 5));
  else if (fc === 15 || fc === 16) {
    const n = pdu[5] ?? 0;
    if (pdu.length < 6 + n || q < 1) return exception(tid, unit, fc, 3);
    if (fc === 16) {
      if (n !== q * 2 || q > 123) return exception(tid, unit, fc, 3);
      code = data.writeRegisters(unit, start, pdu.subarray(6, 6 + n));
    } else {
      if (n !== Math.ceil(q / 8)) return exception(tid, unit, fc, 3);
      code = data.writeBits(
        unit,
        start,
        Array.from({ length: q }, (_, i) => ((pdu[6 + (i >> 3)]! >> (i & 7)) & 1) === 1),
      );
    }
  } else return exception(tid, unit, fc, 1);
  if (code) return exception(tid, unit, fc, code);
  const b = Buffer.alloc(12);
  b.writeUInt16BE(tid, 0);
  b.writeUInt16BE(6, 4);
  b[6] = unit;
  pdu.copy(b, 7, 0, 5); // echo of function, address and value/quantity
  return b;
}

export interface SlaveServer {
  port: number;
  /** Requests answered since start. */
  requests(): number;
  close(): Promise<void>;
}

/** Per-request processing time of each simulated device, ms (uniform in [min, max]). */
export interface Latency {
  min: number;
  max: number;
}

/**
 * `latency`: each unit id answers one request at a time and takes that long per request, as a
 * real device (or the slave behind an RS-485 gateway) does; different units work in parallel.
 */
export function startSlaveServer(data: SlaveData, port = 0, host = '127.0.0.1', latency?: Latency): Promise<SlaveServer> {
  let count = 0;
  const sockets = new Set<Socket>();
  const busyUntil = new Map<number, number>();
  const later = (socket: Socket, unit: number, res: Buffer): void => {
    const now = performance.now();
    const due = Math.max(now, busyUntil.get(unit) ?? 0) + latency!.min + Math.random() * (latency!.max - latency!.min);
    busyUntil.set(unit, due);
    setTimeout(() => socket.destroyed || socket.write(res), due - now);
  };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    let rx: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      rx = rx.length === 0 ? chunk : Buffer.concat([rx, chunk]);
      const out: Buffer[] = [];
      let off = 0;
      while (rx.length - off >= 8) {
        const len = rx.readUInt16BE(off + 4);
        if (len < 2 || len > 254) {
          socket.destroy();
          return;
        }
        if (rx.length - off < 6 + len) break;
        const res = answer(data, rx.readUInt16BE(off), rx[off + 6]!, rx.subarray(off + 7, off + 6 + len));
        if (res && latency) later(socket, rx[off + 6]!, res);
        else if (res) out.push(res);
        count++;
        off += 6 + len;
      }
      rx = off === rx.length ? Buffer.alloc(0) : rx.subarray(off);
      if (out.length === 1) socket.write(out[0]!);
      else if (out.length > 1) socket.write(Buffer.concat(out));
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        requests: () => count,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}
