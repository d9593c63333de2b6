/**
 * Polls one channel: its points planned into block reads, one schedule per (slave, sampling
 * period) spread over the period so requests do not all leave at once. A slave that times
 * out is marked dead and only probed with backoff, so it costs the others at most its own
 * timeout; an exception marks the block's points faulty (a bridged block refused with
 * ILLEGAL DATA ADDRESS is re-planned without the bridge instead).
 */
import type { Logger } from 'pino';
import { decodeRegisters, type PointValue } from '../../protocols/modbus/codec.js';
import { bitAt, ModbusDisconnected, ModbusException, ModbusTimeout, readRequest, responseData } from '../../protocols/modbus/frames.js';
import { isBitArea, type PointDef } from '../../protocols/modbus/point.js';
import { planReads, unbridge, type ReadBlock } from '../../protocols/modbus/planner.js';
import type { DriverOptions } from './config.js';
import type { ChannelLink } from './link.js';
import type { PollStats } from './stats.js';
import { backoffStepMs } from '../../protocols/common/backoff.js';
import { platformNow } from '../../edge/host/sdk/clock.js';

export interface PollSink {
  /** A block was read: `changed` holds the values to report (every point if periodic, changed ones if on-change). */
  block(points: readonly PointDef[], changed: [PointDef, PointValue][], time: number): void;
  /** A fault appeared (`reason`) or cleared (undefined) on these points. */
  fault(key: string, points: readonly PointDef[], reason: string | undefined): void;
}

interface SlaveHealth {
  dead: boolean;
  retryAt: number;
  attempt: number;
  probing: boolean;
}

class PollGroup {
  timer: NodeJS.Timeout | undefined;
  next = 0;
  outstanding = 0;
  constructor(
    readonly slave: number,
    readonly periodMs: number,
    public blocks: ReadBlock[],
  ) {}
}

/** The value of a block's i-th point in the block's answer. */
export function decodeAt(block: ReadBlock, data: Buffer, i: number): PointValue {
  const offset = block.offsets[i]!;
  return isBitArea(block.area) ? bitAt(data, offset) : decodeRegisters(data.subarray(offset * 2), block.points[i]!);
}

export class ChannelPoller {
  readonly #link: ChannelLink;
  readonly #opts: DriverOptions;
  readonly #log: Logger;
  readonly #sink: PollSink;
  readonly #stats: PollStats;
  #groups: PollGroup[] = [];
  #health = new Map<number, SlaveHealth>();
  #last = new Map<string, PointValue>();
  #faults = new Set<string>();
  #running = false;

  constructor(deps: { link: ChannelLink; opts: DriverOptions; log: Logger; sink: PollSink; stats: PollStats }) {
    this.#link = deps.link;
    this.#opts = deps.opts;
    this.#log = deps.log;
    this.#sink = deps.sink;
    this.#stats = deps.stats;
  }

