/**
 * BACnet/IP UDP transport for @bacnet-js/client (its `transport` option), with what the
 * library's own transport lacks:
 *  - a send guard: every datagram's destination passes `allowSend` first, and the broadcast
 *    address is explicit (never the library's default 255.255.255.255);
 *  - a look at each incoming APDU before the library sees it (`inspect`), so a caller can
 *    drop replies from the wrong peer and tell a Reject from an Abort (the library reports
 *    both as "BacnetAbort");
 *  - a hostile datagram cannot throw out of the socket handler.
 */
import { createSocket, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';

export const BACNET_PORT = 47808;

export interface ApduHeader {
  /** Upper nibble of the first APDU octet (0x00 confirmed request … 0x70 abort). */
  pduType: number;
  /** Invoke id for replies (simple/complex ack, error, reject, abort, segment ack) and confirmed requests. */
  invokeId?: number;
  /** Where the APDU starts in the datagram (after BVLC and NPDU). */
  offset: number;
}

export interface TransportOptions {
  /** Address to bind (a NIC address, 0.0.0.0, or a loopback address in tests). */
  bindAddress: string;
  /** Local UDP port; 0 = any free port. */
  port: number;
  /** Where Who-Is broadcasts go: the NIC's directed broadcast (127.255.255.255 on loopback). */
  broadcastAddress: string;
  /** Destinations this transport may send to. */
  allowSend(ip: string): boolean;
  /** Also receive datagrams sent to the broadcast address (a second socket bound to it). */
  listenBroadcast?: boolean;
  /** See every datagram first; return false to drop it. */
  inspect?(apdu: ApduHeader, from: string, raw: Buffer): boolean;
  /** Socket receive buffer to ask for (the kernel caps it at net.core.rmem_max). */
  recvBufferBytes?: number;
}

/** Locate the APDU: BVLC (Annex J) then NPDU (Clause 6.2). Undefined for network-layer or malformed datagrams. */
export function apduHeader(buf: Buffer): ApduHeader | undefined {
  if (buf.length < 6 || buf[0] !== 0x81) return undefined;
  const func = buf[1]!;
  let o = func === 0x04 ? 10 : func === 0x0a || func === 0x0b || func === 0x09 ? 4 : -1;
  if (o < 0 || buf.readUInt16BE(2) !== buf.length || buf.length < o + 2 || buf[o] !== 0x01) return undefined;
  const control = buf[o + 1]!;
  o += 2;
  if (control & 0x80) return undefined; // network-layer message
  if (control & 0x20) {
    if (buf.length < o + 3) return undefined;
    o += 3 + buf[o + 2]!;
  }
  if (control & 0x08) {
    if (buf.length < o + 3) return undefined;
    o += 3 + buf[o + 2]!;
  }
  if (control & 0x20) o += 1; // hop count
  if (buf.length <= o) return undefined;
  const pduType = buf[o]! & 0xf0;
  const header: ApduHeader = { pduType, offset: o };
  if (pduType >= 0x20 && buf.length > o + 1) header.invokeId = buf[o + 1]!;
  if (pduType === 0x00 && buf.length > o + 2) header.invokeId = buf[o + 2]!;
  return header;
}

/** The library's address spelling: "ip" for port 47808, else "ip:port". */
export const addressOf = (ip: string, port: number): string => (port === BACNET_PORT ? ip : `${ip}:${port}`);
/** Always "ip:port". */
export function normalizeAddress(a: string): string {
  return a.includes(':') ? a : `${a}:${BACNET_PORT}`;
}

export class UdpTransport extends EventEmitter {
  readonly #opts: TransportOptions;
  readonly #socket: Socket;
  #broadcastSocket: Socket | undefined;
  #broadcastTarget: string;
  ownAddress = { address: '', port: 0 };
  /** The receive buffer the kernel granted (bytes, as it accounts them), once listening. */
  recvBufferBytes = 0;
  readonly counters = { sent: 0, received: 0, dropped: 0, refused: 0, malformed: 0 };
  /** Every destination ever sent to ("ip:port"), for the network-rule check. */
  readonly destinations = new Set<string>();

  constructor(opts: TransportOptions) {
    super();
    this.#opts = opts;
    this.#broadcastTarget = opts.broadcastAddress;
    this.#socket = createSocket({ type: 'udp4', reuseAddr: true });
    this.#socket.on('message', (msg, rinfo) => this.#receive(msg, rinfo.address, rinfo.port));
    this.#socket.on('error', (err) => this.emit('error', err));
    this.#socket.on('close', () => this.emit('close'));
  }

  /** Called by the client's constructor. */
  open(): void {
    this.#socket.bind(this.#opts.port, this.#opts.bindAddress, () => {
      this.#socket.setBroadcast(true);
      // Many devices answer one socket: a burst of answers must not overflow its buffer (a
      // dropped answer costs the device a timeout).
      if (this.#opts.recvBufferBytes) {
        try {
          this.#socket.setRecvBufferSize(this.#opts.recvBufferBytes);
        } catch {
          // keep the system default
        }
      }
      this.recvBufferBytes = this.#socket.getRecvBufferSize();
      this.ownAddress = this.#socket.address();
      if (this.#opts.listenBroadcast) {
        const b = createSocket({ type: 'udp4', reuseAddr: true });
        b.on('message', (msg, rinfo) => this.#receive(msg, rinfo.address, rinfo.port));
        b.on('error', (err) => this.emit('error', err));
        b.bind(this.ownAddress.port, this.#opts.broadcastAddress, () => this.emit('listening', this.ownAddress));
        this.#broadcastSocket = b;
      } else this.emit('listening', this.ownAddress);
    });
  }

  #receive(msg: Buffer, ip: string, port: number): void {
    // Our own broadcast coming back (we listen on the broadcast address too).
    if (port === this.ownAddress.port && ip === this.ownAddress.address) return;
    this.counters.received++;
    const from = addressOf(ip, port);
    if (this.#opts.inspect) {
      const h = apduHeader(msg);
      if (h && !this.#opts.inspect(h, `${ip}:${port}`, msg)) {
        this.counters.dropped++;
        return;
      }
    }
    try {
      this.emit('message', msg, from);
    } catch (err) {
      // The library decodes synchronously inside this emit: a malformed datagram must not crash us.
      this.counters.malformed++;
      this.emit('malformed', { from, err: (err as Error).message });
    }
  }

  getBroadcastAddress(): string {
    return this.#broadcastTarget;
  }

  /** Direct the next broadcast (e.g. per NIC); checked by the send guard like any address. */
  setBroadcastAddress(address: string): void {
    this.#broadcastTarget = address;
  }

  getMaxPayload(): number {
    return 1482; // 1476-octet APDU + NPDU/BVLC headers
  }

  send(buffer: Buffer, offset: number, receiver?: string): void {
    const target = receiver ?? this.#broadcastTarget;
    const [ip = '', portText] = target.split(':');
    const port = Number(portText) || BACNET_PORT;
    if (ip === '255.255.255.255' || !this.#opts.allowSend(ip)) {
      this.counters.refused++;
      this.emit('refused', `${ip}:${port}`);
      return;
    }
    this.counters.sent++;
    this.destinations.add(`${ip}:${port}`);
    this.#socket.send(buffer, 0, offset, port, ip);
  }

  close(): void {
    try {
      this.#socket.close();
      this.#broadcastSocket?.close();
    } catch {
      // already closed
    }
  }
}
