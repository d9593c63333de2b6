/**
 * Passes the door already let through (card, BLE, intercom) must not be lost when the host is
 * briefly unable to take the record (busy, restarting access core): they wait here in order
 * and are retried with backoff. Bounded: past `max` records the oldest is dropped and logged,
 * so a host that never answers cannot exhaust the driver's memory.
 */
import type { Logger } from 'pino';
import type { AccessGateway, PassRecord } from './gateway.js';

export class PassRetryQueue {
  readonly #gateway: AccessGateway;
  readonly #log: Logger;
  readonly #max: number;
  readonly #queue: PassRecord[] = [];
  #timer: NodeJS.Timeout | undefined;
  readonly #baseDelayMs: number;
  #delayMs: number;
  #sending = false;
  dropped = 0;

  constructor(gateway: AccessGateway, log: Logger, options: { max?: number; baseDelayMs?: number } = {}) {
    this.#gateway = gateway;
    this.#log = log;
    this.#max = options.max ?? 10_000;
    this.#delayMs = options.baseDelayMs ?? 500;
    this.#baseDelayMs = this.#delayMs;
  }

  get pending(): number {
    return this.#queue.length;
  }

  /** Record a pass; returns at once. */
  submit(rec: PassRecord): void {
    this.#queue.push(rec);
    if (this.#queue.length > this.#max) {
      this.#queue.shift();
      this.dropped++;
      this.#log.error({ dropped: this.dropped }, 'pass record queue full; oldest record dropped');
    }
    if (!this.#timer) void this.#drain();
  }

  async #drain(): Promise<void> {
    if (this.#sending) return;
    this.#sending = true;
    try {
      while (this.#queue.length > 0) {
        const rec = this.#queue[0]!;
        try {
          await this.#gateway.recordPass(rec);
          this.#queue.shift();
          this.#delayMs = this.#baseDelayMs;
        } catch (err) {
          this.#log.warn({ err: (err as Error).message, pending: this.#queue.length, retryMs: this.#delayMs }, 'pass record not taken; will retry');
          this.#timer = setTimeout(() => {
            this.#timer = undefined;
            void this.#drain();
          }, this.#delayMs);
          this.#delayMs = Math.min(this.#delayMs * 2, 30_000);
          return;
        }
      }
    } finally {
      this.#sending = false;
    }
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
