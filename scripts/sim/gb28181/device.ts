/**
 * One simulated GB/T 28181-2016 camera or NVR (a SIP client over UDP, on its own socket and, for
 * many devices, its own loopback address so the box's per-address limits see separate devices):
 * REGISTER with digest (the 401 answered, re-registered at two thirds of the granted Expires),
 * Keepalive, and answers to the box's Catalog (N channels, paged, optionally numbered from 33),
 * DeviceInfo, DeviceStatus, RecordInfo (synthetic recordings) and DeviceControl (recorded,
 * Response for record/guard); Alarm notifications on demand. Other requests (INVITE …) go to
 * `onOtherRequest` when set (the media side), else 405.
 */
import { randomBytes } from 'node:crypto';
import { gbTime } from '../../../protocols/gb28181/alarm.js';
import type { ControlCommand } from '../../../protocols/gb28181/control.js';
import { digestResponse } from '../../../protocols/gb28181/digest.js';
import { buildDeviceXml, decodeBody, parseManscdp } from '../../../protocols/gb28181/manscdp.js';
import { header, type SipRequest, type SipResponse } from '../../../protocols/gb28181/message.js';
import type { DecodedPtz } from '../../../protocols/gb28181/ptz.js';
import { answerManscdp } from './manscdp-answers.js';
import { SimSipUdp } from './sip-udp.js';

export interface SimDeviceOptions {
  id: string;
  password: string;
  boxHost: string;
  boxPort: number;
  boxId: string;
  domain: string;
  /** Address the device binds (and registers from). */
  localAddress: string;
  kind: 'camera' | 'nvr';
  /** Channels in the catalog (a camera with at most 1 lists itself as its one channel). */
  channels: number;
  /** Channel ids end in 033, 034 … (NVRs that number from 33, seed L15777-15779). */
  from33: boolean;
  /** Keepalive interval, s; 0: none sent by itself (the benchmark paces them). */
  keepaliveS: number;
  expiresS: number;
  /** Catalog items per Response page. */
  pageSize: number;
  manufacturer?: string;
}

export interface ReceivedControl {
  deviceId: string;
  command: ControlCommand;
  ptz?: DecodedPtz;
  at: number;
}

export class SimGbDevice {
  readonly o: SimDeviceOptions;
  readonly controls: ReceivedControl[] = [];
  readonly queries: string[] = [];
  alarmAcks = 0;
  registered = false;
  recording = false;
  guarded = false;
  onOtherRequest: ((req: SipRequest, reply: (status: number, body?: Buffer, extra?: [string, string][]) => void) => void) | undefined;
  readonly #sip: SimSipUdp;
  #sn = 1;
  #keepalive: NodeJS.Timeout | undefined;
  #reregister: NodeJS.Timeout | undefined;

  constructor(o: SimDeviceOptions) {
    this.o = o;
    this.#sip = new SimSipUdp(o, (req) => this.#inbound(req));
  }

  get port(): number {
    return this.#sip.port;
  }

  /** Channel ids (the device's own id for a camera). */
  channelIds(): string[] {
    if (this.o.kind === 'camera' && this.o.channels <= 1) return [this.o.id];
    const base = `${this.o.id.slice(0, 10)}131${this.o.id.slice(13, 17)}`;
    return Array.from({ length: this.o.channels }, (_, i) => `${base}${String((this.o.from33 ? 33 : 1) + i).padStart(3, '0')}`);
  }

  start(): Promise<void> {
    return this.#sip.start();
  }

  /** Register (answering the challenge); then keepalives and re-registration run until stop(). */
  async register(): Promise<number> {
    const final = await this.#authenticated(this.o.expiresS);
    this.registered = final.status === 200;
    if (this.registered) this.#schedule(final);
    return final.status;
  }

