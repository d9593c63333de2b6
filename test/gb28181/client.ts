/** A bare SIP client for the server tests: one UDP socket or TCP connection on 127.0.0.1, requests built from a template. */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { digestResponse } from '../../protocols/gb28181/digest.js';
import { buildDeviceXml } from '../../protocols/gb28181/manscdp.js';
import { header, parseMessage, type SipMessage } from '../../protocols/gb28181/message.js';
import { StreamFramer } from '../../protocols/gb28181/framing.js';
import { waitFor } from '../helpers/wait.js';

export const BOX_ID = '34020000002000000001';
export const DOMAIN = '3402000000';

export class SipClient {
  readonly got: SipMessage[] = [];
  #udp?: UdpSocket;
  #tcp?: Socket;
  #cseq = 1;
  readonly id: string;
  readonly #port: number;
  localPort = 0;
  /** Requests from the box (INVITE, ACK, BYE: the test camera of media-camera.ts answers them). */
  onRequest?: (m: SipMessage & { kind: 'request' }) => void;

  constructor(id: string, port: number) {
    this.id = id;
    this.#port = port;
  }

  async open(transport: 'udp' | 'tcp', localAddress = '127.0.0.1'): Promise<this> {
    if (transport === 'udp') {
      const s = createSocket('udp4');
      this.#udp = s;
      s.on('message', (m) => this.#take(m));
      await new Promise<void>((r) => s.bind(0, localAddress, () => r()));
      this.localPort = s.address().port;
    } else {
      const framer = new StreamFramer(65_536, 1 << 20);
      const s = connect({ port: this.#port, host: '127.0.0.1', localAddress });
      this.#tcp = s;
      s.on('data', (d: Buffer) => {
        for (const f of framer.push(d).frames) this.#take(f);
      });
      s.on('error', () => undefined);
      await new Promise<void>((r) => s.once('connect', () => r()));
      this.localPort = s.localPort ?? 0;
    }
    return this;
  }

  #take(m: Buffer): void {
    const r = parseMessage(m, 1 << 20);
    if (r.ok) this.got.push(r.message);
    if (r.ok && r.message.kind === 'request') this.onRequest?.(r.message);
  }

  raw(b: Buffer): void {
    if (this.#udp) this.#udp.send(b, this.#port, '127.0.0.1');
    else this.#tcp!.write(b);
  }

  get closed(): boolean {
    return this.#tcp ? this.#tcp.destroyed || this.#tcp.readableEnded : false;
  }

  request(
    method: string,
    extra: string[] = [],
    body: Buffer = Buffer.alloc(0),
    branch = `z9hG4bK${randomBytes(6).toString('hex')}`,
    /** An in-dialog request (the camera's BYE): its From, To and Call-ID. */
    dialog?: { from: string; to: string; callId: string },
  ): { cseq: number; wire: Buffer } {
    const cseq = this.#cseq++;
    const t = this.#tcp ? 'TCP' : 'UDP';
    const head = [
      `${method} sip:${BOX_ID}@${DOMAIN} SIP/2.0`,
      `Via: SIP/2.0/${t} 127.0.0.1:${this.localPort};rport;branch=${branch}`,
      `From: ${dialog?.from ?? `<sip:${this.id}@${DOMAIN}>;tag=t${this.id.slice(-4)}`}`,
      `To: ${dialog?.to ?? `<sip:${method === 'REGISTER' ? this.id : BOX_ID}@${DOMAIN}>`}`,
      `Call-ID: ${dialog?.callId ?? `c${this.id}`}`,
      `CSeq: ${cseq} ${method}`,
      `Contact: <sip:${this.id}@127.0.0.1:${this.localPort}>`,
      'Max-Forwards: 70',
      ...extra,
      `Content-Length: ${body.length}`,
      '',
      '',
    ].join('\r\n');
    const wire = Buffer.concat([Buffer.from(head, 'latin1'), body]);
    this.raw(wire);
    return { cseq, wire };
  }

  /** The response to request `cseq` (waits for it). */
  answer(cseq: number): Promise<SipMessage & { kind: 'response' }> {
    return waitFor(
      () =>
        this.got.find(
          (m): m is SipMessage & { kind: 'response' } => m.kind === 'response' && header(m, 'cseq')?.startsWith(`${cseq} `) === true,
        ),
      5000,
    );
  }

  /** REGISTER, the 401, REGISTER with digest; the final response. */
  async register(password: string, expires = 3600): Promise<SipMessage & { kind: 'response' }> {
    const first = await this.answer(this.request('REGISTER', [`Expires: ${expires}`]).cseq);
    if (first.status !== 401) return first;
    const nonce = /nonce="([^"]+)"/.exec(header(first, 'www-authenticate') ?? '')![1]!;
    const c = { username: this.id, realm: DOMAIN, nonce, uri: `sip:${BOX_ID}@${DOMAIN}`, qop: 'auth', nc: '00000001', cnonce: 'c1' };
    const auth = `Authorization: Digest username="${c.username}", realm="${c.realm}", nonce="${nonce}", uri="${c.uri}", response="${digestResponse(c, 'REGISTER', password)}", algorithm=MD5, qop=auth, nc=00000001, cnonce="c1"`;
    return this.answer(this.request('REGISTER', [`Expires: ${expires}`, auth]).cseq);
  }

  message(root: 'Notify' | 'Response', fields: Record<string, unknown>): Promise<SipMessage & { kind: 'response' }> {
    const body = buildDeviceXml(root, { ...fields, DeviceID: fields.DeviceID ?? this.id });
    return this.answer(this.request('MESSAGE', ['Content-Type: Application/MANSCDP+xml'], body).cseq);
  }

  keepalive(sn = 1) {
    return this.message('Notify', { CmdType: 'Keepalive', SN: sn, Status: 'OK' });
  }

  close(): Promise<void> {
    return new Promise((r) => {
      if (this.#udp) this.#udp.close(() => r());
      else {
        this.#tcp!.destroy();
        r();
      }
    });
  }
}
