/**
 * The simulated camera's event service: pull-point subscriptions (ONVIF Events,
 * CreatePullPointSubscription / PullMessages / Renew / Unsubscribe), each with its own queue of
 * emitted events; a PullMessages on an empty queue is held until an event arrives or the hold ends.
 */
import { envelope, fault, durationMs, text } from './soap.js';
import { messagesPulled, pullPointCreated, type Answer, type SimEvent } from './services.js';

interface Subscription {
  queue: SimEvent[];
  until: number;
  wake?: (() => void) | undefined;
}

export class PullPoints {
  readonly #subs = new Map<string, Subscription>();
  #nextSub = 1;

  get size(): number {
    return this.#subs.size;
  }

  /** Queue an event for every subscription (and wake held pulls). */
  emit(e: SimEvent): void {
    for (const sub of this.#subs.values()) {
      if (sub.queue.length < 1000) sub.queue.push(e);
      sub.wake?.();
    }
  }

  /** Release every held pull (closing). */
  wakeAll(): void {
    for (const sub of this.#subs.values()) sub.wake?.();
  }

  /** The answer to an event-service action, or undefined when `action` is not one. */
  async answer(
    action: string,
    body: Record<string, unknown>,
    url: string,
    now: Date,
    base: string,
    pullHoldMs: number,
  ): Promise<Answer | undefined> {
    if (action === 'CreatePullPointSubscription') {
      if (this.#subs.size >= 16) this.#subs.delete(this.#subs.keys().next().value!);
      const id = String(this.#nextSub++);
      const ttl = durationMs(text(body.InitialTerminationTime)) ?? 60_000;
      this.#subs.set(id, { queue: [], until: now.getTime() + ttl });
      return pullPointCreated(`${base}/onvif/pullpoint/${id}`, now, ttl);
    }
    if (action === 'PullMessages' || action === 'Renew' || action === 'Unsubscribe') {
      const id = /^\/onvif\/pullpoint\/(\d+)$/.exec(url)?.[1];
      const sub = id ? this.#subs.get(id) : undefined;
      if (!sub || sub.until < now.getTime())
        return { status: 400, xml: fault('Sender', 'ter:InvalidArgVal', 'no such subscription', 'ter:ResourceUnknownFault') };
      if (action === 'Unsubscribe') {
        this.#subs.delete(id!);
        return { status: 200, xml: envelope('<wsnt:UnsubscribeResponse/>') };
      }
      sub.until = Date.now() + 120_000;
      if (action === 'Renew')
        return {
          status: 200,
          xml: envelope(
            `<wsnt:RenewResponse><wsnt:TerminationTime>${new Date(sub.until).toISOString()}</wsnt:TerminationTime></wsnt:RenewResponse>`,
          ),
        };
      const hold = Math.min(pullHoldMs, durationMs(text(body.Timeout)) ?? 60_000);
      if (sub.queue.length === 0 && hold > 0) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => resolve(), hold);
          sub.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        sub.wake = undefined;
      }
      const limit = Math.max(1, Math.min(100, Number(text(body.MessageLimit)) || 10));
      return messagesPulled(sub.queue.splice(0, limit), new Date(), new Date(sub.until));
    }
    return undefined;
  }
}
