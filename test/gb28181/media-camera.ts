/**
 * A minimal GB28181 camera for the media tests: registers over UDP with the SipClient helpers and
 * answers the box's INVITE as a UAS (100 Trying, 200 with the SDP of scripts/sim/gb28181/media.ts),
 * sends the RTP PS test stream once ACKed, stops on the box's BYE; it can send its own BYE and a
 * MediaStatus 121, or refuse INVITEs with a status.
 */
import { header, serialize, type SipRequest } from '../../protocols/gb28181/message.js';
import { localTag, responseTo } from '../../protocols/gb28181/response.js';
import { CameraMedia, type CameraMediaOptions } from '../../scripts/sim/gb28181/media.js';
import { DOMAIN, SipClient } from './client.js';

export interface TestCameraOptions extends Omit<CameraMediaOptions, 'deviceId'> {
  /** Answer INVITEs with this status instead of 200. */
  refuseWith?: number;
  /** Answer 200 but never send media (a dead source). */
  silent?: boolean;
}

export class TestCamera {
  readonly sip: SipClient;
  readonly sessions = new Map<string, { media: CameraMedia; invite: SipRequest }>();
  readonly byes: string[] = [];
  invites = 0;
  opts: TestCameraOptions;
  #sn = 100;

  constructor(id: string, boxPort: number, opts: TestCameraOptions = {}) {
    this.sip = new SipClient(id, boxPort);
    this.opts = opts;
  }

  async start(password: string): Promise<void> {
    await this.sip.open('udp');
    this.sip.onRequest = (req) => this.#request(req);
    const r = await this.sip.register(password);
    if (r.status !== 200) throw new Error(`register answered ${r.status}`);
  }

  #reply(req: SipRequest, status: number, extra: Array<[string, string]> = [], body?: Buffer): void {
    this.sip.raw(serialize(responseTo(req, status, extra, body)));
  }

  #request(req: SipRequest): void {
    const callId = header(req, 'call-id') ?? '';
    if (req.method === 'INVITE') {
      this.invites++;
      this.#reply(req, 100);
      if (this.opts.refuseWith) return this.#reply(req, this.opts.refuseWith);
      if (this.sessions.has(callId)) return; // a retransmission: the 200 is on its way
      const media = CameraMedia.fromInvite(req.body, { ...this.opts, deviceId: this.sip.id });
      if (!media) return this.#reply(req, 488);
      this.sessions.set(callId, { media, invite: req });
      const contact: [string, string] = ['Contact', `<sip:${this.sip.id}@127.0.0.1:${this.sip.localPort}>`];
      this.#reply(req, 200, [contact, ['Content-Type', 'APPLICATION/SDP']], media.answer());
    } else if (req.method === 'ACK') {
      const s = this.sessions.get(callId);
      if (s && !s.media.running && !this.opts.silent) void s.media.start();
    } else if (req.method === 'BYE') {
      this.byes.push(callId);
      this.sessions.get(callId)?.media.stop();
      this.sessions.delete(callId);
      this.#reply(req, 200);
    }
  }

  /** The camera hangs up. */
  async bye(callId: string): Promise<number> {
    const s = this.sessions.get(callId);
    if (!s) throw new Error('no such session');
    s.media.stop();
    this.sessions.delete(callId);
    const inv = s.invite;
    const from = header(inv, 'to') ?? '';
    const { cseq } = this.sip.request('BYE', [], Buffer.alloc(0), undefined, {
      from: `${from};tag=${localTag(callId)}`,
      to: header(inv, 'from') ?? '',
      callId,
    });
    return (await this.sip.answer(cseq)).status;
  }

  /** MESSAGE Notify MediaStatus 121: the played-back file ended (GB/T 28181-2016 §9.7.4). */
  async endOfFile(): Promise<number> {
    const r = await this.sip.message('Notify', { CmdType: 'MediaStatus', SN: this.#sn++, NotifyType: 121 });
    return r.status;
  }

  async close(): Promise<void> {
    for (const s of this.sessions.values()) s.media.stop();
    this.sessions.clear();
    await this.sip.close();
  }
}

export { DOMAIN };
