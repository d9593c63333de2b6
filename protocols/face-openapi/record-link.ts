/**
 * The record push link (seed 004 §8.3.3, L866-917): WebSocket `ws://HOST:9000/api/record?timestamp&sign`.
 * The client sends a heartbeat every 10 s; 33 s without any traffic on the link means it is broken.
 * Reconnects with exponential backoff and jitter. States:
 *
 *   idle ─start─▶ connecting ─20000─▶ up ─silence 33 s / close─▶ down ─backoff─▶ connecting
 *                      │ 20002 Permission Denied / error ─────────▶ down
 *   any ─stop─▶ stopped
 */
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { signParams } from './sign.js';
import { RetryTimer } from '../common/backoff.js';

export const HEARTBEAT_MS = 10_000;
export const SILENCE_MS = 33_000;

export type LinkState = 'idle' | 'connecting' | 'up' | 'down' | 'stopped';

export interface RecordLinkOptions {
  url: string;
  password: string;
  heartbeatMs?: number;
  silenceMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  now?: () => number;
}

export interface RecordLinkEvents {
  record: [Record<string, unknown>];
  up: [];
  down: [string];
}

export class RecordLink extends EventEmitter<RecordLinkEvents> {
  readonly #o: Required<RecordLinkOptions>;
  #ws: WebSocket | undefined;
  #state: LinkState = 'idle';
  readonly #retry: RetryTimer;
  #beat: NodeJS.Timeout | undefined;
  #lastTraffic = 0;

  constructor(o: RecordLinkOptions) {
    super();
    this.#o = { heartbeatMs: HEARTBEAT_MS, silenceMs: SILENCE_MS, backoffBaseMs: 1000, backoffMaxMs: 30_000, now: Date.now, ...o };
    this.#retry = new RetryTimer({ minMs: this.#o.backoffBaseMs, maxMs: this.#o.backoffMaxMs });
  }

  get state(): LinkState {
    return this.#state;
  }

  start(): void {
    if (this.#state !== 'idle' && this.#state !== 'stopped') return;
    this.#connect();
  }

  stop(): void {
    this.#state = 'stopped';
    this.#clearReconnect();
    clearInterval(this.#beat);
    this.#ws?.terminate();
    this.#ws = undefined;
  }

  #connect(): void {
    this.#state = 'connecting';
    const { timestamp, sign } = signParams(this.#o.password, this.#o.now());
    const ws = new WebSocket(`${this.#o.url}?timestamp=${timestamp}&sign=${sign}`, { handshakeTimeout: 10_000 });
    this.#ws = ws;
    this.#lastTraffic = Date.now();
    const traffic = () => void (this.#lastTraffic = Date.now());
    ws.on('pong', traffic);
    ws.on('ping', traffic);
    ws.on('message', (data) => {
      traffic();
      let m: { code?: unknown; data?: unknown; desc?: unknown; message?: unknown };
      try {
        m = JSON.parse(data.toString()) as typeof m;
      } catch {
        return; // not ours (a heartbeat echo); the traffic still counts
      }
      const code = Number(m.code);
      if (code === 20000) {
        this.#retry.reset();
        this.#state = 'up';
        this.emit('up');
      } else if (code === 20002) {
        this.#down(`permission denied: ${String(m.desc ?? m.message ?? '')}`);
      } else if (code === 30000 && m.data && typeof m.data === 'object') this.emit('record', m.data as Record<string, unknown>);
    });
    ws.on('open', () => {
      clearInterval(this.#beat);
      this.#beat = setInterval(() => this.#heartbeat(), this.#o.heartbeatMs);
      this.#beat.unref?.();
    });
    ws.on('close', () => this.#ws === ws && this.#down('closed'));
    ws.on('error', (err) => this.#ws === ws && this.#down(err.message));
  }

  #heartbeat(): void {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    if (Date.now() - this.#lastTraffic > this.#o.silenceMs) {
      this.#down(`no traffic for ${this.#o.silenceMs / 1000} s`);
      return;
    }
    ws.ping();
    ws.send(JSON.stringify({ type: 'heartbeat', timestamp: this.#o.now() }));
  }

  #down(reason: string): void {
    if (this.#state === 'stopped' || this.#state === 'down') return;
    const wasUp = this.#state === 'up';
    this.#state = 'down';
    clearInterval(this.#beat);
    const ws = this.#ws;
    this.#ws = undefined;
    ws?.terminate();
    if (wasUp || this.#retry.attempt === 0) this.emit('down', reason);
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#state === 'stopped') return;
    this.#retry.schedule(() => {
      if (this.#state !== 'stopped') this.#connect();
    });
  }

  #clearReconnect(): void {
    this.#retry.cancel();
  }
}
