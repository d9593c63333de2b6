/**
 * One BACnetV3 channel = one physical BACnet device [seed 001 L16624-16626]: finding it
 * (directed ip:port or broadcast Who-Is, following it when its address changes), reading its
 * points every 上报周期 with ReadPropertyMultiple batches that fit its max APDU (ReadProperty
 * for devices without RPM), COV for report-on-change points, and its health: no answer within
 * 离线判定周期 marks it offline, the next answer brings it back [seed 001 L16641-16642].
 */
import { halve, planBatches, type PropertyRef, type RpmBatch } from '../../protocols/bacnet/batch.js';
import { BacnetTimeout, isTooLarge, isUnsupportedService } from '../../protocols/bacnet/errors.js';
import { parseAddress, type ChannelDef, type PointDef } from '../../protocols/bacnet/point.js';
import type { CovNotification, IAm } from '../../protocols/bacnet/session.js';
import type { PointValue } from '../../protocols/bacnet/values.js';
import { CovManager } from './cov.js';
import type { LinkDeps } from './link-deps.js';
import { PointResults, propertyRef, readEach, refKey } from './point-results.js';
import { readNow } from './read-now.js';

export type { LinkDeps, LinkSink, LinkStats } from './link-deps.js';

export class DeviceLink {
  readonly channel: ChannelDef;
  address: string | undefined;
  /** Largest answer we ask for: the smaller of the device's max APDU and ours. */
  maxApdu: number;
  rpm: 'unknown' | 'yes' | 'no' = 'unknown';
  readonly cov: CovManager;
  #batches: RpmBatch[] = [];
  /** The link's points, and their answers turned into values and faults. */
  readonly #results: PointResults;
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
    this.#results = new PointResults(channel.id, deps);
    this.cov = new CovManager({
      session: deps.session,
      log: deps.log,
      processId,
      lifetimeS: deps.opts.covLifetimeS,
      confirmed: deps.opts.covConfirmed,
      onChange: () => this.#plan(),
    });
  }

  get online(): boolean {
    return this.#offline === undefined && this.#lastHeard > 0;
  }

  setPoints(points: readonly PointDef[]): void {
    this.#results.setPoints(points);
    this.cov.setPoints(points);
    this.#plan();
  }

  /** Polled points: all but those a live COV subscription delivers. */
  #plan(): void {
    const refs = new Map<string, PropertyRef>();
    for (const p of this.#results.points) if (!this.cov.covered(p) && !refs.has(refKey(p))) refs.set(refKey(p), propertyRef(p));
    this.#batches = planBatches([...refs.values()], this.maxApdu, this.#deps.opts.maxPropertiesPerRequest);
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
      this.#deps.log.info(
        { channel: this.channel.id, deviceId: iam.deviceId, from: before, to: iam.address },
        before ? 'device moved' : 'device found',
      );
      this.cov.resubscribeAll();
      if (this.#running) this.#kick();
    }
  }

  onCov(n: CovNotification): void {
    if (n.address !== this.address || n.processId !== this.cov.processId) return;
    this.#deps.stats.covNotifications++;
    this.#heard();
    this.#results.cov(n);
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
    if (this.#batches.length === 0 && this.#results.points.length > 0) {
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
        this.#results.apply(batch, results);
        return;
      } catch (err) {
        const e = err as Error;
        if (isTooLarge(e) && batch.refs.length > 1) {
          const parts = halve(batch);
          this.#batches = this.#batches.flatMap((x) => (x === batch ? parts : [x]));
          this.#deps.log.info(
            { channel: this.channel.id, refs: batch.refs.length, err: e.message },
            'RPM answer too large for the device; splitting the batch',
          );
          for (const part of parts) await this.#readBatch(address, part);
          return;
        }
        if (isUnsupportedService(e) && this.rpm === 'unknown') {
          this.rpm = 'no';
          this.#deps.log.info(
            { channel: this.channel.id, err: e.message },
            'device has no ReadPropertyMultiple; reading property by property',
          );
        } else {
          this.#results.faultBatch(batch, e);
          return;
        }
      }
    }
    // Property by property, reported together once the batch is read (one report, not one per point).
    const { answered, results } = await readEach(
      batch.refs,
      async (ref) => {
        const value = await this.#guard(() => this.#deps.session.readProperty(address, ref.objectType, ref.instance, ref.property));
        if (value) this.#deps.stats.rp++;
        return value;
      },
      (ref, err) => this.#results.faultBatch({ refs: [ref] }, err),
    );
    if (answered.length > 0) this.#results.apply({ refs: answered, specs: [] }, results);
  }

  #heard(): void {
    this.#lastHeard = Date.now();
    this.#timeoutsInRow = 0;
    if (this.#offline !== undefined) {
      this.#offline = undefined;
      this.#deps.log.info({ channel: this.channel.id, deviceId: this.channel.deviceId }, 'device answering again');
      this.#deps.sink.fault(`dev:${this.channel.id}`, this.#results.points, undefined);
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
    this.#deps.sink.fault(`dev:${this.channel.id}`, this.#results.points, this.#offline);
    if (this.channel.mode === 'broadcast') this.#discover(true);
  }

  /** On-demand read of some points (getProperties). */
  async read(points: readonly PointDef[]): Promise<Map<string, PointValue>> {
    const { opts, session } = this.#deps;
    return readNow(points, {
      address: this.#need(),
      maxApdu: this.maxApdu,
      maxPropertiesPerRequest: opts.maxPropertiesPerRequest,
      rpm: this.rpm !== 'no',
      session,
      call: (fn) => this.#call(fn),
    });
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
    await this.#call(() =>
      this.#deps.session.writeProperty(address, p.objectType, p.instance, p.property, value, priority).then(() => true),
    );
    const back = await this.read([p]);
    return back.get(p.id)!;
  }
}
