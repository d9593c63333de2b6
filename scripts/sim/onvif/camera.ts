/**
 * The simulated ONVIF camera: one HTTP server for the SOAP services and the snapshot, one UDP
 * socket answering WS-Discovery probes, and (./rtsp.ts) an RTSP test stream. Authentication as
 * a camera does it: WS-UsernameToken PasswordDigest on every SOAP call except
 * GetSystemDateAndTime (ONVIF Core, access class PRE_AUTH; wrong or missing → HTTP 400 `ter:NotAuthorized`), or
 * HTTP Digest when `auth: 'digest'` (401 challenge); the snapshot always asks for HTTP Digest.
 * Tests steer it: `motion()`, `tamper()`, `down` (connections reset), `hang` (never answers).
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import sharp from 'sharp';
import { WSD_MULTICAST } from '../../../protocols/onvif/discovery.js';
import { verifyUsernameToken } from '../../../protocols/onvif/wsse.js';
import { probeAnswer } from './discovery.js';
import { DigestGuard } from './http-auth.js';
import { PullPoints } from './pullpoints.js';
import { RtspServer } from './rtsp.js';
import { deviceAndMedia, ptz, type Answer, type CameraState, type SimEvent } from './services.js';
import { fault, parseRequest } from './soap.js';

export interface SimOptions {
  host?: string;
  /** HTTP (SOAP) port; 0: any free one. */
  port?: number;
  /** WS-Discovery UDP port; 0: any free one; null: no responder. */
  discoveryPort?: number | null;
  /**
   * Also answer probes sent to 239.255.255.250 (the group joined on `host`'s interface; the socket
   * then binds all addresses). Only in a network namespace of its own (tests) or on a lab LAN.
   */
  multicast?: boolean;
  /** RTSP port; 0: any free one; null: no RTSP server. */
  rtspPort?: number | null;
  /** The RTSP stream asks for the camera's account too (Basic). */
  rtspAuth?: boolean;
  username?: string;
  password?: string;
  auth?: 'wsse' | 'digest';
  /** Longest a PullMessages is held waiting for an event, ms (the request's Timeout, if shorter). */
  pullHoldMs?: number;
  maxBodyBytes?: number;
  serial?: string;
}

export interface RequestRecord {
  action: string;
  authenticated: boolean;
}

export class OnvifCameraSim {
  readonly o: Required<Omit<SimOptions, 'discoveryPort' | 'rtspPort'>> & { discoveryPort: number | null; rtspPort: number | null };
  readonly state: CameraState;
  readonly requests: RequestRecord[] = [];
  readonly urn = `urn:uuid:${randomBytes(16)
    .toString('hex')
    .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5')}`;
  /** Reset every connection (the camera is gone from the network). */
  down = false;
  /** Accept connections and never answer. */
  hang = false;
  jpeg: Buffer = Buffer.alloc(0);
  #http: Server | undefined;
  #udp: UdpSocket | undefined;
  rtsp: RtspServer | undefined;
  readonly #sockets = new Set<Socket>();
  readonly #pulls = new PullPoints();
  readonly #digest: DigestGuard;
  httpPort = 0;
  discoveryPort = 0;

  constructor(o: SimOptions = {}) {
    this.o = {
      host: o.host ?? '127.0.0.1',
      port: o.port ?? 0,
      discoveryPort: o.discoveryPort === undefined ? 0 : o.discoveryPort,
      rtspPort: o.rtspPort === undefined ? 0 : o.rtspPort,
      multicast: o.multicast ?? false,
      rtspAuth: o.rtspAuth ?? false,
      username: o.username ?? 'admin',
      password: o.password ?? 'admin123',
      auth: o.auth ?? 'wsse',
      pullHoldMs: o.pullHoldMs ?? 1000,
      maxBodyBytes: o.maxBodyBytes ?? 256 * 1024,
      serial: o.serial ?? 'SIM-0001',
    };
    this.#digest = new DigestGuard(this.o.username, this.o.password);
    this.state = {
      base: '',
      rtspUrl: '',
      info: { manufacturer: 'Uniview', model: 'IPC-SIM-2K', firmware: 'SIM-1.0.0', serial: this.o.serial, hardwareId: 'SIM-HW-1' },
      profiles: [
        { token: 'Profile_1', name: 'mainStream', width: 320, height: 240 },
        { token: 'Profile_2', name: 'subStream', width: 160, height: 120 },
      ],
      position: { pan: 0, tilt: 0, zoom: 0 },
      presets: new Map(),
      moves: [],
      nextPreset: 1,
    };
  }

