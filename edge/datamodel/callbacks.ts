/**
 * Deliveries to a subscriber's HTTP callback (`dataModel.subscribers[].callbackUrl`): the record
 * is POSTed as JSON, the same message the bus subscribers get; an answer of 2xx acknowledges it,
 * anything else (another status, a refused connection, no answer within the timeout) leaves it
 * pending, and the delivery timer sends it again as it does for the bus (30 s, then backing off).
 * The subscriber is idempotent by `dataId` (R50): an answer lost on the way means the record comes
 * again. Callbacks go only to the box itself (loopback) or to hosts the config names
 * (`dataModel.callbackHosts`): the box never POSTs records to an address a config typo chose.
 */
import type { Logger } from '../log.js';

/** Longest wait for a callback's answer (the ack timeout, if shorter). */
const MAX_ANSWER_MS = 10_000;

/** Whether `host` (a URL's hostname) is the box itself. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Why `url` may not be a callback, or undefined when it may. */
export function callbackUrlProblem(url: string, allowedHosts: readonly string[]): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `${url} is not a URL`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'a callback is http:// or https://';
  if (u.username || u.password) return 'a callback URL carries no credentials';
  const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (!isLoopbackHost(host) && !allowedHosts.some((h) => h.toLowerCase() === host))
    return `${host} is neither the box (loopback) nor one of dataModel.callbackHosts`;
  return undefined;
}

export class CallbackSender {
  readonly #log: Logger;
  readonly #timeoutMs: number;
  readonly #inFlight = new Set<AbortController>();

  constructor(deps: { log: Logger }, ackTimeoutMs: number) {
    this.#log = deps.log;
    this.#timeoutMs = Math.min(ackTimeoutMs, MAX_ANSWER_MS);
  }

  /** POST `message`; `onAck` runs on a 2xx answer. Never throws: a failure is a delivery to repeat. */
  post(subscriber: string, url: string, message: string, onAck: () => void): void {
    const abort = new AbortController();
    this.#inFlight.add(abort);
    const timer = setTimeout(() => abort.abort(), this.#timeoutMs);
    fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: message, signal: abort.signal })
      .then(async (res) => {
        await res.body?.cancel();
        if (abort.signal.aborted) return;
        if (res.status >= 200 && res.status < 300) onAck();
        else this.#log.debug({ subscriber, status: res.status }, 'data-model callback not acknowledged; sent again later');
      })
      .catch((err: unknown) => {
        if (!abort.signal.aborted || this.#inFlight.has(abort))
          this.#log.debug({ subscriber, err: (err as Error).message }, 'data-model callback failed; sent again later');
      })
      .finally(() => {
        clearTimeout(timer);
        this.#inFlight.delete(abort);
      });
  }

  /** Abandon the callbacks under way (the box stops): their records stay pending. */
  stop(): void {
    const all = [...this.#inFlight];
    this.#inFlight.clear();
    for (const a of all) a.abort();
  }
}
