/**
 * The box as a DC-09 receiver (the alarm-receiving centre's side): TCP and UDP on one port
 * number. Over TCP a panel may send several frames on one connection and a frame may arrive in
 * pieces; each frame runs LF to CR (the data is printable ASCII, so neither occurs inside), bytes
 * outside a frame are dropped, and frames of one connection are answered in order. Over UDP one
 * datagram is one frame, answered to the address and port it came from.
 *
 * Hostile input gets no answer (nothing to reflect, nothing to learn from): an address that is
 * not served (TCP: closed at accept), frames past an address's rate, a line longer than a DC-09
 * frame can be, datagrams that are no frame. Connection counts per address and overall are
 * capped, silent connections closed.
 */
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { peerAddress, plainAddress } from '../common/source-address.js';
import { SourceLimits } from '../common/source-limits.js';
import { CR, LF, MAX_FRAME_BYTES } from './frame.js';
import { handleFrame, type HandleContext, type ReceiverHandlers } from './handle.js';
import { RECEIVER_LIMITS, type ReceiverLimits } from './limits.js';
import { OncePer } from '../common/once-per.js';
import { STANDARD_SKEW, type SkewWindow } from './timestamp.js';

export interface ReceiverOptions extends Partial<ReceiverLimits> {
  host: string;
  /** TCP port (0: any free one). */
  tcpPort: number;
  /** UDP port (0: any free one); undefined: no UDP. */
  udpPort?: number;
  skew?: SkewWindow;
  /** Refusals of one address for one reason are reported once per this many ms. */
  refusalLogIntervalMs?: number;
  now?: () => number;
}

/** Frames one TCP connection may have waiting for their answers; more close it (a flood). */
const MAX_PENDING = 64;

export class Dc09Receiver {
  readonly #o: ReceiverOptions & ReceiverLimits;
  readonly #ctx: HandleContext;
  readonly #limits: SourceLimits;
  readonly #sockets = new Set<Socket>();
  #tcp: Server | undefined;
  #udp: UdpSocket | undefined;

  constructor(handlers: ReceiverHandlers, options: ReceiverOptions) {
    this.#o = { ...RECEIVER_LIMITS, ...options };
    const once = new OncePer(options.refusalLogIntervalMs ?? 60_000);
    this.#ctx = {
      handlers,
      skew: options.skew ?? STANDARD_SKEW,
      now: options.now ?? Date.now,
      due: (s, r) => once.due(s, r),
      lastTaken: new Map(),
    };
    this.#limits = new SourceLimits({
      connections: this.#o.perSourceConnections,
      requestsPerS: this.#o.perSourceFramesPerS,
      burst: this.#o.perSourceBurst,
      trackedSources: this.#o.trackedSources,
    });
  }

  async listen(): Promise<{ tcp: AddressInfo; udp?: AddressInfo }> {
    const tcp = createServer((s) => this.#connection(s));
    tcp.maxConnections = this.#o.maxConnections;
    this.#tcp = tcp;
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(this.#o.tcpPort, this.#o.host, () => resolve());
    });
    tcp.on('error', () => undefined); // after listening: an accept that failed; the server goes on
    if (this.#o.udpPort === undefined) return { tcp: tcp.address() as AddressInfo };
    const udp = createSocket(this.#o.host.includes(':') ? 'udp6' : 'udp4');
    this.#udp = udp;
    udp.on('message', (msg, rinfo) => void this.#datagram(msg, rinfo));
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(this.#o.udpPort, this.#o.host, () => resolve());
      });
    } catch (err) {
      await this.close(); // the UDP port is taken: release the TCP one too
      throw err;
    }
    udp.on('error', () => undefined); // a send to a vanished peer; nothing to do
    return { tcp: tcp.address() as AddressInfo, udp: udp.address() };
  }

  /** The bound addresses (after listen). */
  address(): { tcp?: AddressInfo; udp?: AddressInfo } {
    return {
      ...(this.#tcp?.listening ? { tcp: this.#tcp.address() as AddressInfo } : {}),
      ...(this.#udp ? { udp: this.#udp.address() } : {}),
    };
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await Promise.all([
      this.#tcp ? new Promise<void>((r) => this.#tcp!.close(() => r())) : undefined,
      this.#udp ? new Promise<void>((r) => this.#udp!.close(() => r())) : undefined,
    ]);
    this.#tcp = this.#udp = undefined;
  }

  /** The answer to one frame, if any: rate first (beyond it, none: the panel sends again), then the frame's own checks (./handle.ts). */
  async #answer(raw: string, source: string): Promise<string | undefined> {
    const admitted = this.#limits.take(source);
    if (!admitted.ok) {
      if (this.#ctx.due(source, 'rate')) this.#ctx.handlers.refused(source, 'rate', `more than ${this.#o.perSourceFramesPerS} frames/s`);
      return undefined;
    }
    return (await handleFrame(this.#ctx, raw, source)).answer;
  }

  #refusedSource(source: string): boolean {
    if (this.#ctx.handlers.acceptsSource(source)) return false;
    if (this.#ctx.due(source, 'source')) this.#ctx.handlers.refused(source, 'source', 'address is not a configured panel');
    return true;
  }

  #connection(s: Socket): void {
    const source = peerAddress(s);
    if (this.#refusedSource(source) || !this.#limits.opened(source)) return void s.destroy();
    this.#sockets.add(s);
    s.setTimeout(this.#o.idleTimeoutMs, () => s.destroy());
    s.on('error', () => undefined);
    s.on('close', () => {
      this.#sockets.delete(s);
      this.#limits.closed(source);
    });
    let buf = '';
    let pending = 0;
    let chain = Promise.resolve();
    const reply = (raw: string) => {
      if (++pending > MAX_PENDING) return void s.destroy();
      chain = chain
        .then(() => this.#answer(raw, source))
        .then((a) => void (a !== undefined && s.writable && s.write(a, 'latin1')))
        .catch(() => void s.destroy())
        .finally(() => void pending--);
    };
    s.on('data', (chunk: Buffer) => {
      buf += chunk.toString('latin1');
      for (;;) {
        const lf = buf.indexOf('\n');
        if (lf < 0) return void (buf = ''); // nothing but garbage so far
        const cr = buf.indexOf('\r', lf);
        if (cr < 0) {
          buf = buf.slice(lf);
          // Longer than any frame can be: drop it (logged as a damaged frame).
          if (buf.length > MAX_FRAME_BYTES) {
            buf = '';
            reply('\n');
          }
          return;
        }
        reply(buf.slice(lf, cr + 1));
        buf = buf.slice(cr + 1);
      }
    });
  }

  async #datagram(msg: Buffer, rinfo: RemoteInfo): Promise<void> {
    const source = plainAddress(rinfo.address);
    if (this.#refusedSource(source)) return;
    // One datagram, one frame: it must start with LF and end with CR.
    const raw = msg.length <= MAX_FRAME_BYTES && msg[0] === LF && msg[msg.length - 1] === CR ? msg.toString('latin1') : '\n';
    const answer = await this.#answer(raw, source).catch(() => undefined);
    if (answer && this.#udp) this.#udp.send(Buffer.from(answer, 'latin1'), rinfo.port, rinfo.address);
  }
}
