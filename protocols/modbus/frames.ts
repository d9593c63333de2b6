/**
 * Modbus PDUs and the two TCP framings: MBAP (Modbus TCP) and RTU frames with CRC-16 (RTU
 * over TCP, and the serial line). Function codes and exception codes follow the Modbus
 * Application Protocol V1.1b3.
 */
import { crc16Reflected } from '../common/crc16.js';

export const EXCEPTION_NAMES: Record<number, string> = {
  1: 'ILLEGAL FUNCTION',
  2: 'ILLEGAL DATA ADDRESS',
  3: 'ILLEGAL DATA VALUE',
  4: 'SLAVE DEVICE FAILURE',
  5: 'ACKNOWLEDGE',
  6: 'SLAVE DEVICE BUSY',
  8: 'MEMORY PARITY ERROR',
  10: 'GATEWAY PATH UNAVAILABLE',
  11: 'GATEWAY TARGET DEVICE FAILED TO RESPOND',
};

/** The device answered with a Modbus exception response. */
export class ModbusException extends Error {
  constructor(
    readonly fc: number,
    readonly exceptionCode: number,
  ) {
    super(
      `modbus exception ${exceptionCode} (${EXCEPTION_NAMES[exceptionCode] ?? 'UNKNOWN'}) to function 0x${fc.toString(16).padStart(2, '0')}`,
    );
    this.name = 'ModbusException';
  }
  get exceptionName(): string {
    return EXCEPTION_NAMES[this.exceptionCode] ?? 'UNKNOWN';
  }
}

export class ModbusTimeout extends Error {
  constructor(
    readonly unit: number,
    readonly ms: number,
  ) {
    super(`slave ${unit} did not answer within ${ms} ms`);
    this.name = 'ModbusTimeout';
  }
}

/** An answer arrived but cannot be trusted (RTU CRC mismatch, another slave's frame): the request failed. */
export class ModbusFrameError extends Error {
  constructor(
    readonly unit: number,
    readonly problem: string,
  ) {
    super(`corrupt answer to slave ${unit}: ${problem}`);
    this.name = 'ModbusFrameError';
  }
}

export class ModbusDisconnected extends Error {
  constructor(reason: string) {
    super(`connection lost: ${reason}`);
    this.name = 'ModbusDisconnected';
  }
}

export function readRequest(fc: number, address: number, quantity: number): Buffer {
  const b = Buffer.alloc(5);
  b[0] = fc;
  b.writeUInt16BE(address, 1);
  b.writeUInt16BE(quantity, 3);
  return b;
}

export function writeSingleCoil(address: number, on: boolean): Buffer {
  const b = Buffer.alloc(5);
  b[0] = 0x05;
  b.writeUInt16BE(address, 1);
  b.writeUInt16BE(on ? 0xff00 : 0x0000, 3);
  return b;
}

export function writeMultipleCoils(address: number, values: boolean[]): Buffer {
  const bytes = Math.ceil(values.length / 8);
  const b = Buffer.alloc(6 + bytes);
  b[0] = 0x0f;
  b.writeUInt16BE(address, 1);
  b.writeUInt16BE(values.length, 3);
  b[5] = bytes;
  values.forEach((v, i) => {
    if (v) b[6 + (i >> 3)]! |= 1 << (i & 7);
  });
  return b;
}

export function writeSingleRegister(address: number, reg: Buffer): Buffer {
  const b = Buffer.alloc(5);
  b[0] = 0x06;
  b.writeUInt16BE(address, 1);
  reg.copy(b, 3, 0, 2);
  return b;
}

export function writeMultipleRegisters(address: number, regs: Buffer): Buffer {
  const b = Buffer.alloc(6 + regs.length);
  b[0] = 0x10;
  b.writeUInt16BE(address, 1);
  b.writeUInt16BE(regs.length / 2, 3);
  b[5] = regs.length;
  regs.copy(b, 6);
  return b;
}

/**
 * Check a response PDU against its request: an exception throws ModbusException, a wrong
 * function or a short payload throws. Returns the data part (register bytes or bit bytes).
 */
export function responseData(request: Buffer, response: Buffer): Buffer {
  const fc = request[0]!;
  if (response.length < 2) throw new Error('response too short');
  if (response[0] === (fc | 0x80)) throw new ModbusException(fc, response[1]!);
  if (response[0] !== fc) throw new Error(`response function 0x${response[0]!.toString(16)} does not match request 0x${fc.toString(16)}`);
  if (fc <= 0x04) {
    const n = response[1]!;
    const quantity = request.readUInt16BE(3);
    const expected = fc <= 0x02 ? Math.ceil(quantity / 8) : quantity * 2;
    if (n !== expected || response.length < 2 + n) throw new Error(`response carries ${n} bytes, expected ${expected}`);
    return response.subarray(2, 2 + n);
  }
  return response.subarray(1);
}

export function bitAt(bits: Buffer, index: number): number {
  return (bits[index >> 3]! >> (index & 7)) & 1;
}

// --- MBAP (Modbus TCP) ---

export function mbapFrame(transactionId: number, unit: number, pdu: Buffer): Buffer {
  const b = Buffer.alloc(7 + pdu.length);
  b.writeUInt16BE(transactionId, 0);
  b.writeUInt16BE(0, 2);
  b.writeUInt16BE(pdu.length + 1, 4);
  b[6] = unit;
  pdu.copy(b, 7);
  return b;
}

// --- RTU (CRC-16/MODBUS) ---

export function crc16(b: Buffer, end = b.length): number {
  return crc16Reflected(b, 0xffff, end);
}

export function rtuFrame(unit: number, pdu: Buffer): Buffer {
  const b = Buffer.alloc(pdu.length + 3);
  b[0] = unit;
  pdu.copy(b, 1);
  b.writeUInt16LE(crc16(b, b.length - 2), b.length - 2);
  return b;
}

/** Length of the RTU answer a request PDU should get (normal answer; an exception is shorter). */
export function expectedResponseLength(pdu: Buffer): number {
  const fc = pdu[0]!;
  if (fc >= 0x01 && fc <= 0x04 && pdu.length >= 5) {
    const q = pdu.readUInt16BE(3);
    return 5 + (fc <= 0x02 ? Math.ceil(q / 8) : q * 2);
  }
  return 8;
}

/**
 * Length of the RTU response frame that starts `buf`, or 0 when more bytes are needed.
 * An RTU frame carries no length field: it is known from the function code.
 */
export function rtuResponseLength(buf: Buffer): number {
  if (buf.length < 3) return 0;
  const fc = buf[1]!;
  if (fc & 0x80) return 5;
  if (fc <= 0x04) return 5 + buf[2]!;
  if (fc === 0x05 || fc === 0x06 || fc === 0x0f || fc === 0x10) return 8;
  return -1; // unknown function: the stream cannot be resynchronised
}
