/**
 * A channel's points and what its answers make of them: values decoded and reported in one
 * block per answer (report-on-change points only when the value moves), point faults reported
 * once until the point reads again. The link (link.ts) does the exchanges; this is the sink side.
 */
import type { PropertyRef, RpmBatch } from '../../protocols/bacnet/batch.js';
import { BacnetMalformed } from '../../protocols/bacnet/errors.js';
import type { PointDef } from '../../protocols/bacnet/point.js';
import type { CovNotification, ReadResult } from '../../protocols/bacnet/session.js';
import { decodeValue, type PointValue } from '../../protocols/bacnet/values.js';
import { objectKey } from './cov.js';
import type { LinkDeps } from './link-deps.js';
import { platformNow } from '../../edge/host/sdk/clock.js';

export const refKey = (r: { objectType: number; instance: number; property: number }): string =>
  `${r.objectType}:${r.instance}:${r.property}`;

/** The property a point reads, as the batch planner takes it. */
export function propertyRef(p: PointDef): PropertyRef {
  return { key: refKey(p), objectType: p.objectType, instance: p.instance, property: p.property, dataType: p.dataType };
}

/**
 * ReadProperty ref by ref, for devices without ReadPropertyMultiple: the refs answered with their
 * results; `read` answers undefined when the read was given up (timeout), `onError` sees failures.
 */
export async function readEach(
  refs: readonly PropertyRef[],
  read: (ref: PropertyRef) => Promise<ReadResult['value'] | undefined>,
  onError: (ref: PropertyRef, err: Error) => void,
): Promise<{ answered: PropertyRef[]; results: ReadResult[] }> {
  const answered: PropertyRef[] = [];
  const results: ReadResult[] = [];
  for (const ref of refs) {
    try {
      const value = await read(ref);
      if (value === undefined) continue;
      answered.push(ref);
      results.push({ objectType: ref.objectType, instance: ref.instance, property: ref.property, value });
    } catch (err) {
      onError(ref, err as Error);
    }
  }
  return { answered, results };
}

export class PointResults {
  readonly #channelId: string;
  readonly #deps: Pick<LinkDeps, 'log' | 'sink' | 'stats'>;
  #points: PointDef[] = [];
  /** Every point by its object:instance:property (several points may read the same property). */
  readonly #pointsByRef = new Map<string, PointDef[]>();
  readonly #last = new Map<string, PointValue>();
  readonly #pointFaults = new Set<string>();

  constructor(channelId: string, deps: Pick<LinkDeps, 'log' | 'sink' | 'stats'>) {
    this.#channelId = channelId;
    this.#deps = deps;
  }

  get points(): readonly PointDef[] {
    return this.#points;
  }

  setPoints(points: readonly PointDef[]): void {
    this.#points = [...points];
    this.#pointsByRef.clear();
    for (const p of points) this.#pointsByRef.set(refKey(p), [...(this.#pointsByRef.get(refKey(p)) ?? []), p]);
    const ids = new Set(points.map((p) => p.id));
    for (const id of this.#last.keys()) if (!ids.has(id)) this.#last.delete(id);
  }

  /** The values of a COV notification, for the points of its object. */
  cov(n: CovNotification): void {
    const time = platformNow();
    const changed: [PointDef, PointValue][] = [];
    const touched: PointDef[] = [];
    const obj = objectKey(n);
    for (const p of this.#points) {
      if (objectKey(p) !== obj) continue;
      const v = n.values.find((x) => x.property === p.property);
      if (!v) continue;
      touched.push(p);
      this.#accept(p, v.value, changed);
    }
    if (touched.length > 0) this.#deps.sink.block(touched, changed, time);
  }

  /** Every point of the batch failed with this error. */
  faultBatch(batch: { refs: readonly PropertyRef[] }, e: Error): void {
    const pts = batch.refs.flatMap((r) => this.#pointsOfRef(r.key));
    for (const p of pts) this.#pointFault(p, e instanceof BacnetMalformed ? `malformed answer: ${e.message}` : e.message);
  }

  /** The answer to one batch. */
  apply(batch: RpmBatch, results: ReadResult[]): void {
    const time = platformNow();
    const changed: [PointDef, PointValue][] = [];
    const read: PointDef[] = [];
    // Results come in the order asked (Clause 15.7.2): match by position while they do, by key otherwise.
    let inOrder = results.length === batch.refs.length;
    for (let i = 0; i < results.length; i++) {
      const r = results[i]!;
      const ref = batch.refs[i];
      inOrder &&= ref !== undefined && ref.objectType === r.objectType && ref.instance === r.instance && ref.property === r.property;
      const key = inOrder ? ref!.key : refKey(r);
      for (const p of this.#pointsOfRef(key)) {
        if (r.error) {
          this.#pointFault(p, `device error class ${r.error.errorClass} code ${r.error.errorCode} on ${key}`);
          continue;
        }
        read.push(p);
        this.#accept(p, r.value, changed);
      }
    }
    const answered = inOrder ? undefined : new Set(results.map(refKey));
    if (answered)
      for (const ref of batch.refs)
        if (!answered.has(ref.key))
          for (const p of this.#pointsOfRef(ref.key)) this.#pointFault(p, `no value for ${ref.key} in the answer`);
    this.#deps.stats.values += read.length;
    this.#deps.sink.block(read, changed, time);
  }

  #accept(p: PointDef, raw: { type: number; value: unknown }[] | undefined, changed: [PointDef, PointValue][]): void {
    let v: PointValue;
    try {
      v = decodeValue(p, raw);
    } catch (err) {
      this.#pointFault(p, (err as Error).message);
      return;
    }
    if (this.#pointFaults.size > 0 && this.#pointFaults.delete(p.id)) this.#deps.sink.fault(`pt:${p.id}`, [p], undefined);
    // Periodic points report every cycle; report-on-change points only when the value moves.
    if (p.cov) {
      if (this.#last.get(p.id) === v) return;
      this.#last.set(p.id, v);
    }
    changed.push([p, v]);
  }

  #pointsOfRef(key: string): PointDef[] {
    return this.#pointsByRef.get(key) ?? [];
  }

  #pointFault(p: PointDef, reason: string): void {
    if (this.#pointFaults.has(p.id)) return;
    this.#pointFaults.add(p.id);
    this.#deps.log.warn({ channel: this.#channelId, point: p.id, reason }, 'point read failed');
    this.#deps.sink.fault(`pt:${p.id}`, [p], reason);
  }
}
