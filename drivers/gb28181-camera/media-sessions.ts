/**
 * Media sessions of the camera driver: one INVITE dialog (protocols/gb28181/invite.ts), one RTP
 * receiver (protocols/media/rtp-receiver.ts) and one ffmpeg relay (protocols/media/relay.ts) per
 * session, under the relay cap (protocols/media/relay-pool.ts). Order: slot, SSRC, receiver port,
 * relay, INVITE; any failure undoes what was taken. A session ends once, for the first of: its
 * owner's stop, the relay's idle or lifetime limit or ffmpeg's exit, the device's BYE, a
 * MediaStatus 121 (end of the played-back file), the TCP stream closing; then the dialog gets a
 * BYE (unless the device ended it), the receiver closes, the SSRC and the slot are freed, and
 * `ended` is told the reason.
 */
import type { Gb28181Server, SipRequest, SipResponse } from '../../protocols/gb28181/index.js';
import { type Dialog, InviteClient } from '../../protocols/gb28181/invite.js';
import { buildMansrtsp, MANSRTSP_CONTENT_TYPE, type PlaybackControl } from '../../protocols/gb28181/mansrtsp.js';
import { buildOffer, type MediaTransport } from '../../protocols/gb28181/sdp.js';
import { SsrcPool } from '../../protocols/gb28181/ssrc.js';
import { ssrcNumber } from '../../protocols/media/rtp.js';
import { FfmpegRelay, type EndReason, type RelayEnd, type RelayOutput } from '../../protocols/media/relay.js';
import { RelayPool } from '../../protocols/media/relay-pool.js';
import { RtpReceiver, type ReceiverStats } from '../../protocols/media/rtp-receiver.js';

export type SessionKind = 'live' | 'playback' | 'snapshot';
export type SessionEndReason = EndReason | 'bye' | 'media-status-121';

export interface SessionSpec {
  /** Unique per session: `<deviceName>:<kind>`. */
  id: string;
  kind: SessionKind;
  /** The channel (URI user of the INVITE) and the registered device the INVITE goes to. */
  channelId: string;
  deviceId: string;
  output: RelayOutput;
  playback?: { start: number; end: number };
  /** Longest run for this session, s (else the configured lifetime). */
  lifetimeS?: number;
}

export interface Session {
  spec: SessionSpec;
  ssrc: string;
  dialog?: Dialog;
  receiver: RtpReceiver;
  relay: FfmpegRelay;
  ended: Promise<SessionEnd>;
  /** CSeq of the session's last MANSRTSP request. */
  mansrtspCseq?: number;
}

export interface SessionEnd extends Omit<RelayEnd, 'reason'> {
  reason: SessionEndReason;
  stats: ReceiverStats;
}

export type StartResult = { ok: true; session: Session } | { ok: false; why: 'busy' | 'offline' | 'refused' | 'no-ssrc'; message: string };

export interface MediaConfig {
  serverId: string;
  domain: string;
  advertise: string;
  mediaIp: string;
  transport: MediaTransport;
  maxRelays: number;
  idleTimeoutS: number;
  maxLifetimeS: number;
  inviteTimeoutS: number;
}

export class MediaSessions {
  readonly pool: RelayPool;
  readonly #server: Gb28181Server;
  readonly #cfg: MediaConfig;
  readonly #invites: InviteClient;
  readonly #ssrcs: SsrcPool;
  readonly #sessions = new Map<string, Session & { end: (r: SessionEndReason) => void }>();
  readonly #onEnd: (s: Session, e: SessionEnd) => void;
  /** INVITEs not answered yet, which their owner may abandon (CANCEL, ./invite.ts). */
  readonly #starting = new Map<string, AbortController>();
  /** BYEs under way, which the daemon's stop lets go out before the socket closes. */
  readonly #byes = new Set<Promise<unknown>>();