  /** (Re)plan with the points devices currently use and restart the schedules. */
  setPoints(points: readonly PointDef[]): void {
    this.#clearTimers();
    const blocks = planReads(points, { maxGapRegisters: this.#opts.maxGapRegisters });
    const byKey = new Map<string, PollGroup>();
    for (const b of blocks) {
      const k = `${b.slave}|${b.periodMs}`;
      let g = byKey.get(k);
      if (!g) byKey.set(k, (g = new PollGroup(b.slave, b.periodMs, [])));
      g.blocks.push(b);
    }
    this.#groups = [...byKey.values()];
    const ids = new Set(points.map((p) => p.id));
    for (const id of this.#last.keys()) if (!ids.has(id)) this.#last.delete(id);
    if (this.#running) this.#arm();
  }

  get blockCount(): number {
    return this.#groups.reduce((n, g) => n + g.blocks.length, 0);
  }

  start(): void {
    this.#running = true;
    this.#arm();
  }

  stop(): void {
    this.#running = false;
    this.#clearTimers();
  }

  #arm(): void {
    const now = Date.now();
    this.#groups.forEach((g, i) => {
      // Spread the schedules over the period: the slaves of a channel take turns.
      const phase = Math.floor((i / this.#groups.length) * g.periodMs);
      g.next = now + phase;
      g.timer = setTimeout(() => this.#tick(g), phase);
    });
  }

  #clearTimers(): void {
    for (const g of this.#groups) clearTimeout(g.timer);
  }

  #tick(g: PollGroup): void {
    if (!this.#running) return;
    const now = Date.now();
    const scheduled = g.next;
    this.#stats.startLateness.add(now - scheduled);
    g.next += g.periodMs;
    while (g.next <= now) {
      g.next += g.periodMs; // turns missed entirely are not made up
      this.#stats.overruns++;
    }
    g.timer = setTimeout(() => this.#tick(g), g.next - now);
    if (!this.#link.up) return;
    if (g.outstanding > 0) {
      this.#stats.overruns++; // the previous cycle is still out: do not pile up requests
      return;
    }
    const h = this.#healthOf(g.slave);
    let blocks = g.blocks;
    if (h.dead) {
      if (now < h.retryAt || h.probing) return;
      h.probing = true;
      blocks = blocks.slice(0, 1);
    }
    g.outstanding = blocks.length;
    for (const b of blocks) void this.#read(g, b, scheduled);
  }

  #healthOf(slave: number): SlaveHealth {
    let h = this.#health.get(slave);
    if (!h) this.#health.set(slave, (h = { dead: false, retryAt: 0, attempt: 0, probing: false }));
    return h;
  }

  async #read(g: PollGroup, b: ReadBlock, scheduled: number): Promise<void> {
    const req = readRequest(b.fc, b.start, b.quantity);
    const h = this.#healthOf(b.slave);
    const channel = this.#link.channel.id;
    try {
      const data = responseData(req, await this.#link.request(b.slave, req));
      this.#stats.requests++;
      const time = platformNow();
      if (h.dead) this.#revive(h, b.slave);
      this.#clearFault(`blk:${channel}/${b.slave}/${b.fc}/${b.start}`, b);
      const changed: [PointDef, PointValue][] = [];
      for (let i = 0; i < b.points.length; i++) {
        const p = b.points[i]!;
        const v = decodeAt(b, data, i);
        if (p.report === 'onChange') {
          if (this.#last.get(p.id) === v) continue;
          this.#last.set(p.id, v); // only on-change points need the last value
        }
        changed.push([p, v]);
      }
      this.#stats.values += b.points.length;
      this.#sink.block(b.points, changed, time);
    } catch (err) {
      this.#stats.failures++;
      this.#onError(g, b, h, err as Error);
    } finally {
      if (h.probing) h.probing = false;
      if (--g.outstanding === 0) this.#stats.completion.add(Date.now() - scheduled);
    }
  }

  #onError(g: PollGroup, b: ReadBlock, h: SlaveHealth, err: Error): void {
    const channel = this.#link.channel.id;
    if (err instanceof ModbusDisconnected) return; // the link reports the channel fault
    if (err instanceof ModbusTimeout) {
      h.attempt = h.dead ? h.attempt + 1 : 0;
      h.dead = true;
      h.retryAt = Date.now() + backoffStepMs(h.attempt, this.#opts.backoffMinMs, this.#opts.backoffMaxMs);
      const key = `slave:${channel}/${b.slave}`;
      if (!this.#faults.has(key)) {
        this.#faults.add(key);
        this.#log.warn({ channel, slave: b.slave, err: err.message }, 'slave not answering');
        this.#sink.fault(key, this.#pointsOfSlave(b.slave), err.message);
      }
      return;
    }
    if (h.dead) this.#revive(h, b.slave); // it answered, if only with an exception
    if (err instanceof ModbusException && err.exceptionCode === 2 && b.bridged) {
      const parts = unbridge(b, { maxGapRegisters: 0 });
      g.blocks = g.blocks.flatMap((x) => (x === b ? parts : [x]));
      this.#log.info({ channel, slave: b.slave, start: b.start, parts: parts.length }, 'bridged read refused; reading without the bridge');
      return;
    }
    const key = `blk:${channel}/${b.slave}/${b.fc}/${b.start}`;
    if (!this.#faults.has(key)) {
      this.#faults.add(key);
      const exception = err instanceof ModbusException ? err.exceptionName : undefined;
      this.#log.warn(
        { channel, slave: b.slave, fc: b.fc, start: b.start, quantity: b.quantity, exception, err: err.message },
        'block read failed',
      );
      this.#sink.fault(key, b.points, err.message);
    }
  }

  #revive(h: SlaveHealth, slave: number): void {
    h.dead = false;
    h.attempt = 0;
    const key = `slave:${this.#link.channel.id}/${slave}`;
    if (this.#faults.delete(key)) {
      this.#log.info({ channel: this.#link.channel.id, slave }, 'slave answering again');
      this.#sink.fault(key, this.#pointsOfSlave(slave), undefined);
    }
  }

  #clearFault(key: string, b: ReadBlock): void {
    if (this.#faults.delete(key)) this.#sink.fault(key, b.points, undefined);
  }

  #pointsOfSlave(slave: number): PointDef[] {
    return this.#groups.filter((g) => g.slave === slave).flatMap((g) => g.blocks.flatMap((b) => b.points));
  }
}
