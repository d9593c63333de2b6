/**
 * One BACnetV3 channel = one physical BACnet device [seed 001 L16624-16626]: finding it
 * (directed ip:port or broadcast Who-Is, following it when its address changes), reading its
 * points every 上报周期 with ReadPropertyMultiple batches that fit its max APDU (ReadProperty
 * for devices without RPM), COV for report-on-change points, and its health: no answer within
 * 离线判定周期 marks it offline, the next answer brings it back [seed 001 L16641-16642].
 */
import type { Logger } from 'pino';
import { halve, planBatches, type PropertyRef, type RpmBatch } from '../../protocols/bacnet/batch.js';
import { BacnetMalformed, BacnetTimeout, isTooLarge, isUnsupportedService } from '../../protocols/bacnet/errors.js';
import { parseAddress, type ChannelDef, type PointDef } from '../../protocols/bacnet/point.js';
import type { BacnetSession, CovNotification, IAm, ReadResult } from '../../protocols/bacnet/session.js';
import { decodeValue, type PointValue } from '../../protocols/bacnet/values.js';
import type { DriverOptions } from './config.js';
import { CovManager, objectKey } from './cov.js';

export interface LinkSink {
  block(points: readonly PointDef[], changed: [PointDef, PointValue][], time: number): void;
  fault(key: string, points: readonly PointDef[], reason: string | undefined): void;
}

export interface LinkStats {
  values: number;
  rpm: number;
  rp: number;
  covNotifications: number;
  timeouts: number;
}

export interface LinkDeps {
  opts: DriverOptions;
  session: BacnetSession;
  log: Logger;
  sink: LinkSink;
  stats: LinkStats;
  /** Where Who-Is goes for a 非定向 channel. */
  broadcast: string;
}

export class DeviceLink {
  readonly channel: ChannelDef;
  address: string | undefined;
  /** Largest answer we ask for: the smaller of the device's max APDU and ours. */
  maxApdu: number;
  rpm: 'unknown' | 'yes' | 'no' = 'unknown';
  readonly cov: CovManager;
  #points: PointDef[] = [];
  #batches: RpmBatch[] = [];
  #byRef = new Map<string, PointDef>();
  /** Every point by its object:instance:property (several points may read the same property). */
  #pointsByRef = new Map<string, PointDef[]>();
  #last = new Map<string, PointValue>();
  #pointFaults = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  #lastHeard = 0;
  #startedAt = 0;
  #offline: string | undefined;
  #lastWhoIs = 0;
  #timeoutsInRow = 0;
  #running = false;
  readonly #deps: LinkDeps;