  /** REGISTER with `Expires`, answering a 401 challenge once (RFC 2617 MD5, qop=auth). */
  async #authenticated(expiresS: number): Promise<SipResponse> {
    const first = await this.#sip.request('REGISTER', [`Expires: ${expiresS}`]);
    let final = first;
    if (first.status === 401) {
      const challenge = header(first, 'www-authenticate') ?? '';
      const nonce = /nonce="([^"]+)"/.exec(challenge)?.[1] ?? '';
      const realm = /realm="([^"]+)"/.exec(challenge)?.[1] ?? this.o.domain;
      const cnonce = randomBytes(4).toString('hex');
      const uri = `sip:${this.o.boxId}@${this.o.domain}`;
      const c = { username: this.o.id, realm, nonce, uri, qop: 'auth', nc: '00000001', cnonce };
      const auth = `Digest username="${this.o.id}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${digestResponse(c, 'REGISTER', this.o.password)}", algorithm=MD5, qop=auth, nc=00000001, cnonce="${cnonce}"`;
      final = await this.#sip.request('REGISTER', [`Expires: ${expiresS}`, `Authorization: ${auth}`]);
    }
    return final;
  }

  #schedule(ok: SipResponse): void {
    const granted = Number(/expires=(\d+)/i.exec(header(ok, 'contact') ?? '')?.[1] ?? header(ok, 'expires') ?? this.o.expiresS);
    clearTimeout(this.#reregister);
    this.#reregister = setTimeout(() => void this.register().catch(() => undefined), (granted * 2000) / 3);
    this.#reregister.unref();
    if (!this.#keepalive && this.o.keepaliveS > 0) {
      this.#keepalive = setInterval(() => void this.keepalive().catch(() => undefined), this.o.keepaliveS * 1000);
      this.#keepalive.unref();
    }
  }

  keepalive(): Promise<SipResponse> {
    return this.#manscdp('Notify', { CmdType: 'Keepalive', SN: this.#sn++, DeviceID: this.o.id, Status: 'OK' });
  }

  /** An alarm notification (A.2.5.4) of `deviceId` (default: the device, or its first channel). */
  alarm(
    method = 5,
    type = 2,
    priority = 1,
    deviceId = this.o.kind === 'nvr' ? (this.channelIds()[0] ?? this.o.id) : this.o.id,
  ): Promise<SipResponse> {
    return this.#manscdp('Notify', {
      CmdType: 'Alarm',
      SN: this.#sn++,
      DeviceID: deviceId,
      AlarmPriority: priority,
      AlarmMethod: method,
      AlarmTime: gbTime(Date.now()),
      AlarmDescription: 'simulated',
      Info: { AlarmType: type },
    });
  }

  async unregister(): Promise<number> {
    this.registered = false;
    clearTimeout(this.#reregister);
    return (await this.#authenticated(0)).status;
  }

  async stop(): Promise<void> {
    clearInterval(this.#keepalive);
    clearTimeout(this.#reregister);
    await this.#sip.stop();
  }

  #manscdp(root: 'Notify' | 'Response', fields: Record<string, unknown>): Promise<SipResponse> {
    return this.#sip.request('MESSAGE', ['Content-Type: Application/MANSCDP+xml'], buildDeviceXml(root, fields));
  }

  #inbound(m: SipRequest): void {
    const reply = (status: number, body: Buffer = Buffer.alloc(0), extra: [string, string][] = []) =>
      this.#sip.reply(m, status, body, extra);
    if (m.method === 'ACK') return this.onOtherRequest?.(m, reply);
    if (m.method !== 'MESSAGE') {
      if (this.onOtherRequest) return this.onOtherRequest(m, reply);
      return reply(405);
    }
    const parsed = parseManscdp(decodeBody(m.body, header(m, 'content-type')));
    if (!parsed.ok) return reply(400);
    reply(200);
    void answerManscdp(this, parsed.value, (root, fields) => this.#manscdp(root, fields)).catch(() => undefined);
  }
}
