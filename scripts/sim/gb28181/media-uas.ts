/**
 * A GB28181 camera reduced to what media needs, for the video-relay benchmark (and the simulator
 * the camera main program may build on): one UDP socket, REGISTER with MD5 digest (GB/T
 * 28181-2016 §9.1.2.1), then as UAS: INVITE → 100, 200 with the camera SDP (./media.ts); ACK →
 * the RTP PS test stream starts; BYE → 200 and the stream stops. Keepalives are not sent: a
 * benchmark run is shorter than the box's keepalive timeout.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { digestResponse } from '../../../protocols/gb28181/digest.js';
import { header, parseMessage, serialize, type SipRequest, type SipResponse } from '../../../protocols/gb28181/message.js';
import { responseTo } from '../../../protocols/gb28181/response.js';
import { CameraMedia, type CameraMediaOptions } from './media.js';

export interface UasOptions extends Omit<CameraMediaOptions, 'deviceId'> {
  id: string;
  serverId: string;
  domain: string;
  password: string;
  boxHost: string;
  boxPort: number;
}

export class MediaCamera {
  readonly o: UasOptions;
  readonly sessions = new Map<string, CameraMedia>();
  /** Every session ever started, for the benchmark's counts. */
  readonly history: CameraMedia[] = [];
  #sock: Socket | undefined;
  #port = 0;
  #cseq = 1;
  readonly #waiting = new Map<number, (r: SipResponse) => void>();

  constructor(o: UasOptions) {
    this.o = o;
  }

  async start(): Promise<void> {
    const s = createSocket('udp4');
    this.#sock = s;
    s.on('message', (m) => this.#take(m));
    s.on('error', () => undefined);
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    this.#port = s.address().port;
    const first = await this.#register([]);
    if (first.status === 200) return;
    const nonce = /nonce="([^"]+)"/.exec(header(first, 'www-authenticate') ?? '')?.[1];
    if (first.status !== 401 || !nonce) throw new Error(`REGISTER answered ${first.status}`);
    const uri = `sip:${this.o.serverId}@${this.o.domain}`;
    const c = {
      username: this.o.id,
      realm: this.o.domain,
      nonce,
      uri,
      qop: 'auth',
      nc: '00000001',
      cnonce: randomBytes(4).toString('hex'),
    };
    const response = digestResponse(c, 'REGISTER', this.o.password);
    const auth = `Digest username="${c.username}", realm="${c.realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5, qop=auth, nc=${c.nc}, cnonce="${c.cnonce}"`;
    const second = await this.#register([['authorization', auth]]);
    if (second.status !== 200) throw new Error(`REGISTER with digest answered ${second.status}`);
  }

  #register(extra: Array<[string, string]>): Promise<SipResponse> {
    const seq = this.#cseq++;
    const o = this.o;
    const req: SipRequest = {
      kind: 'request',
      method: 'REGISTER',
      uri: `sip:${o.serverId}@${o.domain}`,
      headers: new Map([
        ['via', [`SIP/2.0/UDP 127.0.0.1:${this.#port};rport;branch=z9hG4bK${randomBytes(6).toString('hex')}`]],
        ['from', [`<sip:${o.id}@${o.domain}>;tag=${randomBytes(4).toString('hex')}`]],
        ['to', [`<sip:${o.id}@${o.domain}>`]],
        ['call-id', [`reg${o.id}`]],
        ['cseq', [`${seq} REGISTER`]],
        ['contact', [`<sip:${o.id}@127.0.0.1:${this.#port}>`]],
        ['max-forwards', ['70']],
        ['expires', ['3600']],
        ...extra.map(([k, v]): [string, string[]] => [k, [v]]),
      ]),
      body: Buffer.alloc(0),
    };
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('REGISTER not answered')), 10_000);
      this.#waiting.set(seq, (r) => {
        clearTimeout(t);
        resolve(r);
      });
      this.#send(serialize(req));
    });
  }

  #send(b: Buffer): void {
    this.#sock?.send(b, this.o.boxPort, this.o.boxHost);
  }

  #take(raw: Buffer): void {
    const r = parseMessage(raw, 1 << 16);
    if (!r.ok) return;
    const m = r.message;
    if (m.kind === 'response') {
      const seq = Number(/^(\d+)/.exec(header(m, 'cseq') ?? '')?.[1]);
      this.#waiting.get(seq)?.(m);
      this.#waiting.delete(seq);
      return;
    }
    const callId = header(m, 'call-id') ?? '';
    if (m.method === 'INVITE') {
      this.#send(serialize(responseTo(m, 100)));
      let media = this.sessions.get(callId);
      if (!media) {
        media = CameraMedia.fromInvite(m.body, { ...this.o, deviceId: this.o.id });
        if (!media) return this.#send(serialize(responseTo(m, 488)));
        this.sessions.set(callId, media);
        this.history.push(media);
      }
      const contact: [string, string] = ['Contact', `<sip:${this.o.id}@127.0.0.1:${this.#port}>`];
      this.#send(serialize(responseTo(m, 200, [contact, ['Content-Type', 'APPLICATION/SDP']], media.answer())));
    } else if (m.method === 'ACK') {
      const media = this.sessions.get(callId);
      if (media && !media.running) void media.start();
    } else if (m.method === 'BYE') {
      this.sessions.get(callId)?.stop();
      this.sessions.delete(callId);
      this.#send(serialize(responseTo(m, 200)));
    }
  }

  close(): void {
    for (const m of this.sessions.values()) m.stop();
    this.sessions.clear();
    this.#sock?.close();
    this.#sock = undefined;
  }
}
