/**
 * The simulated device's SIP transport over UDP: its own socket, requests to the box retransmitted
 * until their final response (matched by Via branch), and responses to the box's requests.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { header, parseMessage, serialize, type SipRequest, type SipResponse } from '../../../protocols/gb28181/message.js';
import type { SimDeviceOptions } from './device.js';

type Waiter = { resolve: (r: SipResponse) => void; timer: NodeJS.Timeout };

const T1 = 500;

export class SimSipUdp {
  readonly #o: SimDeviceOptions;
  readonly #onRequest: (req: SipRequest) => void;
  #sock: Socket | undefined;
  #cseq = 1;
  #callId = `${randomBytes(8).toString('hex')}@sim`;
  readonly #waiting = new Map<string, Waiter>();
  #stopped = false;

  constructor(o: SimDeviceOptions, onRequest: (req: SipRequest) => void) {
    this.#o = o;
    this.#onRequest = onRequest;
  }

  get port(): number {
    return this.#sock?.address().port ?? 0;
  }

  async start(): Promise<void> {
    const s = createSocket('udp4');
    this.#sock = s;
    s.on('message', (m) => this.#inbound(m));
    s.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(0, this.#o.localAddress, () => resolve());
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const w of this.#waiting.values()) clearTimeout(w.timer);
    this.#waiting.clear();
    const s = this.#sock;
    this.#sock = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  /** A request to the box, retransmitted at T1, 2·T1, … (RFC 3261 §17.1.2.2) until its final response. */
  request(method: string, extra: string[], body: Buffer = Buffer.alloc(0)): Promise<SipResponse> {
    const branch = `z9hG4bK${randomBytes(6).toString('hex')}`;
    const o = this.#o;
    const head = [
      `${method} sip:${o.boxId}@${o.domain} SIP/2.0`,
      `Via: SIP/2.0/UDP ${o.localAddress}:${this.port};rport;branch=${branch}`,
      `From: <sip:${o.id}@${o.domain}>;tag=${o.id.slice(-6)}`,
      `To: <sip:${method === 'REGISTER' ? o.id : o.boxId}@${o.domain}>`,
      `Call-ID: ${method === 'REGISTER' ? this.#callId : `${randomBytes(8).toString('hex')}@sim`}`,
      `CSeq: ${this.#cseq++} ${method}`,
      `Contact: <sip:${o.id}@${o.localAddress}:${this.port}>`,
      'Max-Forwards: 70',
      'User-Agent: property-edge-gb-sim',
      ...extra,
      `Content-Length: ${body.length}`,
      '',
      '',
    ].join('\r\n');
    const wire = Buffer.concat([Buffer.from(head, 'latin1'), body]);
    return new Promise((resolve, reject) => {
      let gap = T1;
      let tries = 0;
      const send = () => {
        if (this.#stopped || !this.#sock) return reject(new Error('stopped'));
        if (tries++ > 6) {
          this.#waiting.delete(branch);
          return reject(new Error(`${method}: no response`));
        }
        this.#sock.send(wire, o.boxPort, o.boxHost);
        const timer = setTimeout(send, gap);
        timer.unref();
        gap = Math.min(gap * 2, 4000);
        this.#waiting.set(branch, { resolve, timer });
      };
      send();
    });
  }

  reply(req: SipRequest, status: number, body: Buffer, extra: [string, string][]): void {
    const headers = new Map<string, string[]>();
    for (const h of ['via', 'from', 'call-id', 'cseq']) headers.set(h, req.headers.get(h) ?? []);
    const to = header(req, 'to') ?? '';
    headers.set('to', [/;\s*tag=/.test(to) ? to : `${to};tag=${this.#o.id.slice(-6)}`]);
    for (const [k, v] of extra) headers.set(k.toLowerCase(), [v]);
    const res: SipResponse = { kind: 'response', status, reason: REASON[status] ?? 'OK', headers, body };
    const via = header(req, 'via') ?? '';
    const port = Number(/rport=(\d+)/.exec(via)?.[1] ?? / (\S+?):(\d+)/.exec(via)?.[2] ?? this.#o.boxPort);
    this.#sock?.send(serialize(res), port, this.#o.boxHost);
  }

  #inbound(raw: Buffer): void {
    const r = parseMessage(raw, 65_536);
    if (!r.ok) return;
    const m = r.message;
    if (m.kind === 'request') return this.#onRequest(m);
    if (m.status < 200) return;
    const branch = /branch=([^;,\s]+)/.exec(header(m, 'via') ?? '')?.[1] ?? '';
    const w = this.#waiting.get(branch);
    if (!w) return;
    clearTimeout(w.timer);
    this.#waiting.delete(branch);
    w.resolve(m);
  }
}

const REASON: Readonly<Record<number, string>> = {
  100: 'Trying',
  180: 'Ringing',
  200: 'OK',
  400: 'Bad Request',
  405: 'Method Not Allowed',
  481: 'Call/Transaction Does Not Exist',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
};
