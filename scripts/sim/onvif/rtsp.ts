/**
 * A minimal RTSP server (RFC 2326) for the simulator's test stream: OPTIONS, DESCRIBE, SETUP,
 * PLAY, GET_PARAMETER, TEARDOWN, with RTP interleaved over the RTSP connection (§10.12; UDP is
 * answered 461 so clients fall back to TCP). The stream is an ffmpeg child encoding a 320×240
 * test pattern to RTP H.264 on a loopback UDP port; it runs while at least one client plays and
 * its SDP (with the SPS/PPS) is what DESCRIBE answers. Given credentials, every request but
 * OPTIONS needs them (Basic, RFC 2617 §2), as cameras ask for their account on the stream too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAX_HEAD = 8192;
const MAX_BUFFERED = 1 << 20;

interface Client {
  socket: Socket;
  playing: boolean;
  channel: number;
}

export class RtspServer {
  #server: Server | undefined;
  #udp: UdpSocket | undefined;
  #ffmpeg: ChildProcess | undefined;
  #sdp: string | undefined;
  #sdpWait: Promise<string> | undefined;
  readonly #clients = new Set<Client>();
  readonly #dir = mkdtempSync(join(tmpdir(), 'pe-onvif-rtsp-'));
  port = 0;
  /** RTP packets relayed to clients (for tests). */
  packets = 0;

  /** Requests refused for missing or wrong credentials (for tests). */
  refused = 0;

  constructor(readonly o: { host: string; port: number; credentials?: { username: string; password: string } | undefined }) {}

  #authorized(header: string | undefined): boolean {
    const cred = this.o.credentials;
    if (!cred) return true;
    const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
    return m !== null && Buffer.from(m[1] ?? '', 'base64').toString('utf8') === `${cred.username}:${cred.password}`;
  }

  async start(): Promise<number> {
    const server = createServer((s) => this.#connection(s));
    await new Promise<void>((r) => server.listen(this.o.port, this.o.host, r));
    this.#server = server;
    this.port = (server.address() as AddressInfo).port;
    return this.port;
  }

  get playing(): number {
    return [...this.#clients].filter((c) => c.playing).length;
  }

  async close(): Promise<void> {
    for (const c of this.#clients) c.socket.destroy();
    this.#stopStream();
    await new Promise<void>((r) => (this.#server ? this.#server.close(() => r()) : r()));
    rmSync(this.#dir, { recursive: true, force: true });
  }

  /** Start ffmpeg (once) and resolve with the SDP it wrote. */
  #stream(): Promise<string> {
    if (this.#sdpWait) return this.#sdpWait;
    this.#sdpWait = (async () => {
      const udp = createSocket('udp4');
      udp.on('message', (pkt) => this.#relay(pkt));
      udp.on('error', () => undefined);
      await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
      this.#udp = udp;
      const port = udp.address().port;
      const sdpFile = join(this.#dir, 'stream.sdp');
      rmSync(sdpFile, { force: true });
      // RTCP is sent to the same port and dropped there (payload types 200-204), so no ICMP noise.
      const args = [
        '-hide_banner',
        '-loglevel',
        'error',
        '-re',
        '-f',
        'lavfi',
        '-i',
        'testsrc=size=320x240:rate=10',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-tune',
        'zerolatency',
        '-g',
        '10',
        '-bf',
        '0',
        '-pix_fmt',
        'yuv420p',
        '-flags',
        '+global_header',
        '-x264-params',
        'repeat-headers=1',
        '-f',
        'rtp',
        '-payload_type',
        '96',
        '-sdp_file',
        sdpFile,
        `rtp://127.0.0.1:${port}?rtcpport=${port}&pkt_size=1200`,
      ];
      const ff = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
      ff.stderr!.resume();
      ff.on('error', () => undefined);
      this.#ffmpeg = ff;
      for (let i = 0; i < 200; i++) {
        try {
          const raw = readFileSync(sdpFile, 'utf8');
          if (/sprop-parameter-sets/.test(raw)) return (this.#sdp = this.#rewrite(raw));
        } catch {
          // not written yet
        }
        if (ff.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('ffmpeg wrote no SDP');
    })();
    this.#sdpWait.catch(() => this.#stopStream());
    return this.#sdpWait;
  }

  /** ffmpeg's SDP describes its UDP destination; ours describes a stream set up over RTSP. */
  #rewrite(raw: string): string {
    const lines = raw.split(/\r?\n/).filter((l) => l && !l.startsWith('c=') && !l.startsWith('a=tool'));
    const media = lines.findIndex((l) => l.startsWith('m=video'));
    lines[media] = 'm=video 0 RTP/AVP 96';
    lines.splice(media, 0, 'c=IN IP4 0.0.0.0', 'a=control:*');
    lines.push('a=control:track1');
    return `${lines.join('\r\n')}\r\n`;
  }

  #stopStream(): void {
    this.#ffmpeg?.kill('SIGKILL');
    this.#ffmpeg = undefined;
    this.#udp?.close();
    this.#udp = undefined;
    this.#sdpWait = undefined;
  }

  #relay(pkt: Buffer): void {
    const pt = (pkt[1] ?? 0) & 0x7f;
    if (pkt.length < 12 || pkt.length > 65_535 || (pt >= 72 && pt <= 76)) return; // RTCP (200-204 with the marker bit)
    for (const c of this.#clients) {
      if (!c.playing || c.socket.writableLength > MAX_BUFFERED) continue;
      const head = Buffer.from([0x24, c.channel, pkt.length >> 8, pkt.length & 0xff]);
      c.socket.write(Buffer.concat([head, pkt]));
      this.packets++;
    }
  }

  #connection(socket: Socket): void {
    const c: Client = { socket, playing: false, channel: 0 };
    this.#clients.add(c);
    let buf = Buffer.alloc(0);
    const session = randomBytes(6).toString('hex');
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        // Interleaved data from the client (RTCP receiver reports): skip it.
        if (buf[0] === 0x24) {
          if (buf.length < 4) return;
          const len = 4 + buf.readUInt16BE(2);
          if (buf.length < len) return;
          buf = buf.subarray(len);
          continue;
        }
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) {
          if (buf.length > MAX_HEAD) socket.destroy();
          return;
        }
        const head = buf.subarray(0, end).toString('latin1');
        const lengthMatch = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        const bodyLen = lengthMatch ? Number(lengthMatch[1]) : 0;
        if (bodyLen > MAX_HEAD || buf.length < end + 4 + bodyLen) {
          if (bodyLen > MAX_HEAD) socket.destroy();
          return;
        }
        buf = buf.subarray(end + 4 + bodyLen);
        void this.#request(c, head, session);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.#clients.delete(c);
      if (this.playing === 0 && ![...this.#clients].length) this.#stopStream();
    });
  }

  async #request(c: Client, head: string, session: string): Promise<void> {
    const [line, ...rest] = head.split('\r\n');
    const [method, url] = (line ?? '').split(' ');
    const headers = new Map(rest.map((h) => [h.slice(0, h.indexOf(':')).trim().toLowerCase(), h.slice(h.indexOf(':') + 1).trim()]));
    const cseq = headers.get('cseq') ?? '0';
    const reply = (status: string, extra: Record<string, string> = {}, body = '') => {
      if (c.socket.destroyed) return;
      const hs = { CSeq: cseq, Server: 'onvif-sim', ...extra, ...(body ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}) };
      c.socket.write(
        `RTSP/1.0 ${status}\r\n${Object.entries(hs)
          .map(([k, v]) => `${k}: ${v}`)
          .join('\r\n')}\r\n\r\n${body}`,
      );
    };
    if (method !== 'OPTIONS' && !this.#authorized(headers.get('authorization'))) {
      this.refused++;
      return reply('401 Unauthorized', { 'WWW-Authenticate': 'Basic realm="onvif-sim"' });
    }
    switch (method) {
      case 'OPTIONS':
        return reply('200 OK', { Public: 'OPTIONS, DESCRIBE, SETUP, PLAY, GET_PARAMETER, TEARDOWN' });
      case 'DESCRIBE':
        try {
          const sdp = await this.#stream();
          return reply('200 OK', { 'Content-Type': 'application/sdp', 'Content-Base': `${url?.replace(/\/$/, '')}/` }, sdp);
        } catch {
          return reply('503 Service Unavailable');
        }
      case 'SETUP': {
        const transport = headers.get('transport') ?? '';
        const m = /interleaved=(\d+)-(\d+)/.exec(transport);
        if (!/RTP\/AVP\/TCP/i.test(transport) || !m) return reply('461 Unsupported Transport');
        c.channel = Number(m[1]) & 0xff;
        return reply('200 OK', { Transport: `RTP/AVP/TCP;unicast;interleaved=${m[1]}-${m[2]}`, Session: `${session};timeout=60` });
      }
      case 'PLAY':
        if (!this.#sdp) return reply('455 Method Not Valid in This State');
        c.playing = true;
        return reply('200 OK', { Session: session, Range: 'npt=0.000-' });
      case 'GET_PARAMETER':
        return reply('200 OK', { Session: session });
      case 'TEARDOWN':
        c.playing = false;
        reply('200 OK', { Session: session });
        return void c.socket.end();
      default:
        return reply('501 Not Implemented');
    }
  }
}
