/**
 * A simulated alarm panel reporting to a DC-09 receiver (the box) over TCP or UDP, plain or
 * encrypted: it builds frames with protocols/sia-dc09 (checked against the vectors in
 * test/alarm-host/codec.test.ts), numbers them 0001-9999, and reads the receiver's answers. As a
 * real panel does, a NAK's timestamp sets the panel's clock and the message is sent again once,
 * as it is when no answer comes in time; any other answer is returned as it came.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { buildMessage, parseAnswer, type Answer, type PanelId } from '../../../protocols/sia-dc09/index.js';

export interface PanelOptions {
  host: string;
  port: number;
  transport: 'tcp' | 'udp';
  /** DC-09 account, 3-16 hex digits. */
  account: string;
  /** AES key: encrypted messages (`*SIA-DCS`, `*ADM-CID`, `*NULL`). */
  key?: Buffer;
  receiver?: string;
  prefix?: string;
  /** Send a timestamp in plain messages too (encrypted ones always carry one). */
  timestamps?: boolean;
  /** The panel's clock error, ms (a wrong clock gets NAK'd). */
  clockOffsetMs?: number;
  timeoutMs?: number;
  /** Local address to send from (tests of the source check). */
  localAddress?: string;
}

export type PanelAnswer = Answer & { raw: string; resent: boolean };

export class SimulatedPanel {
  readonly o: PanelOptions;
  #seq = 0;
  #offset: number;
  #tcp: Socket | undefined;
  #udp: UdpSocket | undefined;
  #udpReady: Promise<UdpSocket> | undefined;
  #tcpReady: Promise<Socket> | undefined;
  #buf = '';
  readonly #waiting: Array<(frame: string) => void> = [];

  constructor(o: PanelOptions) {
    this.o = o;
    this.#offset = o.clockOffsetMs ?? 0;
  }

  /** Next sequence number: 0001 … 9999, then 0001 again. */
  nextSeq(): string {
    this.#seq = (this.#seq % 9999) + 1;
    return String(this.#seq).padStart(4, '0');
  }

  /** Contact ID: qualifier 1 new/opening, 3 restore/closing, 6 previously reported. */
  cid(qualifier: 1 | 3 | 6, code: string, group: string, zone: string): Promise<PanelAnswer> {
    return this.send('ADM-CID', `#${this.o.account}|${qualifier}${code} ${group.padStart(2, '0')} ${zone.padStart(3, '0')}`);
  }

  /** SIA DCS block after `#acct|`, e.g. `Nri1/BA001`. */
  sia(block: string): Promise<PanelAnswer> {
    return this.send('SIA-DCS', `#${this.o.account}|${block}`);
  }

  /** Supervision (link test). */
  linkTest(): Promise<PanelAnswer> {
    return this.send('NULL', '');
  }

  /**
   * One message. After a NAK the clock is set from it, and after no answer in time the same
   * message (same sequence number) goes again: once, then the last outcome is returned.
   */
  async send(id: PanelId, data: string): Promise<PanelAnswer> {
    const seq = this.nextSeq();
    const frame = () => this.frame(id, seq, data);
    const first = await this.sendRaw(frame()).catch((err: Error) => err);
    if (!(first instanceof Error) && first.kind !== 'NAK') return first;
    if (!(first instanceof Error)) this.#offset = first.timestamp - Date.now();
    return { ...(await this.sendRaw(frame())), resent: true };
  }

  /** A frame as this panel would send it now. */
  frame(id: PanelId, seq: string, data: string): string {
    const stamped = this.o.key !== undefined || this.o.timestamps === true;
    return buildMessage({
      id,
      seq,
      ...(this.o.receiver !== undefined ? { receiver: this.o.receiver } : {}),
      prefix: this.o.prefix ?? '0',
      account: this.o.account,
      data,
      ...(stamped ? { timestamp: Math.floor((Date.now() + this.#offset) / 1000) * 1000 } : {}),
      ...(this.o.key ? { key: this.o.key } : {}),
    });
  }

  /** Send bytes as they are and read one answer frame. */
  async sendRaw(bytes: string | Buffer): Promise<PanelAnswer> {
    const raw = await this.exchange(bytes);
    return { ...parseAnswer(raw, this.o.key), raw, resent: false };
  }

  /** Send bytes and wait for one answer frame (rejects when none comes in time). */
  async exchange(bytes: string | Buffer): Promise<string> {
    const data = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
    // The socket first: a connection refused rejects here, with no answer left waiting.
    const send = this.o.transport === 'udp' ? await this.#udpSocket() : await this.#tcpSocket();
    const answer = new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => {
        this.#waiting.splice(this.#waiting.indexOf(done), 1);
        reject(new Error('no answer from the receiver'));
      }, this.o.timeoutMs ?? 3000);
      const done = (f: string) => {
        clearTimeout(t);
        resolve(f);
      };
      this.#waiting.push(done);
    });
    if ('send' in send) send.send(data, this.o.port, this.o.host);
    else send.write(data);
    return answer;
  }

  /** Bytes sent without waiting for anything (garbage, partial frames). */
  async write(bytes: string | Buffer): Promise<void> {
    const data = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
    if (this.o.transport === 'udp') (await this.#udpSocket()).send(data, this.o.port, this.o.host);
    else (await this.#tcpSocket()).write(data);
  }

  #received(text: string): void {
    this.#buf += text;
    for (;;) {
      const lf = this.#buf.indexOf('\n');
      const cr = this.#buf.indexOf('\r', lf);
      if (lf < 0 || cr < 0) return;
      const frame = this.#buf.slice(lf, cr + 1);
      this.#buf = this.#buf.slice(cr + 1);
      this.#waiting.shift()?.(frame);
    }
  }

  #tcpSocket(): Promise<Socket> {
    if (this.#tcp?.destroyed) this.#tcpReady = undefined;
    // One connection however many sends start before it is open.
    this.#tcpReady ??= new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: this.o.host, port: this.o.port, ...(this.o.localAddress ? { localAddress: this.o.localAddress } : {}) });
      this.#tcp = s;
      this.#buf = '';
      s.on('data', (b: Buffer) => this.#received(b.toString('latin1')));
      s.once('connect', () => resolve(s));
      s.once('error', reject);
      s.on('error', () => undefined);
    });
    return this.#tcpReady;
  }

  #udpSocket(): Promise<UdpSocket> {
    // One socket however many sends start before it is bound.
    this.#udpReady ??= new Promise<UdpSocket>((resolve) => {
      const u = createSocket('udp4');
      u.on('message', (b) => this.#received(b.toString('latin1')));
      this.#udp = u;
      u.bind(0, this.o.localAddress ?? '127.0.0.1', () => resolve(u));
    });
    return this.#udpReady;
  }

  /** Whether the TCP connection is still open (the receiver closes refused ones). */
  get connected(): boolean {
    return this.#tcp !== undefined && !this.#tcp.destroyed && !this.#tcp.readableEnded;
  }

  async close(): Promise<void> {
    const tcp = this.#tcp;
    if (tcp && !tcp.destroyed)
      await new Promise<void>((r) => {
        tcp.once('close', () => r());
        tcp.destroy();
      });
    if (this.#udp) await new Promise<void>((r) => this.#udp!.close(() => r()));
    this.#tcp = this.#udp = this.#udpReady = this.#tcpReady = undefined;
  }
}