  constructor(server: Gb28181Server, cfg: MediaConfig, onEnd: (s: Session, e: SessionEnd) => void) {
    this.#server = server;
    this.#cfg = cfg;
    this.#onEnd = onEnd;
    this.pool = new RelayPool(cfg.maxRelays);
    this.#ssrcs = new SsrcPool(cfg.domain);
    this.#invites = new InviteClient(server.transport, {
      serverId: cfg.serverId,
      domain: cfg.domain,
      advertise: cfg.advertise,
      proceedingMs: cfg.inviteTimeoutS * 1000,
    });
  }

  get(id: string): Session | undefined {
    return this.#sessions.get(id);
  }

  get size(): number {
    return this.#sessions.size;
  }

  async start(spec: SessionSpec): Promise<StartResult> {
    const peer = this.#server.peerOf(spec.deviceId);
    if (!peer) return { ok: false, why: 'offline', message: `${spec.deviceId} is not registered` };
    if (!this.pool.take(spec.id))
      return { ok: false, why: 'busy', message: `all ${this.pool.max} relays are in use (media.maxRelays); stop one first` };
    const ssrc = this.#ssrcs.allocate(spec.kind === 'playback' ? 'history' : 'live');
    if (!ssrc) {
      this.pool.release(spec.id);
      return { ok: false, why: 'no-ssrc', message: 'no free SSRC' };
    }
    const free = () => {
      this.#ssrcs.free(ssrc);
      this.pool.release(spec.id);
    };
    let end: (r: SessionEndReason) => void = () => undefined;
    const receiver = new RtpReceiver({
      transport: this.#cfg.transport,
      host: this.#cfg.mediaIp,
      ssrc: ssrcNumber(ssrc),
      onPayload: (p) => relay?.write(p),
      onClosed: () => end('source-ended'),
    });
    let relay: FfmpegRelay | undefined;
    let port = 9;
    try {
      if (this.#cfg.transport !== 'tcp-active') port = await receiver.listen();
    } catch (err) {
      free();
      return { ok: false, why: 'refused', message: `no media port: ${(err as Error).message}` };
    }
    relay = new FfmpegRelay({
      output: spec.output,
      lifetimeS: spec.lifetimeS ?? this.#cfg.maxLifetimeS,
      idleS: this.#cfg.idleTimeoutS,
    });
    const sdp = buildOffer({
      serverId: this.#cfg.serverId,
      address: this.#cfg.advertise,
      port,
      ssrc,
      transport: this.#cfg.transport,
      ...(spec.playback ? { playback: { channelId: spec.channelId, ...spec.playback } } : {}),
    });
    const abandon = new AbortController();
    this.#starting.set(spec.id, abandon);
    const r = await this.#invites.invite(peer, spec.channelId, ssrc, sdp, { signal: abandon.signal });
    if (this.#starting.get(spec.id) === abandon) this.#starting.delete(spec.id);
    const refuse = (message: string): StartResult => {
      receiver.close();
      relay.kill();
      free();
      return { ok: false, why: 'refused', message };
    };
    if (!r.ok) return refuse(`the device answered the INVITE: ${r.reason}`);
    const d = r.dialog;
    if (!d.answer.payloads.some((p) => p.payload === 96 || /^PS$/i.test(p.codec))) {
      void this.#invites.bye(d);
      return refuse('the device offers no PS stream (payload 96)');
    }
    // The device's y= wins over ours: several cameras send their own SSRC and ignore the offer's.
    if (d.answer.ssrc && d.answer.ssrc !== ssrc) receiver.expect(ssrcNumber(d.answer.ssrc));
    if (this.#cfg.transport === 'tcp-active') {
      try {
        await receiver.connect(d.answer.address, d.answer.port);
      } catch (err) {
        void this.#invites.bye(d);
        return refuse(`cannot connect to the device's media port: ${(err as Error).message}`);
      }
    }
    let why: SessionEndReason | undefined;
    let byDevice = false;
    end = (reason) => {
      if (why) return;
      why = reason;
      byDevice = reason === 'bye';
      void relay.stop(reason === 'bye' || reason === 'media-status-121' ? 'source-ended' : (reason as EndReason));
    };
    const ended = relay.ended.then((e): SessionEnd => {
      why ??= e.reason;
      this.#sessions.delete(spec.id);
      receiver.close();
      // Not awaited: a device that never answers the BYE must not hold the slot for Timer F.
      if (!byDevice) {
        const bye: Promise<unknown> = this.#invites.bye(d).finally(() => this.#byes.delete(bye));
        this.#byes.add(bye);
      }
      free();
      const out: SessionEnd = { ...e, reason: why, stats: { ...receiver.stats } };
      this.#onEnd(session, out);
      return out;
    });
    const session = { spec, ssrc, dialog: d, receiver, relay, ended, end };
    this.#sessions.set(spec.id, session);
    return { ok: true, session };
  }

  /** Abandon a session whose INVITE is not answered yet (CANCEL); whether there was one. */
  cancel(id: string): boolean {
    const a = this.#starting.get(id);
    this.#starting.delete(id);
    a?.abort();
    return a !== undefined;
  }

  /** End a session by its owner. */
  async stop(id: string): Promise<SessionEnd | undefined> {
    const s = this.#sessions.get(id);
    if (!s) return undefined;
    s.end('stopped');
    return s.ended;
  }

  /** Playback control (INFO with MANSRTSP, §9.8) of a running playback; the device's SIP status. */
  async control(id: string, c: PlaybackControl): Promise<number | undefined> {
    const s = this.#sessions.get(id);
    if (!s?.dialog || s.spec.kind !== 'playback') return undefined;
    s.mansrtspCseq = (s.mansrtspCseq ?? 0) + 1;
    const status = await this.#invites.info(s.dialog, MANSRTSP_CONTENT_TYPE, buildMansrtsp(c, s.mansrtspCseq));
    if (status === 200) s.relay.paused = c.kind === 'pause';
    return status;
  }

  /** The server's BYE callback. */
  bye(req: SipRequest): SipResponse {
    const { dialog, response } = this.#invites.byeFromDevice(req);
    if (dialog) for (const s of this.#sessions.values()) if (s.dialog === dialog) s.end('bye');
    return response;
  }

  /** MediaStatus from a device: 121 ends its playback sessions (§9.7.4). */
  mediaStatus(deviceId: string, notifyType: string): void {
    if (notifyType !== '121') return;
    for (const s of this.#sessions.values())
      if (s.spec.kind === 'playback' && (s.spec.deviceId === deviceId || s.spec.channelId === deviceId)) s.end('media-status-121');
  }

  stray(res: SipResponse): void {
    this.#invites.stray(res);
  }

  /** Daemon stop: BYE every dialog, kill every ffmpeg. */
  async closeAll(): Promise<void> {
    for (const id of [...this.#starting.keys()]) this.cancel(id);
    const all = [...this.#sessions.values()];
    for (const s of all) {
      s.end('stopped');
      s.relay.kill();
    }
    await Promise.all(all.map((s) => s.ended));
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise((r) => (timer = setTimeout(r, 1000)));
    await Promise.race([Promise.all(this.#byes), bound]);
    clearTimeout(timer);
  }
}
