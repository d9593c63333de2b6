/**
 * The deadlines of holds in progress (a side on a device to look at again): one heap behind one
 * timer (edge/rules/timer-heap.ts), armed only while the engine runs.
 */
import { TimerHeap } from '../timer-heap.js';
import type { SideRef } from './rule-index.js';

export type DueHandler = (ref: SideRef, deviceName: string, now: number) => void;

export class Deadlines {
  readonly #heap = new TimerHeap<{ ref: SideRef; deviceName: string }>();
  readonly #now: () => number;
  readonly #onDue: DueHandler;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity;
  #running = false;

  constructor(now: () => number, onDue: DueHandler) {
    this.#now = now;
    this.#onDue = onDue;
  }

  start(): void {
    this.#running = true;
    this.#arm();
  }

  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  schedule(at: number, ref: SideRef, deviceName: string): void {
    this.#heap.push(at, { ref, deviceName });
    if (at < this.#timerAt) this.#arm();
  }

  #arm(): void {
    clearTimeout(this.#timer);
    const next = this.#heap.peek();
    this.#timerAt = next ?? Infinity;
    if (next === undefined || !this.#running) return;
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, next - this.#now()));
    this.#timer.unref?.();
  }

  #fire(): void {
    const now = this.#now();
    for (const { ref, deviceName } of this.#heap.popDue(now)) this.#onDue(ref, deviceName, now);
    this.#arm();
  }
}