  constructor(channel: ChannelDef, processId: number, deps: LinkDeps) {
    this.channel = channel;
    this.#deps = deps;
    this.maxApdu = Math.min(deps.opts.maxApdu, channel.maxApdu ?? 1476);
    if (deps.opts.readPropertyOnly) this.rpm = 'no';
    if (channel.mode === 'directed') {
      const a = parseAddress(channel.address!)!;
      this.address = `${a.host}:${a.port}`;
    }
    this.cov = new CovManager({ session: deps.session, log: deps.log, processId, lifetimeS: deps.opts.covLifetimeS, confirmed: deps.opts.covConfirmed, onChange: () => this.#plan() });
  }

  get online(): boolean {
    return this.#offline === undefined && this.#lastHeard > 0;
  }

  setPoints(points: readonly PointDef[]): void {
    this.#points = [...points];
    this.#pointsByRef.clear();
    for (const p of points) this.#pointsByRef.set(refKey(p), [...(this.#pointsByRef.get(refKey(p)) ?? []), p]);
    this.cov.setPoints(points);
    const ids = new Set(points.map((p) => p.id));
    for (const id of this.#last.keys()) if (!ids.has(id)) this.#last.delete(id);
    this.#plan();
  }

  /** Polled points: all but those a live COV subscription delivers. */
  #plan(): void {
    const polled = this.#points.filter((p) => !this.cov.covered(p));
    this.#byRef.clear();
    const refs: PropertyRef[] = [];
    for (const p of polled) {
      const key = refKey(p);
      if (!this.#byRef.has(key)) refs.push({ key, objectType: p.objectType, instance: p.instance, property: p.property, dataType: p.dataType });
      this.#byRef.set(key, p);
    }
    this.#batches = planBatches(refs, this.maxApdu, this.#deps.opts.maxPropertiesPerRequest);
  }

  get batchCount(): number {
    return this.#batches.length;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#startedAt = Date.now();
    this.#discover(true);
    // Spread devices over the period so 100 channels do not fire together.
    this.#timer = setTimeout(() => this.#tick(), Math.floor(Math.random() * Math.min(this.channel.reportMs, 1000)));
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    if (this.address) await this.cov.cancelAll(this.address);
  }

  #discover(force = false): void {
    const now = Date.now();
    if (!force && now - this.#lastWhoIs < Math.max(1000, this.channel.reportMs)) return;
    this.#lastWhoIs = now;
    const limits = { lowLimit: this.channel.deviceId, highLimit: this.channel.deviceId };
    if (this.channel.mode === 'directed') this.#deps.session.whoIs({ target: this.address!, ...limits });
    else this.#deps.session.whoIs({ broadcast: this.#deps.broadcast, ...limits });
  }

  /** An I-Am for our device id: learn its address (broadcast mode) and its max APDU. */
  onIAm(iam: IAm): void {
    if (iam.deviceId !== this.channel.deviceId) return;
    const apdu = Math.min(this.#deps.opts.maxApdu, this.channel.maxApdu ?? 1476, iam.maxApdu > 0 ? iam.maxApdu : 1476);
    if (apdu !== this.maxApdu) {
      this.maxApdu = apdu;
      this.#plan();
    }
    if (this.channel.mode === 'broadcast' && iam.address !== this.address) {
      const before = this.address;
      this.address = iam.address;
      this.#deps.log.info({ channel: this.channel.id, deviceId: iam.deviceId, from: before, to: iam.address }, before ? 'device moved' : 'device found');
      this.cov.resubscribeAll();
      if (this.#running) this.#kick();
    }
  }

  onCov(n: CovNotification): void {
    if (n.address !== this.address || n.processId !== this.cov.processId) return;
    this.#deps.stats.covNotifications++;
    this.#heard();
    const time = Date.now();
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

  #kick(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#tick(), 0);
  }

  async #tick(): Promise<void> {
    if (!this.#running) return;
    const started = Date.now();
    if (!this.#busy) {
      this.#busy = true;
      try {
        await this.#cycle();
      } catch (err) {
        this.#deps.log.warn({ channel: this.channel.id, err: (err as Error).message }, 'poll cycle failed');
      } finally {
        this.#busy = false;
      }
    }
    this.#checkOffline();
    if (this.#running) this.#timer = setTimeout(() => this.#tick(), Math.max(0, this.channel.reportMs - (Date.now() - started)));
  }

  async #cycle(): Promise<void> {
    if (!this.address) {
      this.#discover();
      return;
    }
    const address = this.address;
    await this.cov.run(address);
    if (this.#batches.length === 0 && this.#points.length > 0) {
      // Everything arrives by COV: read the device's name so silence still shows.
      await this.#guard(() => this.#deps.session.readProperty(address, 8, this.channel.deviceId, 77).then(() => undefined));
      return;
    }
    const queue = [...this.#batches];
    const worker = async (): Promise<void> => {
      for (let b = queue.shift(); b; b = queue.shift()) await this.#readBatch(address, b);
    };
    await Promise.all(Array.from({ length: Math.min(this.#deps.opts.maxInFlightPerDevice, queue.length) }, worker));
  }

  /** Run one exchange; note that the device answered (even with an error) or not. */
  async #guard<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      const r = await fn();
      this.#heard();
      return r;
    } catch (err) {
      if (err instanceof BacnetTimeout) {
        this.#deps.stats.timeouts++;
        if (++this.#timeoutsInRow >= 2 && this.channel.mode === 'broadcast') this.#discover(); // it may have moved
        return undefined;
      }
      this.#heard();
      throw err;
    }
  }

  async #readBatch(address: string, batch: RpmBatch): Promise<void> {
    if (this.rpm !== 'no') {
      try {
        const results = await this.#guard(() => this.#deps.session.readMultiple(address, batch, this.maxApdu));
        if (!results) return;
        this.#deps.stats.rpm++;
        this.rpm = 'yes';
        this.#apply(batch, results);
        return;
      } catch (err) {
        const e = err as Error;
        if (isTooLarge(e) && batch.refs.length > 1) {
          const parts = halve(batch);
          this.#batches = this.#batches.flatMap((x) => (x === batch ? parts : [x]));
          this.#deps.log.info({ channel: this.channel.id, refs: batch.refs.length, err: e.message }, 'RPM answer too large for the device; splitting the batch');
          for (const part of parts) await this.#readBatch(address, part);
          return;
        }
        if (isUnsupportedService(e) && this.rpm === 'unknown') {
          this.rpm = 'no';
          this.#deps.log.info({ channel: this.channel.id, err: e.message }, 'device has no ReadPropertyMultiple; reading property by property');
        } else {
          this.#faultBatch(batch, e);
          return;
        }
      }
    }
    // Property by property, reported together once the batch is read (one report, not one per point).
    const answered: PropertyRef[] = [];
    const results: ReadResult[] = [];
    for (const ref of batch.refs) {
      try {
        const values = await this.#guard(() => this.#deps.session.readProperty(address, ref.objectType, ref.instance, ref.property));
        if (!values) continue;
        this.#deps.stats.rp++;
        answered.push(ref);
        results.push({ objectType: ref.objectType, instance: ref.instance, property: ref.property, value: values });
      } catch (err) {
        this.#faultBatch({ refs: [ref], specs: [] }, err as Error);
      }
    }
    if (answered.length > 0) this.#apply({ refs: answered, specs: [] }, results);
  }

  #faultBatch(batch: RpmBatch, e: Error): void {
    const pts = batch.refs.flatMap((r) => this.#pointsOfRef(r.key));
    for (const p of pts) this.#pointFault(p, e instanceof BacnetMalformed ? `malformed answer: ${e.message}` : e.message);
  }

  #apply(batch: RpmBatch, results: ReadResult[]): void {
    const time = Date.now();
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
    if (answered) for (const ref of batch.refs) if (!answered.has(ref.key)) for (const p of this.#pointsOfRef(ref.key)) this.#pointFault(p, `no value for ${ref.key} in the answer`);
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
    this.#deps.log.warn({ channel: this.channel.id, point: p.id, reason }, 'point read failed');
    this.#deps.sink.fault(`pt:${p.id}`, [p], reason);
  }

  #heard(): void {
    this.#lastHeard = Date.now();
    this.#timeoutsInRow = 0;
    if (this.#offline !== undefined) {
      this.#offline = undefined;
      this.#deps.log.info({ channel: this.channel.id, deviceId: this.channel.deviceId }, 'device answering again');
      this.#deps.sink.fault(`dev:${this.channel.id}`, this.#points, undefined);
      this.cov.resubscribeAll();
    }
  }

  #checkOffline(): void {
    const now = Date.now();
    const since = this.#lastHeard || this.#startedAt;
    if (this.#offline !== undefined || now - since < this.channel.offlineMs) return;
    this.#offline = this.address
      ? `device ${this.channel.deviceId} at ${this.address} did not answer within ${this.channel.offlineMs} ms`
      : `device ${this.channel.deviceId} not found by Who-Is within ${this.channel.offlineMs} ms`;
    this.#deps.log.warn({ channel: this.channel.id, reason: this.#offline }, 'device offline');
    this.#deps.sink.fault(`dev:${this.channel.id}`, this.#points, this.#offline);
    if (this.channel.mode === 'broadcast') this.#discover(true);
  }

  /** On-demand read of some points (getProperties). */
  async read(points: readonly PointDef[]): Promise<Map<string, PointValue>> {
    const address = this.#need();
    const refs = points.map((p) => ({ key: refKey(p), objectType: p.objectType, instance: p.instance, property: p.property, dataType: p.dataType }));
    const out = new Map<string, PointValue>();
    for (const b of planBatches(refs, this.maxApdu, this.#deps.opts.maxPropertiesPerRequest)) {
      let results: ReadResult[];
      if (this.rpm === 'no') {
        results = [];
        for (const r of b.refs) results.push({ objectType: r.objectType, instance: r.instance, property: r.property, value: await this.#call(() => this.#deps.session.readProperty(address, r.objectType, r.instance, r.property)) });
      } else results = await this.#call(() => this.#deps.session.readMultiple(address, b, this.maxApdu));
      for (const r of results) {
        for (const p of points.filter((x) => refKey(x) === refKey(r))) {
          if (r.error) throw Object.assign(new Error(`point ${p.id}: device error class ${r.error.errorClass} code ${r.error.errorCode}`), { bacnetError: r.error });
          out.set(p.id, decodeValue(p, r.value));
        }
      }
    }
    return out;
  }

  async #call<T>(fn: () => Promise<T>): Promise<T> {
    const r = await this.#guard(fn);
    if (r === undefined) throw new BacnetTimeout(this.address ?? String(this.channel.deviceId));
    return r;
  }

  #need(): string {
    if (!this.address) throw new BacnetTimeout(`device ${this.channel.deviceId} (not found yet)`);
    return this.address;
  }

  /** WriteProperty at a priority (null relinquishes), then read the point back. */
  async write(p: PointDef, value: import('@bacnet-js/client').BACNetAppData, priority: number | undefined): Promise<PointValue> {
    const address = this.#need();
    await this.#call(() => this.#deps.session.writeProperty(address, p.objectType, p.instance, p.property, value, priority).then(() => true));
    const back = await this.read([p]);
    return back.get(p.id)!;
  }
}

const refKey = (r: { objectType: number; instance: number; property: number }): string => `${r.objectType}:${r.instance}:${r.property}`;
