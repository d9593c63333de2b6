/**
 * The camera's side of a GB/T 28181 media session, for the simulator and the tests: read the
 * box's INVITE offer, answer with the device's SDP (PS on payload 96, the offer's `y=` SSRC), and
 * once ACKed send a test pattern as MPEG-PS over RTP — ffmpeg encodes `testsrc` to H.264 in a
 * program stream (`-f mpeg`, the PS of Annex C) on its stdout, and each chunk it writes is cut
 * into RTP packets of at most 1,400 bytes (payload 96, 90 kHz timestamps from the wall clock,
 * marker on a chunk's last packet) sent over UDP or over TCP with RFC 4571 framing (the box
 * listens: `setup:passive` in its offer). `stop()` on BYE.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { parseOffer, type OfferSeen } from '../../../protocols/gb28181/sdp.js';
import { buildRtp, frame4571, ssrcNumber } from '../../../protocols/media/rtp.js';

export const MAX_RTP_PAYLOAD = 1400;

export interface CameraMediaOptions {
  deviceId: string;
  /** The camera's own address in its SDP. */
  address?: string;
  width?: number;
  height?: number;
  fps?: number;
  /** Stop by itself after this long (a played-back file's length), s. */
  durationS?: number;
  /** Answer with another SSRC than the offer's (a misbehaving camera). */
  ssrcOverride?: string;
}

export function answerSdp(offer: OfferSeen, o: CameraMediaOptions, port = offer.tcp ? 9 : 15060): Buffer {
  const addr = o.address ?? '127.0.0.1';
  const lines = [
    'v=0',
    `o=${o.deviceId} 0 0 IN IP4 ${addr}`,
    `s=${offer.playback ? 'Playback' : 'Play'}`,
    `c=IN IP4 ${addr}`,
    't=0 0',
    `m=video ${port} ${offer.tcp ? 'TCP/RTP/AVP' : 'RTP/AVP'} 96`,
    'a=sendonly',
    'a=rtpmap:96 PS/90000',
    ...(offer.tcp ? [`a=setup:${offer.setup === 'passive' ? 'active' : 'passive'}`] : []),
    `y=${o.ssrcOverride ?? offer.ssrc}`,
    'f=',
  ];
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'latin1');
}

export class CameraMedia {
  readonly offer: OfferSeen;
  readonly #o: CameraMediaOptions;
  #ffmpeg: ChildProcess | undefined;
  #udp: UdpSocket | undefined;
  #tcp: Socket | undefined;
  #listener: Server | undefined;
  #listenPort: number | undefined;
  #seq = Math.floor(Math.random() * 0xffff);
  #t0 = 0;
  packets = 0;
  bytes = 0;
  /** Ended by stop(), by its duration or by a dead connection. */
  ended: Promise<void>;
  #end!: () => void;

  private constructor(offer: OfferSeen, o: CameraMediaOptions) {
    this.offer = offer;
    this.#o = o;
    this.ended = new Promise((r) => (this.#end = r));
  }

  /** The session for an INVITE body, or undefined when the offer is unreadable. */
  static fromInvite(body: Buffer, o: CameraMediaOptions): CameraMedia | undefined {
    const offer = parseOffer(body.toString('latin1'));
    return offer ? new CameraMedia(offer, o) : undefined;
  }

  answer(): Buffer {
    return answerSdp(this.offer, this.#o, this.#listenPort);
  }

  /** An offer with `setup:active` (the box connects): listen first, then answer() names the port. */
  async listenForBox(): Promise<number> {
    const server = createServer();
    this.#listener = server;
    await new Promise<void>((r) => server.listen(0, this.#o.address ?? '127.0.0.1', () => r()));
    this.#listenPort = (server.address() as AddressInfo).port;
    return this.#listenPort;
  }

  /** Frames the stream carries when it runs its full duration. */
  get framesPlanned(): number {
    return Math.round((this.#o.durationS ?? 0) * (this.#o.fps ?? 25));
  }

  async start(): Promise<void> {
    const o = this.#o;
    if (this.#listener) {
      const listener = this.#listener;
      const s = await new Promise<Socket>((r) => listener.once('connection', r));
      s.setNoDelay(true);
      s.on('error', () => this.stop());
      s.on('close', () => this.stop());
      this.#tcp = s;
    } else if (this.offer.tcp) {
      const s = connect({ host: this.offer.address, port: this.offer.port });
      s.setNoDelay(true);
      s.on('error', () => this.stop());
      s.on('close', () => this.stop());
      await new Promise<void>((resolve, reject) => {
        s.once('connect', resolve);
        s.once('error', reject);
      });
      this.#tcp = s;
    } else {
      this.#udp = createSocket('udp4');
      this.#udp.on('error', () => undefined);
    }
    const size = `${o.width ?? 320}x${o.height ?? 240}`;
    const fps = o.fps ?? 25;
    const args = ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=${fps}`];
    if (o.durationS) args.push('-t', String(o.durationS));
    args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', String(fps), '-bf', '0', '-f', 'mpeg', 'pipe:1');
    const ff = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'ignore'] });
    this.#ffmpeg = ff;
    this.#t0 = Date.now();
    ff.stdout?.on('data', (chunk: Buffer) => this.#send(chunk));
    ff.on('close', () => this.stop());
    ff.on('error', () => this.stop());
  }

  #send(chunk: Buffer): void {
    const ts = Math.round((Date.now() - this.#t0) * 90);
    const ssrc = ssrcNumber(this.#o.ssrcOverride ?? this.offer.ssrc);
    for (let at = 0; at < chunk.length; at += MAX_RTP_PAYLOAD) {
      const part = chunk.subarray(at, at + MAX_RTP_PAYLOAD);
      const marker = at + MAX_RTP_PAYLOAD >= chunk.length;
      const pkt = buildRtp({ payloadType: 96, marker, seq: this.#seq, timestamp: ts, ssrc }, part);
      this.#seq = (this.#seq + 1) & 0xffff;
      this.packets++;
      this.bytes += part.length;
      if (this.#udp) this.#udp.send(pkt, this.offer.port, this.offer.address);
      else if (this.#tcp?.writable) this.#tcp.write(frame4571(pkt));
    }
  }

  /** Send raw bytes to the box's media port (hostile tests: garbage, other SSRCs). */
  raw(b: Buffer): void {
    if (this.#udp) this.#udp.send(b, this.offer.port, this.offer.address);
    else if (this.#tcp?.writable) this.#tcp.write(b);
  }

  stop(): void {
    if (this.#ffmpeg && this.#ffmpeg.exitCode === null && this.#ffmpeg.signalCode === null) this.#ffmpeg.kill('SIGKILL');
    this.#ffmpeg = undefined;
    this.#tcp?.destroy();
    this.#tcp = undefined;
    this.#listener?.close();
    this.#listener = undefined;
    const u = this.#udp;
    this.#udp = undefined;
    u?.close();
    this.#end();
  }

  /** The encoder's process id (the benchmark's baseline CPU). */
  get pid(): number | undefined {
    return this.#ffmpeg?.pid;
  }

  get running(): boolean {
    return this.#ffmpeg !== undefined;
  }
}
