/** The one retry timing of the box (protocols/common/backoff.ts), with fake timers: time is the subject here. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffMs, backoffStepMs, RetryTimer } from '../../protocols/common/backoff.js';

describe('backoff', () => {
  it('doubles from the minimum, stops at the cap, and jitters over the upper half of the step', () => {
    expect([0, 1, 2, 3, 4, 5].map((a) => backoffStepMs(a, 200, 3000))).toEqual([200, 400, 800, 1600, 3000, 3000]);
    expect(backoffStepMs(1000, 200, 3000)).toBe(3000); // no overflow to Infinity
    expect(backoffMs(3, 200, 3000, () => 0)).toBe(800);
    expect(backoffMs(3, 200, 3000, () => 1)).toBe(1600);
    expect(backoffMs(3, 200, 3000, () => 0.5)).toBe(1200);
  });
});

describe('RetryTimer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires each retry after its delay, the delays doubling until the cap, and a reset starts over', () => {
    const retry = new RetryTimer({ minMs: 100, maxMs: 500, random: () => 1 });
    const firedAt: number[] = [];
    const start = Date.now();
    const fail = (): void => {
      retry.schedule(() => {
        firedAt.push(Date.now() - start);
        if (firedAt.length < 5) fail();
      });
    };
    fail();
    vi.advanceTimersByTime(99);
    expect(firedAt).toEqual([]);
    vi.advanceTimersByTime(10_000);
    // 100, +200, +400, +500 (capped), +500
    expect(firedAt).toEqual([100, 300, 700, 1200, 1700]);
    expect(retry.attempt).toBe(5);
    retry.reset();
    expect(retry.nextDelayMs()).toBe(100);
  });

  it('keeps one retry pending at a time, and a cancelled one never fires', () => {
    const retry = new RetryTimer({ minMs: 100, maxMs: 1000, random: () => 0 });
    const fn = vi.fn();
    expect(retry.schedule(fn)).toBe(50);
    expect(retry.schedule(fn)).toBeUndefined(); // a second failure while one is pending adds nothing
    expect(retry.pending).toBe(true);
    retry.cancel();
    vi.advanceTimersByTime(5000);
    expect(fn).not.toHaveBeenCalled();
    expect(retry.pending).toBe(false);
  });

  it('reads its options at each schedule, so a changed config applies to the next retry', () => {
    let max = 1000;
    const retry = new RetryTimer(() => ({ minMs: 400, maxMs: max, random: () => 1 }));
    expect(retry.schedule(() => undefined)).toBe(400);
    vi.runAllTimers();
    max = 500;
    expect(retry.schedule(() => undefined)).toBe(500);
  });
});
