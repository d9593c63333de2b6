/**
 * The lot's liveness record: a `Heartbeat` data-model record every 30 s (seed 001 L47303-47311,
 * R45), which the SaaS watches and alarms on when it stops. The seed names the model but not its
 * fields; ours are `parkingLotId` (the lots the system reported, comma-separated), `online` (1
 * when the parking system answered this round, 0 when not) and `eventTime`. A heartbeat that
 * cannot be delivered is dropped, not queued: a late heartbeat would claim liveness for a time
 * the box could not vouch for.
 */
import { localTime } from './push-mapping.js';

export const HEARTBEAT_MS = 30_000;

export interface HeartbeatDeps {
  /** The lots of the parking system, or undefined when it does not answer. */
  probe(): Promise<string[] | undefined>;
  insert(modelId: string, properties: Record<string, unknown>): Promise<void>;
  onError?(err: unknown): void;
  now?(): Date;
}

export class Heartbeat {
  #timer: NodeJS.Timeout | undefined;
  #lots: string[] = [];
  #beating: Promise<void> | undefined;

  constructor(readonly deps: HeartbeatDeps) {}

  start(): void {
    this.#timer = setInterval(() => void this.beat(), HEARTBEAT_MS);
    void this.beat();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#beating;
  }

  /** One heartbeat; a round still running (slow API) is not overlapped. */
  beat(): Promise<void> {
    this.#beating ??= this.#beat().finally(() => {
      this.#beating = undefined;
    });
    return this.#beating;
  }

  async #beat(): Promise<void> {
    const lots = await this.deps.probe().catch(() => undefined);
    if (lots) this.#lots = lots;
    try {
      await this.deps.insert('Heartbeat', {
        parkingLotId: this.#lots.join(','),
        online: lots ? 1 : 0,
        eventTime: localTime(this.deps.now?.() ?? new Date()),
      });
    } catch (err) {
      this.deps.onError?.(err);
    }
  }
}
