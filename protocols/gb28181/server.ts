/**
 * The box as GB/T 28181-2016 SIP server (the seed's "GB28181 server", L41434-41454): cameras and
 * NVRs register (./registrar.ts), keep alive with MESSAGE Keepalive (§9.6), and answer the box's
 * MANSCDP queries (Catalog, DeviceInfo, DeviceStatus; §9.5). A device is dropped (the `offline`
 * callback) when its registration expires, when it unregisters, or after `keepaliveMisses`
 * keepalive intervals without a keepalive or other message (§9.6; 3 by default, docs/video.md).
 * MESSAGEs are taken only from registered devices at the address they registered from.
 */
import { randomBytes } from 'node:crypto';
import { CatalogCollector, type Catalog } from './catalog.js';
import { DigestAuth } from './digest.js';
import type { SipLimits } from './limits.js';
import { buildQuery, decodeBody, parseManscdp, quickKeepalive, type Manscdp } from './manscdp.js';
import { header, userOf, type SipRequest, type SipResponse } from './message.js';
import { GB_ID, handleRegister, type RegistrarContext } from './registrar.js';
import { responseTo } from './response.js';
import { SipTransport, type Peer } from './transport.js';

export interface ServerOptions extends Partial<SipLimits> {
  host: string;
  udpPort: number;
  tcpPort: number;
  advertise: string;
  serverId: string;
  domain: string;
  password: string;
  keepaliveIntervalS: number;
  keepaliveMisses: number;
  nonceTtlS: number;
  minExpiresS?: number;
  maxExpiresS?: number;
  /** How long the pages of one Catalog answer are waited for, ms. */
  catalogWaitMs?: number;
}

export interface ServerEvents {
  /** The password of a configured device (its own or the box's); undefined: not configured. */
  passwordOf(deviceId: string): string | undefined;
  online(deviceId: string, from: Peer): void;
  offline(deviceId: string, reason: string): void;
  keepalive(deviceId: string, status: string): void;
  catalog(c: Catalog): void;
  /** DeviceInfo / DeviceStatus answers and any other MANSCDP message of a registered device. */
  manscdp(deviceId: string, m: Manscdp): void;
  unknown(deviceId: string, from: Peer): void;
  refused(from: Peer, reason: string, deviceId?: string): void;
  /** A BYE of a device (ends a media session, ./invite.ts); the answer to send. Absent: 481. */
  bye?(req: SipRequest, from: Peer): SipResponse;
  /** MESSAGE Notify MediaStatus (§9.7.4: NotifyType 121 = end of the played-back file). */
  mediaStatus?(deviceId: string, notifyType: string): void;
  /** A final response no request waits for (a 2xx to INVITE sent again). */
  stray?(res: SipResponse, from: Peer): void;
}

interface Registration {
  peer: Peer;
  expiresAt: number;
  heardAt: number;
}

export class Gb28181Server {
  readonly #o: ServerOptions;
  readonly #ev: ServerEvents;
  readonly #transport: SipTransport;
  readonly #registrar: RegistrarContext;
  readonly #regs = new Map<string, Registration>();
  readonly #catalogs: CatalogCollector;
  #sn = 1;
  #cseq = 1;
  #sweeper: NodeJS.Timeout | undefined;

