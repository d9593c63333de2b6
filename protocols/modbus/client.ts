/**
 * A Modbus master over one byte stream (a TCP socket or a serial line), with request
 * pipelining for Modbus TCP: up to `maxInFlight` requests are outstanding, matched back by
 * transaction id, so a slow or dead slave holds one slot for its own timeout and the other
 * slaves on the channel go on. RTU framing (serial, RTU over TCP) has no transaction id, so
 * it runs one request at a time. `minIntervalMs` spaces commands as the device requires
 * [seed 001 L16386]: the next command leaves no sooner than that after the previous one was
 * answered (or timed out), which also keeps command starts that far apart.
 * On a serial line `charMs` (one character's time on the wire) adds the frames' transmission
 * time to each timeout; the caller folds the RTU inter-frame silence into `minIntervalMs`.
 */
import { EventEmitter } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  crc16,
  expectedResponseLength,
  mbapFrame,
  ModbusDisconnected,
  ModbusFrameError,
  ModbusTimeout,
  rtuFrame,
  rtuResponseLength,
} from './frames.js';

export type Framing = 'mbap' | 'rtu';

export interface ClientOptions {
  framing: Framing;
  timeoutMs: number;
  /** Outstanding requests allowed (MBAP only; RTU is always 1). */
  maxInFlight: number;
  minIntervalMs: number;
  /** Time of one character on a serial line (11 bits / baud), 0 on TCP. */
  charMs: number;
}

export const clientDefaults: ClientOptions = { framing: 'mbap', timeoutMs: 1000, maxInFlight: 8, minIntervalMs: 0, charMs: 0 };

/** One character on a serial line: start bit, 8 data bits, parity or a second stop bit, stop bit [Modbus over serial line V1.02 §2.5.1]. */
export const serialCharMs = (baudRate: number): number => (11 * 1000) / baudRate;

/** RTU inter-frame silence: 3.5 characters, fixed at 1.75 ms above 19 200 baud [Modbus over serial line V1.02 §2.5.1.1]. */
export const rtuSilenceMs = (baudRate: number): number => (baudRate > 19_200 ? 1.75 : 3.5 * serialCharMs(baudRate));

interface Pending {
  unit: number;
  pdu: Buffer;
  timeoutMs: number;
  urgent: boolean;
  resolve: (pdu: Buffer) => void;
  reject: (err: Error) => void;
  timer?: NodeJS.Timeout;
  tid?: number;
}

export class ModbusClient extends EventEmitter<{ close: [reason: string] }> {
  readonly #opts: ClientOptions;
  #stream: Duplex | undefined;
  #queue: Pending[] = [];
  #inFlight = new Map<number, Pending>();
  #nextTid = 1;
  #rx: Buffer = Buffer.alloc(0);
  /** When the line was last busy: a request sent, an answer received, a timeout. */
  #lastBusyAt = 0;
  #spacer: NodeJS.Timeout | undefined;
  /** Requests sent and answered since creation (for metrics and benchmarks). */
  sent = 0;

