/**
 * What the hostile benchmark measures: QR round trips paced over the doors, the CPU of the box's
 * processes over a set of windows, and their RSS with its peak (and drivers replaced meanwhile).
 */
import { readFileSync } from 'node:fs';
import type { SimulatedDoor } from '../../sim/door-standard/door.js';
import { childPids, round, rssMb, sleep } from '../lib.js';

export interface Scans {
  /** Round trips of the scans answered code 0, ms, sorted. */
  rtt: number[];
  failed: number;
  /** The first failure's reason. */
  first?: string;
}

/** QR scans paced at `rate`/s over the doors for `seconds`. */
export async function scans(doors: SimulatedDoor[], qr: string, rate: number, seconds: number): Promise<Scans> {
  const rtt: number[] = [];
  let failed = 0;
  let first: string | undefined;
  const scan = async (door: SimulatedDoor): Promise<void> => {
    const s = performance.now();
    try {
      const r = await door.scanQr(qr);
      if (r.code !== 0) throw new Error(`code ${r.code} ${String(r.message ?? '')}`);
      rtt.push(performance.now() - s);
    } catch (err) {
      failed++;
      first ??= (err as Error).message;
    }
  };
  const n = Math.round(seconds * rate);
  const t0 = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const wait = t0 + (i * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
    pending.push(scan(doors[i % doors.length]!));
  }
  await Promise.all(pending);
  return { rtt: rtt.sort((a, b) => a - b), failed, ...(first ? { first } : {}) };
}

/** Several windows' scans as one. */
export const allScans = (w: Scans[]): Scans => ({
  rtt: w.flatMap((x) => x.rtt).sort((x, y) => x - y),
  failed: w.reduce((n, x) => n + x.failed, 0),
  ...(w.find((x) => x.first) ? { first: w.find((x) => x.first)!.first! } : {}),
});

/** CPU the box's processes used over a set of windows, in cores. */
export class Cpu {
  readonly #read: () => number[];
  #used: number[] = [];
  #seconds = 0;
  constructor(read: () => number[]) {
    this.#read = read;
  }
  async during<T>(fn: () => Promise<T>): Promise<T> {
    const c0 = this.#read();
    const t0 = performance.now();
    const value = await fn();
    this.#seconds += (performance.now() - t0) / 1000;
    this.#used = this.#read().map((c, i) => (this.#used[i] ?? 0) + c - c0[i]!);
    return value;
  }
  /** The daemon's, then each driver's. */
  cores(): number[] {
    return this.#used.map((c) => round(c / this.#seconds, 2));
  }
}

export interface BoxRss {
  daemon: number;
  total: number;
  each: Map<number, number>;
}

/** The daemon's RSS and its driver processes', MB (each process by its pid, the total). */
export function boxRss(pid: number): BoxRss {
  const each = new Map([pid, ...childPids(pid)].map((p) => [p, rssMb(p)] as const).filter(([, mb]) => Number.isFinite(mb)));
  return { daemon: each.get(pid) ?? NaN, total: [...each.values()].reduce((a, b) => a + b, 0), each };
}

/** The box's RSS every 250 ms while the daemon lives: its peak, and driver processes that appeared (replaced). */
export function watchRss(pid: number, alive: () => boolean): { start: BoxRss; peak(): BoxRss; replaced(): number; stop(): void } {
  const start = boxRss(pid);
  let peak = start;
  let replaced = 0;
  const seen = new Set(start.each.keys());
  const timer = setInterval(() => {
    if (!alive()) return;
    const r = boxRss(pid);
    peak = {
      daemon: Math.max(peak.daemon, r.daemon),
      total: Math.max(peak.total, r.total),
      each: new Map([...r.each].map(([p, mb]) => [p, Math.max(mb, peak.each.get(p) ?? 0)])),
    };
    for (const p of childPids(pid)) {
      if (seen.has(p)) continue;
      seen.add(p);
      replaced++;
    }
  }, 250);
  return { start, peak: () => peak, replaced: () => replaced, stop: () => clearInterval(timer) };
}

/** A driver process's name: the driver module it runs (edge/host/channel.ts forks it with the module as its argument). */
export function driverOf(pid: number): string {
  try {
    return /drivers\/([^/]+)\//.exec(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))?.[1] ?? String(pid);
  } catch {
    return String(pid);
  }
}