  constructor(options: ServerOptions, events: ServerEvents) {
    this.#o = options;
    this.#ev = events;
    this.#transport = new SipTransport((req, from) => this.#handle(req, from), {
      ...options,
      refused: (from, reason) => events.refused(from, reason),
      stray: (res, from) => events.stray?.(res, from),
    });
    this.#catalogs = new CatalogCollector(options.catalogWaitMs ?? 30_000, (c) => events.catalog(c));
    this.#registrar = {
      auth: new DigestAuth(options.domain, options.nonceTtlS * 1000),
      passwordOf: (id) => events.passwordOf(id),
      boxPassword: options.password,
      minExpiresS: options.minExpiresS ?? 30,
      maxExpiresS: options.maxExpiresS ?? 86_400,
      registered: (id, from, expiresS) => this.#registered(id, from, expiresS),
      unregistered: (id) => this.#drop(id, 'unregistered (Expires 0)'),
      unknown: (id, from) => events.unknown(id, from),
      refused: (id, from, why) => events.refused(from, why, id),
      now: Date.now,
    };
  }

  async listen() {
    const addr = await this.#transport.listen();
    this.#sweeper = setInterval(() => this.#sweep(), 1000);
    this.#sweeper.unref();
    return addr;
  }

  async close(): Promise<void> {
    if (this.#sweeper) clearInterval(this.#sweeper);
    this.#catalogs.close();
    await this.#transport.close();
  }

  isOnline(deviceId: string): boolean {
    return this.#regs.has(deviceId);
  }

  /** The SIP transport and the address a registered device is reached at (media sessions, ./invite.ts). */
  get transport(): SipTransport {
    return this.#transport;
  }

  peerOf(deviceId: string): Peer | undefined {
    return this.#regs.get(deviceId)?.peer;
  }

  /** Forget a device's registration (it was removed from the config). */
  forget(deviceId: string): void {
    this.#regs.delete(deviceId);
  }

  /** Send a MANSCDP Query; resolves with the device's SIP answer to the MESSAGE (the data follows in its own MESSAGEs). */
  async query(deviceId: string, cmd: 'Catalog' | 'DeviceInfo' | 'DeviceStatus'): Promise<{ sn: number; status: number }> {
    const sn = this.nextSn();
    return { sn, status: await this.send(deviceId, buildQuery(cmd, sn, deviceId)) };
  }

  /** A fresh SN for a body the caller builds (control, RecordInfo, alarm answers). */
  nextSn(): number {
    return this.#sn++;
  }

  /**
   * Send a MANSCDP body in a MESSAGE to a registered device; `to` names one of its channels in
   * the request URI and To (an NVR's channel). Resolves with the SIP status of the answer.
   */
  async send(deviceId: string, body: Buffer, to = deviceId): Promise<number> {
    const reg = this.#regs.get(deviceId);
    if (!reg) throw new Error(`${deviceId} is not registered`);
    const { value, branch } = this.#transport.via(reg.peer);
    const o = this.#o;
    const headers = new Map<string, string[]>([
      ['via', [value]],
      ['from', [`<sip:${o.serverId}@${o.domain}>;tag=${randomBytes(5).toString('hex')}`]],
      ['to', [`<sip:${to}@${o.domain}>`]],
      ['call-id', [`${randomBytes(10).toString('hex')}@${o.advertise}`]],
      ['cseq', [`${this.#cseq++} MESSAGE`]],
      ['max-forwards', ['70']],
      ['content-type', ['Application/MANSCDP+xml']],
    ]);
    const req: SipRequest = { kind: 'request', method: 'MESSAGE', uri: `sip:${to}@${reg.peer.address}:${reg.peer.port}`, headers, body };
    return (await this.#transport.request(reg.peer, req, branch)).status;
  }

  async #handle(req: SipRequest, from: Peer): Promise<SipResponse> {
    switch (req.method) {
      case 'REGISTER':
        return handleRegister(this.#registrar, req, from);
      case 'MESSAGE':
        return this.#message(req, from);
      case 'OPTIONS':
        return responseTo(req, 200, [['Allow', 'REGISTER, MESSAGE, OPTIONS']]);
      case 'BYE':
        return this.#ev.bye?.(req, from) ?? responseTo(req, 481);
      default:
        return responseTo(req, 405, [['Allow', 'REGISTER, MESSAGE, OPTIONS']]);
    }
  }

  #message(req: SipRequest, from: Peer): SipResponse {
    const id = userOf(header(req, 'from'));
    if (!id || !GB_ID.test(id)) return responseTo(req, 400);
    const reg = this.#regs.get(id);
    if (!reg || reg.peer.address !== from.address) {
      this.#ev.refused(from, reg ? 'MESSAGE from another address than the registration' : 'MESSAGE from an unregistered device', id);
      return responseTo(req, 403);
    }
    const quick = quickKeepalive(req.body);
    const parsed = quick ? { ok: true as const, value: quick } : parseManscdp(decodeBody(req.body, header(req, 'content-type')));
    if (!parsed.ok) {
      this.#ev.refused(from, parsed.reason, id);
      return responseTo(req, 400);
    }
    reg.heardAt = Date.now();
    const m = parsed.value;
    if ('other' in m && m.cmd === 'MediaStatus')
      this.#ev.mediaStatus?.(id, /<NotifyType>\s*(\d{1,4})\s*<\/NotifyType>/i.exec(req.body.toString('latin1'))?.[1] ?? '');
    if ('other' in m) this.#ev.manscdp(id, m);
    else if (m.cmd === 'Keepalive') this.#ev.keepalive(id, m.status);
    else if (m.cmd === 'Catalog') this.#catalogs.page(id, m.sn, m.sumNum, m.items);
    else this.#ev.manscdp(id, m);
    return responseTo(req, 200);
  }

  #registered(id: string, from: Peer, expiresS: number): void {
    const now = Date.now();
    const was = this.#regs.get(id);
    this.#regs.set(id, { peer: from, expiresAt: now + expiresS * 1000, heardAt: now });
    if (!was) this.#ev.online(id, from);
  }

  #drop(id: string, reason: string): void {
    if (this.#regs.delete(id)) this.#ev.offline(id, reason);
  }

  #sweep(): void {
    const now = Date.now();
    const silentMs = this.#o.keepaliveIntervalS * this.#o.keepaliveMisses * 1000;
    for (const [id, r] of this.#regs) {
      if (now > r.expiresAt) this.#drop(id, 'registration expired');
      else if (now - r.heardAt > silentMs) this.#drop(id, `no keepalive for ${this.#o.keepaliveMisses} intervals`);
    }
  }
}
