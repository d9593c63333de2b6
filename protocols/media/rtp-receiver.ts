/**
 * Receives one RTP stream (GB/T 28181-2016 Annex C: PS over RTP) for the SSRC the box handed out:
 * over UDP, or over TCP with RFC 4571 framing — the box listening for the device's one connection
 * (`setup:passive`) or connecting to it (`setup:active`). Packets of another SSRC are dropped and
 * counted (a stale sender or a stranger on the port), unreadable ones too. Payloads are handed on
 * in sequence order: a packet ahead of the next expected one waits in a small window, and once the
 * window is full the gap is given up as lost; a packet behind is late (counted, dropped).
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { parseRtp, Rfc4571Framer, type RtpPacket } from './rtp.js';

export interface ReceiverStats {
  packets: number;
  bytes: number;
  wrongSsrc: number;
  malformed: number;
  /** Sequence numbers never received (given up when the reorder window filled). */
  lost: number;
  /** Packets that arrived after a later one (delivered in order from the window, or too late). */
  reordered: number;
  late: number;
  lastAt: number;
}

export interface ReceiverOptions {
  transport: 'udp' | 'tcp-passive' | 'tcp-active';
  /** The address to listen on (udp, tcp-passive) and the port, 0 for any. */
  host: string;
  port?: number;
  /** The expected SSRC (its 32-bit number). */
  ssrc: number;
  onPayload(payload: Buffer, p: RtpPacket): void;
  /** The TCP connection closed (the device ended its stream). */
  onClosed?(): void;
  reorderWindow?: number;
}

export class RtpReceiver {
  readonly stats: ReceiverStats = { packets: 0, bytes: 0, wrongSsrc: 0, malformed: 0, lost: 0, reordered: 0, late: 0, lastAt: 0 };
  readonly #o: ReceiverOptions;
  readonly #held = new Map<number, RtpPacket>();
  #next: number | undefined;
  #udp: UdpSocket | undefined;
  #server: Server | undefined;
  #conn: Socket | undefined;
  #closed = false;
  #ssrc: number;

  constructor(o: ReceiverOptions) {
    this.#o = o;
    this.#ssrc = o.ssrc;
  }

  /** Opens the port (udp, tcp-passive); answers the local port. */
  async listen(): Promise<number> {
    if (this.#o.transport === 'udp') {
      const s = createSocket('udp4');
      this.#udp = s;
      s.on('message', (m) => this.#packet(m));
      s.on('error', () => undefined);
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.bind(this.#o.port ?? 0, this.#o.host, () => resolve());
      });
      return s.address().port;
    }
    const server = createServer((c) => this.#accept(c));
    this.#server = server;
    server.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#o.port ?? 0, this.#o.host, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  /** `setup:active`: the box connects to the device's port from its answer. */
  async connect(host: string, port: number): Promise<void> {
    const c = connect({ host, port });
    await new Promise<void>((resolve, reject) => {
      c.once('connect', resolve);
      c.once('error', reject);
    });
    this.#accept(c);
  }

  /** Take another SSRC from now on (the device answered with its own). */
  expect(ssrc: number): void {
    this.#ssrc = ssrc;
  }

  close(): void {
    this.#closed = true;
    this.#udp?.close();
    this.#udp = undefined;
    this.#conn?.destroy();
    this.#server?.close();
    this.#server = undefined;
    this.#held.clear();
  }

  #accept(c: Socket): void {
    // One stream per session: a second connection is someone else's.
    if (this.#conn || this.#closed) return void c.destroy();
    this.#conn = c;
    const framer = new Rfc4571Framer();
    c.on('error', () => undefined);
    c.on('data', (chunk: Buffer) => {
      const { packets, broken } = framer.push(chunk);
      for (const p of packets) this.#packet(p);
      if (broken) {
        this.stats.malformed++;
        c.destroy();
      }
    });
    c.on('close', () => {
      if (!this.#closed) this.#o.onClosed?.();
    });
  }

  #packet(raw: Buffer): void {
    const p = parseRtp(raw);
    if (!p) return void this.stats.malformed++;
    if (p.ssrc !== this.#ssrc) return void this.stats.wrongSsrc++;
    const s = this.stats;
    s.packets++;
    s.bytes += p.payload.length;
    s.lastAt = Date.now();
    if (this.#next === undefined) this.#next = p.seq;
    const ahead = (p.seq - this.#next) & 0xffff;
    if (ahead >= 0x8000) {
      s.late++;
      s.reordered++;
      return;
    }
    if (ahead > 0) {
      if (this.#held.has(p.seq)) return;
      this.#held.set(p.seq, p);
      if (this.#held.size >= (this.#o.reorderWindow ?? 32)) this.#skipGap();
      return;
    }
    this.#deliver(p);
    this.#drain();
  }

  #deliver(p: RtpPacket): void {
    this.#next = (p.seq + 1) & 0xffff;
    this.#o.onPayload(p.payload, p);
  }

  #drain(): void {
    for (let p = this.#held.get(this.#next!); p; p = this.#held.get(this.#next!)) {
      this.#held.delete(p.seq);
      this.stats.reordered++;
      this.#deliver(p);
    }
  }

  /** The window is full: the missing numbers before the oldest held packet are lost. */
  #skipGap(): void {
    let nearest = 0x10000;
    for (const seq of this.#held.keys()) nearest = Math.min(nearest, (seq - this.#next!) & 0xffff);
    this.stats.lost += nearest;
    this.#next = (this.#next! + nearest) & 0xffff;
    const first = this.#held.get(this.#next)!;
    this.#held.delete(first.seq);
    this.#deliver(first);
    this.#drain();
  }
}
