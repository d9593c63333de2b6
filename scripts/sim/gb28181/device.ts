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
import { createSocket, type Socket } from 'node:dgram';
import { gbTime, gbTimeMs } from '../../../protocols/gb28181/alarm.js';
import { controlOf, type ControlCommand } from '../../../protocols/gb28181/control.js';
import { digestResponse } from '../../../protocols/gb28181/digest.js';
import { buildDeviceXml, decodeBody, parseManscdp, type Manscdp } from '../../../protocols/gb28181/manscdp.js';
import { header, parseMessage, serialize, type SipRequest, type SipResponse } from '../../../protocols/gb28181/message.js';
import { decodePtz, type DecodedPtz } from '../../../protocols/gb28181/ptz.js';

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

type Waiter = { resolve: (r: SipResponse) => void; timer: NodeJS.Timeout };

const T1 = 500;

export class SimGbDevice {
  readonly o: SimDeviceOptions;
  readonly controls: ReceivedControl[] = [];
  readonly queries: string[] = [];
  alarmAcks = 0;
  registered = false;
  recording = false;
  guarded = false;
  onOtherRequest: ((req: SipRequest, reply: (status: number, body?: Buffer, extra?: [string, string][]) => void) => void) | undefined;
  #sock: Socket | undefined;
  #cseq = 1;
  #sn = 1;
  #callId = `${randomBytes(8).toString('hex')}@sim`;
  readonly #waiting = new Map<string, Waiter>();
  #keepalive: NodeJS.Timeout | undefined;
  #reregister: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(o: SimDeviceOptions) {
    this.o = o;
  }

  get port(): number {
    return this.#sock?.address().port ?? 0;
  }

  /** Channel ids (the device's own id for a camera). */
  channelIds(): string[] {
    if (this.o.kind === 'camera' && this.o.channels <= 1) return [this.o.id];
    const base = `${this.o.id.slice(0, 10)}131${this.o.id.slice(13, 17)}`;
    return Array.from({ length: this.o.channels }, (_, i) => `${base}${String((this.o.from33 ? 33 : 1) + i).padStart(3, '0')}`);
  }

  async start(): Promise<void> {
    const s = createSocket('udp4');
    this.#sock = s;
    s.on('message', (m) => this.#inbound(m));
    s.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(0, this.o.localAddress, () => resolve());
    });
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
    const first = await this.#request('REGISTER', [`Expires: ${expiresS}`]);
    let final = first;
    if (first.status === 401) {
      const challenge = header(first, 'www-authenticate') ?? '';
      const nonce = /nonce="([^"]+)"/.exec(challenge)?.[1] ?? '';
      const realm = /realm="([^"]+)"/.exec(challenge)?.[1] ?? this.o.domain;
      const cnonce = randomBytes(4).toString('hex');
      const uri = `sip:${this.o.boxId}@${this.o.domain}`;
      const c = { username: this.o.id, realm, nonce, uri, qop: 'auth', nc: '00000001', cnonce };
      const auth = `Digest username="${this.o.id}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${digestResponse(c, 'REGISTER', this.o.password)}", algorithm=MD5, qop=auth, nc=00000001, cnonce="${cnonce}"`;
      final = await this.#request('REGISTER', [`Expires: ${expiresS}`, `Authorization: ${auth}`]);
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
    this.#stopped = true;
    clearInterval(this.#keepalive);
    clearTimeout(this.#reregister);
    for (const w of this.#waiting.values()) clearTimeout(w.timer);
    this.#waiting.clear();
    const s = this.#sock;
    this.#sock = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  #manscdp(root: 'Notify' | 'Response', fields: Record<string, unknown>): Promise<SipResponse> {
    return this.#request('MESSAGE', ['Content-Type: Application/MANSCDP+xml'], buildDeviceXml(root, fields));
  }

  /** A request to the box, retransmitted at T1, 2·T1, … (RFC 3261 §17.1.2.2) until its final response. */
  #request(method: string, extra: string[], body: Buffer = Buffer.alloc(0)): Promise<SipResponse> {
    const branch = `z9hG4bK${randomBytes(6).toString('hex')}`;
    const o = this.o;
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

  #inbound(raw: Buffer): void {
    const r = parseMessage(raw, 65_536);
    if (!r.ok) return;
    const m = r.message;
    if (m.kind === 'response') {
      if (m.status < 200) return;
      const branch = /branch=([^;,\s]+)/.exec(header(m, 'via') ?? '')?.[1] ?? '';
      const w = this.#waiting.get(branch);
      if (!w) return;
      clearTimeout(w.timer);
      this.#waiting.delete(branch);
      w.resolve(m);
      return;
    }
    const reply = (status: number, body: Buffer = Buffer.alloc(0), extra: [string, string][] = []) => this.#reply(m, status, body, extra);
    if (m.method === 'ACK') return this.onOtherRequest?.(m, reply);
    if (m.method !== 'MESSAGE') {
      if (this.onOtherRequest) return this.onOtherRequest(m, reply);
      return reply(405);
    }
    const parsed = parseManscdp(decodeBody(m.body, header(m, 'content-type')));
    if (!parsed.ok) return reply(400);
    reply(200);
    void this.#answer(parsed.value).catch(() => undefined);
  }

  #reply(req: SipRequest, status: number, body: Buffer, extra: [string, string][]): void {
    const headers = new Map<string, string[]>();
    for (const h of ['via', 'from', 'call-id', 'cseq']) headers.set(h, req.headers.get(h) ?? []);
    const to = header(req, 'to') ?? '';
    headers.set('to', [/;\s*tag=/.test(to) ? to : `${to};tag=${this.o.id.slice(-6)}`]);
    for (const [k, v] of extra) headers.set(k.toLowerCase(), [v]);
    const res: SipResponse = { kind: 'response', status, reason: REASON[status] ?? 'OK', headers, body };
    const via = header(req, 'via') ?? '';
    const port = Number(/rport=(\d+)/.exec(via)?.[1] ?? / (\S+?):(\d+)/.exec(via)?.[2] ?? this.o.boxPort);
    this.#sock?.send(serialize(res), port, this.o.boxHost);
  }

  async #answer(m: Manscdp): Promise<void> {
    if (m.root === 'Response' && m.cmd === 'Alarm') {
      this.alarmAcks++;
      return;
    }
    if (m.root === 'Control' && 'other' in m) return this.#control(m.deviceId, m.sn, m.fields);
    if (m.root !== 'Query') return;
    this.queries.push(m.cmd);
    const base = { SN: m.sn, DeviceID: this.o.id };
    switch (m.cmd) {
      case 'Catalog':
        return this.#catalog(m.sn);
      case 'DeviceInfo':
        await this.#manscdp('Response', {
          CmdType: 'DeviceInfo',
          ...base,
          DeviceName: `sim-${this.o.id.slice(-4)}`,
          Result: 'OK',
          Manufacturer: this.o.manufacturer ?? 'Property Edge Sim',
          Model: this.o.kind === 'nvr' ? 'SIM-NVR' : 'SIM-IPC',
          Firmware: 'V1.0.0',
          Channel: this.channelIds().length,
        });
        return;
      case 'DeviceStatus':
        await this.#manscdp('Response', {
          CmdType: 'DeviceStatus',
          ...base,
          Result: 'OK',
          Online: 'ONLINE',
          Status: 'OK',
          Encode: 'ON',
          Record: this.recording ? 'ON' : 'OFF',
          DeviceTime: gbTime(Date.now()),
          Alarmstatus: { Item: [] },
        });
        return;
      case 'RecordInfo':
        if ('other' in m) return this.#records(m.deviceId, m.sn, m.fields);
        return;
    }
  }

  async #catalog(sn: number): Promise<void> {
    const ids = this.channelIds();
    const items = ids.map((id, i) => ({
      DeviceID: id,
      Name: this.o.kind === 'camera' ? `Camera ${this.o.id.slice(-4)}` : `Gate${i + 1}`,
      Manufacturer: this.o.manufacturer ?? 'Property Edge Sim',
      Model: 'SIM-IPC',
      Owner: 'Owner',
      CivilCode: this.o.id.slice(0, 6),
      Address: 'Address',
      Parental: 0,
      ParentID: this.o.id,
      RegisterWay: 1,
      Secrecy: 0,
      Status: 'ON',
    }));
    for (let i = 0; i === 0 || i < items.length; i += this.o.pageSize) {
      const page = items.slice(i, i + this.o.pageSize);
      await this.#manscdp('Response', {
        CmdType: 'Catalog',
        SN: sn,
        DeviceID: this.o.id,
        SumNum: items.length,
        DeviceList: { Item: page },
      });
    }
  }

  /** Three recordings of 20 minutes each hour from StartTime on (at most 6), two per page. */
  async #records(deviceId: string, sn: number, f: Record<string, unknown>): Promise<void> {
    const start = gbTimeMs(String(f.StartTime ?? '')) ?? Date.now() - 3600_000;
    const end = gbTimeMs(String(f.EndTime ?? '')) ?? Date.now();
    const list: Record<string, unknown>[] = [];
    for (let t = start; t + 1_200_000 <= end && list.length < 6; t += 3600_000)
      list.push({
        DeviceID: deviceId,
        Name: `rec-${list.length + 1}`,
        FilePath: `/record/${deviceId}/${gbTime(t).replace(/\D/g, '')}.mp4`,
        Address: 'sim',
        StartTime: gbTime(t),
        EndTime: gbTime(t + 1_200_000),
        Secrecy: 0,
        Type: 'time',
        FileSize: 104_857_600,
      });
    for (let i = 0; i === 0 || i < list.length; i += 2) {
      const page = list.slice(i, i + 2);
      await this.#manscdp('Response', {
        CmdType: 'RecordInfo',
        SN: sn,
        DeviceID: deviceId,
        Name: deviceId,
        SumNum: list.length,
        RecordList: { Item: page },
      });
    }
  }

  async #control(deviceId: string, sn: number, f: Record<string, unknown>): Promise<void> {
    const command = controlOf(f);
    if (!command) return;
    const decoded = 'PTZCmd' in command ? decodePtz(command.PTZCmd) : undefined;
    this.controls.push({ deviceId, command, ...(decoded?.ok ? { ptz: decoded.value } : {}), at: Date.now() });
    if ('RecordCmd' in command) this.recording = command.RecordCmd === 'Record';
    if ('GuardCmd' in command) this.guarded = command.GuardCmd === 'SetGuard';
    if ('RecordCmd' in command || 'GuardCmd' in command)
      await this.#manscdp('Response', { CmdType: 'DeviceControl', SN: sn, DeviceID: deviceId, Result: 'OK' });
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
