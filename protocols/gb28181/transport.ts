/**
 * SIP over UDP and TCP on one port number (RFC 3261 §18). Inbound: every datagram or framed TCP
 * message is rate-checked per address, parsed (./message.ts), matched to its server transaction
 * (./transactions.ts: a retransmission is absorbed or answered again) and handed to the handler;
 * its response goes back where the request came from (UDP: the source address and port, as
 * cameras behind NAT expect; TCP: the same connection). Outbound requests (the box's queries) are
 * client transactions: over UDP sent again at T1, 2·T1, … up to T2 until a final response or
 * Timer F (64·T1) ends them (§17.1.2.2).
 *
 * Hostile input: a datagram that is no SIP gets no answer; a readable request that breaks the
 * grammar or a cap gets 400/413; past an address's rate, requests get 503 with Retry-After once
 * per second and are otherwise dropped; TCP connections are capped overall and per address and
 * closed when silent or unframeable.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { peerAddress, plainAddress } from '../common/source-address.js';
import { SourceLimits } from '../common/source-limits.js';
import { StreamFramer } from './framing.js';
import { cseqOf, header, parseMessage, serialize, type SipRequest, type SipResponse } from './message.js';
import { responseTo } from './response.js';
import { SIP_LIMITS, type SipLimits } from './limits.js';
import { ServerTransactions, T1_MS, TIMER_J_MS } from './transactions.js';

export interface Peer {
  transport: 'udp' | 'tcp';
  address: string;
  port: number;
}

export type RequestHandler = (req: SipRequest, from: Peer) => Promise<SipResponse>;

export interface TransportOptions extends Partial<SipLimits> {
  host: string;
  udpPort: number;
  tcpPort: number;
  /** The box's address written in its own Via and Contact headers. */
  advertise: string;
  /** A refused message (not SIP, over a cap, past the rate): for a log line the caller rate-limits. */
  refused?: (from: Peer, reason: string) => void;
  /** A final response no pending request waits for (a 2xx to INVITE sent again: ACK it again, ./invite.ts). */
  stray?: (res: SipResponse, from: Peer) => void;
}

const T2_MS = 4000;
const peerKey = (p: Peer) => `${p.transport}|${p.address}|${p.port}`;
/**
 * A client transaction's key: its branch, and the method for CANCEL, whose Via repeats the
 * cancelled INVITE's branch (RFC 3261 §9.1) — its 200 must not end the INVITE's wait.
 */
const txKey = (branch: string, method: string | undefined) => (method === 'CANCEL' ? `${branch}|CANCEL` : branch);

interface Pending {
  /** INVITE: a provisional response stops the retransmissions (RFC 3261 §17.1.1.2, Timer A). */
  provisional?: (r: SipResponse) => void;
  resolve: (r: SipResponse) => void;
  reject: (e: Error) => void;
  timers: NodeJS.Timeout[];
}

export class SipTransport {
  readonly #o: TransportOptions & SipLimits;
  readonly #handler: RequestHandler;
  readonly #limits: SourceLimits;
  readonly #tx = new ServerTransactions();
  readonly #tcpSockets = new Map<string, Socket>();
  readonly #pending = new Map<string, Pending>();
  /** Last 503 sent per address (one per second). */
  readonly #busySent = new Map<string, number>();
  #udp: UdpSocket | undefined;
  #tcp: Server | undefined;