  constructor(options: Partial<ClientOptions> = {}) {
    super();
    this.#opts = { ...clientDefaults, ...options };
    if (this.#opts.framing === 'rtu' || this.#opts.minIntervalMs > 0) this.#opts.maxInFlight = 1;
  }

  get connected(): boolean {
    return this.#stream !== undefined;
  }

  /** Open a TCP connection (Modbus TCP or RTU over TCP). */
  connectTcp(host: string, port: number, connectTimeoutMs = this.#opts.timeoutMs): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket: Socket = netConnect({ host, port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => socket.destroy(new Error(`connect to ${host}:${port} timed out`)), connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', reject);
        this.attach(socket);
        resolve();
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  /** Use an already open stream (a serial port, or a test duplex). */
  attach(stream: Duplex): void {
    this.#stream = stream;
    this.#rx = Buffer.alloc(0);
    stream.on('data', (chunk: Buffer) => this.#onData(chunk));
    stream.on('error', () => undefined); // 'close' follows and carries the consequence
    stream.once('close', () => this.#onClose('closed by peer'));
    stream.once('end', () => stream.destroy());
  }

  /**
   * Send one request PDU to `unit`; resolves with the response PDU (exceptions included).
   * `urgent` (a command or an on-demand read) goes ahead of queued polls: on a spaced RTU line
   * the poll queue can be seconds long.
   */
  request(unit: number, pdu: Buffer, timeoutMs = this.#opts.timeoutMs, urgent = false): Promise<Buffer> {
    if (!this.#stream) return Promise.reject(new ModbusDisconnected('not connected'));
    return new Promise((resolve, reject) => {
      const p: Pending = { unit, pdu, timeoutMs, urgent, resolve, reject };
      const firstPoll = urgent ? this.#queue.findIndex((q) => !q.urgent) : -1;
      if (firstPoll >= 0) this.#queue.splice(firstPoll, 0, p);
      else this.#queue.push(p);
      this.#pump();
    });
  }

  close(): void {
    this.#stream?.destroy();
    this.#onClose('closed');
  }

  #pump(): void {
    while (this.#queue.length > 0 && this.#inFlight.size < this.#opts.maxInFlight && this.#stream) {
      if (this.#opts.minIntervalMs > 0) {
        const wait = this.#lastBusyAt + this.#opts.minIntervalMs - Date.now();
        if (wait > 0) {
          this.#spacer ??= setTimeout(() => {
            this.#spacer = undefined;
            this.#pump();
          }, wait);
          return;
        }
      }
      this.#send(this.#queue.shift()!);
    }
  }

  #send(p: Pending): void {
    let tid = 0;
    let frame: Buffer;
    if (this.#opts.framing === 'mbap') {
      do tid = this.#nextTid = (this.#nextTid % 0xffff) + 1;
      while (this.#inFlight.has(tid));
      frame = mbapFrame(tid, p.unit, p.pdu);
    } else {
      frame = rtuFrame(p.unit, p.pdu);
      this.#rx = Buffer.alloc(0); // bytes before our request (a late or broken answer) are not its answer
    }
    p.tid = tid;
    this.#inFlight.set(tid, p);
    // On a serial line the frames' own transmission time counts against no device.
    const wire = this.#opts.charMs * (frame.length + expectedResponseLength(p.pdu));
    p.timer = setTimeout(() => this.#onTimeout(p), p.timeoutMs + Math.ceil(wire));
    this.#lastBusyAt = Date.now();
    this.#stream!.write(frame);
  }

  #onTimeout(p: Pending): void {
    if (this.#inFlight.get(p.tid!) !== p) return;
    this.#inFlight.delete(p.tid!);
    this.#lastBusyAt = Date.now();
    // A late RTU answer would be taken for the next request's: drop what has arrived.
    if (this.#opts.framing === 'rtu') this.#rx = Buffer.alloc(0);
    p.reject(new ModbusTimeout(p.unit, p.timeoutMs));
    this.#pump();
  }

  #settle(tid: number, pdu: Buffer): void {
    const p = this.#inFlight.get(tid);
    if (!p) return; // answer to a request that already timed out
    this.#inFlight.delete(tid);
    clearTimeout(p.timer);
    this.#lastBusyAt = Date.now();
    this.sent++;
    p.resolve(pdu);
  }

  #onData(chunk: Buffer): void {
    this.#rx = this.#rx.length === 0 ? chunk : Buffer.concat([this.#rx, chunk]);
    if (this.#opts.framing === 'mbap') {
      let off = 0;
      while (this.#rx.length - off >= 7) {
        const len = this.#rx.readUInt16BE(off + 4);
        if (len < 2 || len > 254) {
          this.#stream?.destroy(new Error('malformed MBAP header'));
          return;
        }
        if (this.#rx.length - off < 6 + len) break;
        const tid = this.#rx.readUInt16BE(off);
        this.#settle(tid, Buffer.from(this.#rx.subarray(off + 7, off + 6 + len)));
        off += 6 + len;
      }
      this.#rx = off === this.#rx.length ? Buffer.alloc(0) : this.#rx.subarray(off);
    } else {
      const n = rtuResponseLength(this.#rx);
      if (n < 0) {
        this.#rx = Buffer.alloc(0);
        return;
      }
      if (n === 0 || this.#rx.length < n) return;
      const frame = this.#rx.subarray(0, n);
      this.#rx = Buffer.alloc(0);
      const p = this.#inFlight.get(0);
      if (!p) return;
      const problem =
        crc16(frame, n - 2) !== frame.readUInt16LE(n - 2)
          ? 'CRC mismatch'
          : frame[0] !== p.unit
            ? `answer from slave ${frame[0]}`
            : undefined;
      if (problem) {
        this.#inFlight.delete(0);
        clearTimeout(p.timer);
        this.#lastBusyAt = Date.now();
        p.reject(new ModbusFrameError(p.unit, problem));
      } else this.#settle(0, Buffer.from(frame.subarray(1, n - 2)));
    }
    this.#pump();
  }

  #onClose(reason: string): void {
    if (!this.#stream) return;
    this.#stream = undefined;
    clearTimeout(this.#spacer);
    this.#spacer = undefined;
    const err = new ModbusDisconnected(reason);
    for (const p of this.#inFlight.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    for (const p of this.#queue) p.reject(err);
    this.#inFlight.clear();
    this.#queue = [];
    this.emit('close', reason);
  }
}
