/**
 * COV subscriptions of one device [是否变更上报, seed 001 L16672]: one SubscribeCOV per object
 * that has report-on-change points on present-value or status-flags (the properties a COV
 * notification carries, Clause 13.1), renewed before its lifetime ends. An object whose
 * subscription the device refuses (Reject, Error) is polled instead and offered again after
 * one lifetime; a subscription that times out is retried on the next cycle.
 */
import type { Logger } from 'pino';
import type { BacnetSession } from '../../protocols/bacnet/session.js';
import { BacnetTimeout } from '../../protocols/bacnet/errors.js';
import type { PointDef } from '../../protocols/bacnet/point.js';

const COV_PROPERTIES = new Set([85, 111]);

export type CovState = 'idle' | 'pending' | 'active' | 'refused';

export interface CovObject {
  key: string;
  objectType: number;
  instance: number;
  points: PointDef[];
  state: CovState;
  /** When to (re)subscribe. */
  dueAt: number;
}

export const objectKey = (p: { objectType: number; instance: number }): string => `${p.objectType}:${p.instance}`;

export interface CovDeps {
  session: BacnetSession;
  log: Logger;
  processId: number;
  lifetimeS: number;
  confirmed: boolean;
  onChange(): void;
}

export class CovManager {
  readonly objects = new Map<string, CovObject>();
  readonly #deps: CovDeps;

  constructor(deps: CovDeps) {
    this.#deps = deps;
  }

  get processId(): number {
    return this.#deps.processId;
  }

  setPoints(points: readonly PointDef[]): void {
    const wanted = new Map<string, PointDef[]>();
    for (const p of points) {
      if (!p.cov || !COV_PROPERTIES.has(p.property)) continue;
      const k = objectKey(p);
      wanted.set(k, [...(wanted.get(k) ?? []), p]);
    }
    for (const k of this.objects.keys()) if (!wanted.has(k)) this.objects.delete(k);
    for (const [k, pts] of wanted) {
      const o = this.objects.get(k);
      if (o) o.points = pts;
      else
        this.objects.set(k, { key: k, objectType: pts[0]!.objectType, instance: pts[0]!.instance, points: pts, state: 'idle', dueAt: 0 });
    }
  }

  /** Whether this point's value arrives by COV (so polling can skip it). */
  covered(p: PointDef): boolean {
    return p.cov && COV_PROPERTIES.has(p.property) && this.objects.get(objectKey(p))?.state === 'active';
  }

  /** The device moved or came back: subscribe everything again now. */
  resubscribeAll(): void {
    for (const o of this.objects.values())
      if (o.state !== 'pending') {
        o.state = 'idle';
        o.dueAt = 0;
      }
    this.#deps.onChange();
  }

  /** Subscribe or renew what is due. */
  async run(address: string): Promise<void> {
    const now = Date.now();
    const due = [...this.objects.values()].filter((o) => o.state !== 'pending' && o.dueAt <= now);
    await Promise.all(due.map((o) => this.#subscribe(address, o)));
  }

  async #subscribe(address: string, o: CovObject): Promise<void> {
    const { session, log, processId, lifetimeS, confirmed } = this.#deps;
    const before = o.state;
    o.state = 'pending';
    try {
      await session.subscribeCov(address, o.objectType, o.instance, processId, confirmed, lifetimeS);
      o.state = 'active';
      o.dueAt = Date.now() + lifetimeS * 800; // renew at 80 % of the lifetime
    } catch (err) {
      if (err instanceof BacnetTimeout) {
        o.state = before === 'active' ? 'active' : 'idle';
        o.dueAt = 0;
      } else {
        if (before !== 'refused') log.info({ address, object: o.key, err: (err as Error).message }, 'COV refused; polling instead');
        o.state = 'refused';
        o.dueAt = Date.now() + lifetimeS * 1000;
      }
    }
    if (o.state !== before) this.#deps.onChange();
  }

  /** Cancel subscriptions (best effort, at stop). */
  async cancelAll(address: string): Promise<void> {
    const { session, processId } = this.#deps;
    await Promise.allSettled(
      [...this.objects.values()]
        .filter((o) => o.state === 'active')
        .map((o) => session.subscribeCov(address, o.objectType, o.instance, processId, false, 0, true)),
    );
  }
}
