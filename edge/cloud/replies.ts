/**
 * Alink replies tracked by id with a timeout: every request the box sends that expects a
 * `_reply` is registered under `device#id`; the reply resolves it, the sweep times it out.
 * Bounded, so a cloud that never replies cannot grow it without limit.
 */
import type { AlinkReply } from './alink/messages.js';

/** The key a request and its reply share: the device (`pk/dn`), the request path and the Alink id. */
export function replyKey(device: string, requestPath: string, id: string): string {
  return `${device}|${requestPath}|${id}`;
}

/** The request path of an uplink topic: `/sys/pk/dn/thing/event/property/post` → `thing/event/property/post`. */
export function requestPathOf(topic: string): string {
  return topic.split('/').slice(4).join('/');
}

interface Pending {
  deadline: number;
  resolve?: (reply: AlinkReply | undefined) => void;
}

export class ReplyTracker {
  readonly #pending = new Map<string, Pending>();
  readonly #timeoutMs: number;
  readonly #max: number;
  #timer: NodeJS.Timeout | undefined;
  timeouts = 0;
  unknown = 0;

  constructor(options: { timeoutMs: number; max?: number }) {
    this.#timeoutMs = options.timeoutMs;
    this.#max = options.max ?? 20_000;
  }

  get size(): number {
    return this.#pending.size;
  }

  start(): void {
    this.#timer ??= setInterval(() => this.sweep(Date.now()), Math.min(1000, this.#timeoutMs)).unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    for (const p of this.#pending.values()) p.resolve?.(undefined);
    this.#pending.clear();
  }

  /** Fire and forget: only counted if it times out. */
  track(key: string): void {
    this.#add(key, {});
  }

  /** Resolves with the reply, or undefined on timeout. */
  expect(key: string, timeoutMs = this.#timeoutMs): Promise<AlinkReply | undefined> {
    return new Promise((resolve) => this.#add(key, { resolve }, timeoutMs));
  }

  /** Settle a reply; false when nothing waited for this id (a late or forged reply). */
  settle(key: string, reply: AlinkReply): boolean {
    const p = this.#pending.get(key);
    if (!p) {
      this.unknown++;
      return false;
    }
    this.#pending.delete(key);
    p.resolve?.(reply);
    return true;
  }

  sweep(now: number): void {
    for (const [key, p] of this.#pending) {
      if (p.deadline > now) continue;
      this.#pending.delete(key);
      this.timeouts++;
      p.resolve?.(undefined);
    }
  }

  #add(key: string, p: Omit<Pending, 'deadline'>, timeoutMs = this.#timeoutMs): void {
    if (this.#pending.size >= this.#max) {
      const oldest = this.#pending.keys().next().value;
      if (oldest !== undefined) {
        this.#pending.get(oldest)?.resolve?.(undefined);
        this.#pending.delete(oldest);
        this.timeouts++;
      }
    }
    this.#pending.set(key, { ...p, deadline: Date.now() + timeoutMs });
  }
}