  constructor(handler: RequestHandler, options: TransportOptions) {
    this.#o = { ...SIP_LIMITS, ...options };
    this.#handler = handler;
    this.#limits = new SourceLimits({
      connections: this.#o.perSourceConnections,
      requestsPerS: this.#o.perSourceMessagesPerS,
      burst: this.#o.perSourceBurst,
      trackedSources: this.#o.trackedSources,
    });
  }

  async listen(): Promise<{ udp: AddressInfo; tcp: AddressInfo }> {
    // 4 MB (the kernel caps it at net.core.rmem_max): 1,000 cameras registering at once overflow the
    // default ~200 KB and their retransmissions come in synchronised bursts (docs/video.md, benchmark).
    const udp = createSocket({ type: this.#o.host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: 4 << 20 });
    this.#udp = udp;
    udp.on('message', (msg, r) => this.#inbound(msg, { transport: 'udp', address: plainAddress(r.address), port: r.port }));
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(this.#o.udpPort, this.#o.host, () => resolve());
    });
    udp.on('error', () => undefined); // an ICMP-refused send to a vanished camera
    const tcp = createServer((s) => this.#connection(s));
    tcp.maxConnections = this.#o.maxConnections;
    this.#tcp = tcp;
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(this.#o.tcpPort, this.#o.host, () => resolve());
      });
    } catch (err) {
      await this.close();
      throw err;
    }
    tcp.on('error', () => undefined);
    return { udp: udp.address(), tcp: tcp.address() as AddressInfo };
  }

  async close(): Promise<void> {
    for (const p of this.#pending.values()) {
      for (const t of p.timers) clearTimeout(t);
      p.reject(new Error('SIP transport closed'));
    }
    this.#pending.clear();
    for (const s of this.#tcpSockets.values()) s.destroy();
    await Promise.all([
      this.#udp ? new Promise<void>((r) => this.#udp!.close(() => r())) : undefined,
      this.#tcp ? new Promise<void>((r) => this.#tcp!.close(() => r())) : undefined,
    ]);
    this.#udp = this.#tcp = undefined;
  }

  /** A Via value for a request the box sends to `to`, with a fresh branch. */
  via(to: Peer): { value: string; branch: string } {
    const branch = `z9hG4bK${randomBytes(8).toString('hex')}`;
    const port = to.transport === 'udp' ? this.#udp?.address().port : (this.#tcp?.address() as AddressInfo | null)?.port;
    return { value: `SIP/2.0/${to.transport.toUpperCase()} ${this.#o.advertise}:${port ?? 5060};rport;branch=${branch}`, branch };
  }

  /** Send a request without a transaction (the ACK of a 2xx, RFC 3261 §13.2.2.4); false when there is no way to the peer. */
  send(to: Peer, req: SipRequest): boolean {
    return this.#send(to, serialize(req));
  }

  /**
   * Send a request (its top Via made by `via()`) and wait for its final response. With
   * `provisional` (INVITE), a 1xx stops the retransmissions and the final response is then waited
   * for `proceedingMs` more.
   */
  request(
    to: Peer,
    req: SipRequest,
    branch: string,
    invite?: { provisional: (r: SipResponse) => void; proceedingMs: number },
  ): Promise<SipResponse> {
    const wire = serialize(req);
    const key = txKey(branch, req.method);
    return new Promise((resolve, reject) => {
      const timers: NodeJS.Timeout[] = [];
      const done = () => {
        for (const t of timers) clearTimeout(t);
        this.#pending.delete(key);
      };
      const proceeding = (r: SipResponse) => {
        for (const t of timers.splice(0)) clearTimeout(t);
        const t = setTimeout(() => this.#pending.get(key)?.reject(new Error('no final response')), invite?.proceedingMs ?? TIMER_J_MS);
        t.unref();
        timers.push(t);
        invite?.provisional(r);
      };
      this.#pending.set(key, {
        ...(invite ? { provisional: proceeding } : {}),
        resolve(r) {
          done();
          resolve(r);
        },
        reject(e) {
          done();
          reject(e);
        },
        timers,
      });
      if (!this.#send(to, wire)) return this.#pending.get(key)?.reject(new Error('no connection to the device'));
      if (to.transport === 'udp') {
        let at = 0;
        for (let gap = T1_MS; at + gap < TIMER_J_MS; gap = invite ? gap * 2 : Math.min(gap * 2, T2_MS)) {
          at += gap;
          timers.push(setTimeout(() => this.#send(to, wire), at));
        }
      }
      timers.push(setTimeout(() => this.#pending.get(key)?.reject(new Error('no response (Timer F)')), TIMER_J_MS));
      for (const t of timers) t.unref();
    });
  }

  #send(to: Peer, wire: Buffer): boolean {
    if (to.transport === 'udp') {
      this.#udp?.send(wire, to.port, to.address);
      return this.#udp !== undefined;
    }
    const s = this.#tcpSockets.get(peerKey(to));
    if (!s?.writable) return false;
    s.write(wire);
    return true;
  }

  #inbound(raw: Buffer, from: Peer): void {
    if (!this.#limits.take(from.address).ok) return this.#busy(raw, from);
    const parsed = parseMessage(raw, this.#o.maxBodyBytes);
    if (!parsed.ok) {
      this.#o.refused?.(from, parsed.reason);
      if (parsed.request && parsed.status) this.#send(from, serialize(responseTo(parsed.request, parsed.status)));
      return;
    }
    const m = parsed.message;
    if (m.kind === 'response') {
      const branch = /;\s*branch=([^;,\s]+)/i.exec(header(m, 'via') ?? '')?.[1];
      const p = branch ? this.#pending.get(txKey(branch, cseqOf(m)?.method)) : undefined;
      if (m.status < 200) p?.provisional?.(m);
      else if (p) p.resolve(m);
      else this.#o.stray?.(m, from);
      return;
    }
    if (m.method === 'ACK') return; // ACK to a non-2xx INVITE final response: nothing to do in this slice
    void this.#serve(m, from);
  }

  async #serve(req: SipRequest, from: Peer): Promise<void> {
    const key = ServerTransactions.keyOf(req, from.address);
    if (key) {
      const seen = this.#tx.seen(key);
      if (seen.state === 'pending') return;
      if (seen.state === 'answered') return void this.#send(from, seen.response);
    }
    let res: SipResponse;
    try {
      res = await this.#handler(req, from);
    } catch {
      res = responseTo(req, 500);
    }
    const wire = serialize(res);
    if (key) this.#tx.answered(key, wire, from.transport === 'tcp');
    this.#send(from, wire);
  }

  #busy(raw: Buffer, from: Peer): void {
    const now = Date.now();
    if (now - (this.#busySent.get(from.address) ?? 0) < 1000) return;
    this.#busySent.delete(from.address);
    this.#busySent.set(from.address, now);
    if (this.#busySent.size > this.#o.trackedSources) this.#busySent.delete(this.#busySent.keys().next().value!);
    this.#o.refused?.(from, 'rate');
    const parsed = parseMessage(raw, this.#o.maxBodyBytes);
    if (parsed.ok && parsed.message.kind === 'request' && parsed.message.method !== 'ACK')
      this.#send(from, serialize(responseTo(parsed.message, 503, [['Retry-After', '5']])));
  }

  #connection(s: Socket): void {
    const from: Peer = { transport: 'tcp', address: peerAddress(s), port: s.remotePort ?? 0 };
    if (!this.#limits.opened(from.address)) return void s.destroy();
    const key = peerKey(from);
    this.#tcpSockets.set(key, s);
    s.setTimeout(this.#o.idleTimeoutMs, () => s.destroy());
    s.on('error', () => undefined);
    s.on('close', () => {
      if (this.#tcpSockets.get(key) === s) this.#tcpSockets.delete(key);
      this.#limits.closed(from.address);
    });
    const framer = new StreamFramer(this.#o.maxHeadBytes, this.#o.maxBodyBytes);
    s.on('data', (chunk: Buffer) => {
      const { frames, error } = framer.push(chunk);
      for (const f of frames) this.#inbound(f, from);
      if (error) {
        this.#o.refused?.(from, error.reason);
        s.removeAllListeners('data');
        const head = parseMessage(Buffer.concat([chunk.subarray(0, this.#o.maxHeadBytes), Buffer.from('\r\n\r\n')]), 0);
        const answer = !head.ok && head.request ? serialize(responseTo(head.request, error.status)) : Buffer.alloc(0);
        s.end(answer, () => s.destroy());
      }
    });
  }
}
