/**
 * Pumps the outbox onto the link: rows in `seq` order, QoS 1, at most `window` in flight;
 * a row is deleted when its PUBACK arrives (deletes are grouped per tick, one transaction).
 * On a new connection it starts again from the oldest row still queued, so whatever was in
 * flight when the link died goes again with the same Alink id (at-least-once, stable ids).
 * With `maxPerSecond` a token bucket (one second of burst) paces the publishes.
 */
import type { MqttClient } from 'mqtt';
import type { Logger } from '../log.js';
import { realtimeToHistory } from './alink/messages.js';
import type { Outbox, OutboxRow } from './outbox/outbox.js';
import { splitDeviceKey } from '../thing/registry.js';

export interface SenderHooks {
  /** A post went out that the cloud will answer on `_reply` (tracked by the reply tracker). */
  onPublished(row: OutboxRow, topic: string): void;
  onAcked(count: number): void;
  /** The outbox drained (depth 0). */
  onDrained(): void;
}

export class Sender {
  readonly #outbox: Outbox;
  readonly #log: Logger;
  readonly #window: number;
  readonly #historyAfterMs: number;
  readonly #hooks: SenderHooks;
  #client: MqttClient | undefined;
  #gated = true;
  #cursor = 0;
  #inflight = 0;
  #acks: OutboxRow[] = [];
  #ackFlush = false;
  #pumpScheduled = false;
  readonly #maxPerSecond: number;
  #tokens: number;
  #refilledAt = Date.now();
  #paceTimer: NodeJS.Timeout | undefined;
  published = 0;
  acked = 0;

  constructor(
    deps: { outbox: Outbox; log: Logger; hooks: SenderHooks },
    options: { window: number; historyAfterMs: number; maxPerSecond?: number },
  ) {
    this.#outbox = deps.outbox;
    this.#log = deps.log;
    this.#hooks = deps.hooks;
    this.#window = options.window;
    this.#historyAfterMs = options.historyAfterMs;
    this.#maxPerSecond = options.maxPerSecond ?? 0;
    this.#tokens = this.#maxPerSecond;
  }

  /** How many publishes the rate limit allows now; schedules a pump for when more are due. */
  #allowance(): number {
    if (this.#maxPerSecond === 0) return Infinity;
    const now = Date.now();
    this.#tokens = Math.min(this.#maxPerSecond, this.#tokens + ((now - this.#refilledAt) * this.#maxPerSecond) / 1000);
    this.#refilledAt = now;
    const whole = Math.floor(this.#tokens);
    if (whole === 0 && !this.#paceTimer) {
      this.#paceTimer = setTimeout(
        () => {
          this.#paceTimer = undefined;
          this.pump();
        },
        Math.ceil(((1 - this.#tokens) * 1000) / this.#maxPerSecond),
      );
      this.#paceTimer.unref();
    }
    return whole;
  }

  get inflight(): number {
    return this.#inflight;
  }

  /** A new connection: send from the oldest queued row once `open()` lifts the gate. */
  attach(client: MqttClient): void {
    this.#flushAcks();
    this.#client = client;
    this.#cursor = 0;
    this.#inflight = 0;
    this.#gated = true;
  }

  /** Sessions are up (sub-devices logged in): start sending. */
  open(): void {
    this.#gated = false;
    this.pump();
  }

  detach(): void {
    clearTimeout(this.#paceTimer);
    this.#paceTimer = undefined;
    this.#flushAcks();
    this.#client = undefined;
    this.#inflight = 0;
    this.#gated = true;
  }

  /** Schedule a pump on the next tick (many enqueues → one pump). */
  wake(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      this.pump();
    });
  }

  pump(): void {
    const client = this.#client;
    if (!client || this.#gated) return;
    while (this.#inflight < this.#window) {
      const allowed = this.#allowance();
      if (allowed === 0) break;
      const rows = this.#outbox.after(this.#cursor, Math.min(500, this.#window - this.#inflight, allowed));
      if (rows.length === 0) break;
      if (this.#maxPerSecond > 0) this.#tokens -= rows.length;
      const now = Date.now();
      for (const row of rows) {
        this.#cursor = row.seq;
        let { topic, payload } = row;
        if (now - row.createdAt > this.#historyAfterMs) {
          const [pk, dn] = splitDeviceKey(row.device);
          const h = realtimeToHistory(pk, dn, topic, payload);
          if (h) ({ topic, payload } = h);
        }
        this.#inflight++;
        this.published++;
        client.publish(topic, payload, { qos: 1 }, (err) => {
          if (this.#client !== client) return; // a dead connection's callbacks: the row goes again
          if (err) {
            this.#log.debug({ err: err.message, seq: row.seq }, 'publish failed; resent on the next connection');
            return;
          }
          this.#ack(row);
        });
        this.#hooks.onPublished(row, topic);
      }
    }
  }

  #ack(row: OutboxRow): void {
    this.#inflight--;
    this.#acks.push(row);
    if (this.#ackFlush) return;
    this.#ackFlush = true;
    setImmediate(() => {
      this.#flushAcks();
      this.pump();
      if (this.#outbox.depth === 0 && this.#inflight === 0) this.#hooks.onDrained();
    });
  }

  #flushAcks(): void {
    this.#ackFlush = false;
    if (this.#acks.length === 0) return;
    const rows = this.#acks;
    this.#acks = [];
    this.#outbox.acknowledge(rows);
    this.acked += rows.length;
    this.#hooks.onAcked(rows.length);
  }

  /** Wait until nothing is in flight (graceful stop), at most `timeoutMs`. */
  async settle(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.#inflight > 0 && this.#client && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    this.#flushAcks();
  }
}
