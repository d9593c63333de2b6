/**
 * What the cloud link reports of itself (`CloudLink.status()`: console, /healthz, metrics), and
 * its state on the local bus: a retained `/edge/cloud/state` for local programs (docs/cloud.md),
 * published only when it changed so the 2 s state timer costs nothing on a steady link.
 */
import type { LinkState } from './connection.js';
import type { DroppedCounts } from './outbox/outbox.js';

export const STATE_TOPIC = '/edge/cloud/state';

export interface CloudStatus {
  state: LinkState;
  since: number;
  lastError: string | undefined;
  outboxDepth: number;
  outboxBytes: number;
  oldestQueuedAt: number | undefined;
  inflight: number;
  loggedIn: number;
  dropped: DroppedCounts;
  clockOffsetMs: number | undefined;
  reconnects: number;
}

/** The local-bus view of the state: what a local program needs, without the per-tick figures. */
export class LocalStateTopic {
  readonly #publish: (topic: string, payload: string, retain: boolean) => void;
  readonly #status: () => CloudStatus;
  #last = '';

  constructor(publish: (topic: string, payload: string, retain: boolean) => void, status: () => CloudStatus) {
    this.#publish = publish;
    this.#status = status;
  }

  publish(): void {
    const s = this.#status();
    const text = JSON.stringify({
      state: s.state,
      since: s.since,
      lastError: s.lastError,
      outboxDepth: s.outboxDepth,
      outboxBytes: s.outboxBytes,
      dropped: s.dropped,
      loggedIn: s.loggedIn,
      clockOffsetMs: s.clockOffsetMs,
    });
    if (text === this.#last) return;
    this.#last = text;
    this.#publish(STATE_TOPIC, text, true);
  }
}