  async start(): Promise<{ http: number; discovery: number | null; rtsp: number | null }> {
    this.jpeg = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 30, g: 120, b: 200 } } })
      .jpeg({ quality: 70 })
      .toBuffer();
    const http = createServer((req, res) => this.#handle(req, res));
    http.on('connection', (s: Socket) => {
      if (this.down) return void s.destroy();
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    http.headersTimeout = 10_000;
    http.requestTimeout = 0;
    await new Promise<void>((r) => http.listen(this.o.port, this.o.host, r));
    this.#http = http;
    this.httpPort = (http.address() as AddressInfo).port;
    this.state.base = `http://${this.o.host}:${this.httpPort}`;
    if (this.o.rtspPort !== null) {
      this.rtsp = new RtspServer({
        host: this.o.host,
        port: this.o.rtspPort,
        credentials: this.o.rtspAuth ? { username: this.o.username, password: this.o.password } : undefined,
      });
      const p = await this.rtsp.start();
      this.state.rtspUrl = `rtsp://${this.o.host}:${p}/live`;
    } else this.state.rtspUrl = `rtsp://${this.o.host}:554/live`;
    if (this.o.discoveryPort !== null) {
      const udp = createSocket({ type: 'udp4', reuseAddr: true });
      udp.on('message', (buf, rinfo) => {
        if (this.down || this.hang || buf.length > 65_507) return;
        const answer = probeAnswer(buf.toString('utf8'), {
          urn: this.urn,
          xaddr: `${this.state.base}/onvif/device_service`,
          model: this.state.info.model,
        });
        if (answer) udp.send(answer, rinfo.port, rinfo.address);
      });
      udp.on('error', () => undefined);
      await new Promise<void>((r) => udp.bind(this.o.discoveryPort!, this.o.multicast ? '0.0.0.0' : this.o.host, r));
      if (this.o.multicast) udp.addMembership(WSD_MULTICAST, this.o.host);
      this.#udp = udp;
      this.discoveryPort = udp.address().port;
    }
    return { http: this.httpPort, discovery: this.#udp ? this.discoveryPort : null, rtsp: this.rtsp?.port ?? null };
  }

  /** Disappear: every open connection is reset and new ones are refused until `up()`. */
  goDown(): void {
    this.down = true;
    for (const s of this.#sockets) s.destroy();
  }

  up(): void {
    this.down = false;
    this.hang = false;
  }

  /** Queue an event for every subscription (and wake held pulls). */
  emit(
    topic: string,
    data: Record<string, string>,
    source: Record<string, string> = { VideoSourceConfigurationToken: 'VideoSourceConfig_1' },
  ): void {
    const e: SimEvent = { topic, data, source, time: new Date(), operation: 'Changed' };
    this.#pulls.emit(e);
  }

  motion(active = true): void {
    this.emit(
      'tns1:RuleEngine/CellMotionDetector/Motion',
      { IsMotion: String(active) },
      {
        VideoSourceConfigurationToken: 'VideoSourceConfig_1',
        VideoAnalyticsConfigurationToken: 'VideoAnalyticsConfig_1',
        Rule: 'MyMotionDetectorRule',
      },
    );
  }

  tamper(active = true): void {
    this.emit('tns1:RuleEngine/TamperDetector/Tamper', { IsTamper: String(active) });
  }

  get subscriptions(): number {
    return this.#pulls.size;
  }

  async close(): Promise<void> {
    this.#pulls.wakeAll();
    for (const s of this.#sockets) s.destroy();
    await Promise.all([
      this.#http ? new Promise<void>((r) => this.#http!.close(() => r())) : undefined,
      this.#udp ? new Promise<void>((r) => this.#udp!.close(() => r())) : undefined,
      this.rtsp?.close(),
    ]);
  }

  #send(res: ServerResponse, a: Answer, headers: Record<string, string> = {}): void {
    if (res.destroyed) return;
    res.writeHead(a.status, { 'content-type': 'application/soap+xml; charset=utf-8', ...headers });
    res.end(a.xml);
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    if (this.hang) return; // held open, never answered
    const url = req.url ?? '/';
    if (req.method === 'GET' && url.startsWith('/onvif/snapshot/')) {
      if (!this.#digest.ok(req)) return this.#digest.challenge(res);
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': this.jpeg.length });
      return void res.end(this.jpeg);
    }
    if (req.method !== 'POST') {
      res.writeHead(405);
      return void res.end();
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > this.o.maxBodyBytes && !refused) {
        refused = true;
        this.#send(
          res,
          { status: 413, xml: fault('Sender', 'ter:InvalidArgVal', `body larger than ${this.o.maxBodyBytes} bytes`) },
          { connection: 'close' },
        );
        req.resume();
      } else if (!refused) chunks.push(c);
    });
    req.on('end', () => {
      if (!refused) void this.#soap(req, res, url, Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', () => undefined);
  }

  async #soap(req: IncomingMessage, res: ServerResponse, url: string, xml: string): Promise<void> {
    const r = parseRequest(xml);
    if (!r) return this.#send(res, { status: 400, xml: fault('Sender', 'ter:WellFormed', 'the request is not a SOAP envelope') });
    const digest = this.#digest.ok(req);
    const wsse = r.token !== undefined && r.token.username === this.o.username && verifyUsernameToken(r.token, this.o.password);
    const authenticated = this.o.auth === 'digest' ? digest : digest || wsse;
    this.requests.push({ action: r.action, authenticated });
    if (this.requests.length > 10_000) this.requests.splice(0, 5000);
    if (r.action !== 'GetSystemDateAndTime' && !authenticated) {
      if (this.o.auth === 'digest') return this.#digest.challenge(res);
      return this.#send(res, { status: 400, xml: fault('Sender', 'ter:NotAuthorized', 'Sender not Authorized', undefined) });
    }
    const now = new Date();
    const a =
      deviceAndMedia(this.state, r.action, r.body, now) ??
      ptz(this.state, r.action, r.body) ??
      (await this.#pulls.answer(r.action, r.body, url, now, this.state.base, this.o.pullHoldMs));
    this.#send(res, a ?? { status: 400, xml: fault('Sender', 'ter:ActionNotSupported', `${r.action.slice(0, 64)} is not supported`) });
  }
}
