/**
 * The store's write health counts recovery per area (edge/store/write-health.ts): on a full disk
 * a write of one area may still fit in pages SQLite holds while another area fails, and that
 * must not end the episode. Fake timers: the quiet window is the subject.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StoreWriteHealth, type WriteHealthListener } from '../../edge/store/write-health.js';

const FULL = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });

describe('store write health', () => {
  let health: StoreWriteHealth;
  let seen: Parameters<WriteHealthListener>[0][];
  beforeEach(() => {
    vi.useFakeTimers();
    health = new StoreWriteHealth({ quietMs: 2000 });
    seen = [];
    health.onChange((c) => seen.push(c));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a success in another area does not end the episode', () => {
    health.failed('checkpoint', FULL);
    health.ok('cloud outbox');
    vi.advanceTimersByTime(10_000);
    expect(health.writable).toBe(false);
    expect(health.state()).toMatchObject({ writable: false, area: 'checkpoint', failures: 1 });
    expect(seen).toEqual([{ writable: false, area: 'checkpoint', error: 'database or disk is full' }]);
  });

  it('the failing area recovers after its own success and quietMs without a failure of its own', () => {
    health.failed('cloud outbox', FULL);
    health.ok('cloud outbox');
    vi.advanceTimersByTime(1999);
    expect(health.writable).toBe(false);
    vi.advanceTimersByTime(1);
    expect(health.writable).toBe(true);
    expect(seen.map((c) => c.writable)).toEqual([false, true]);
    expect(seen[1]).toMatchObject({ writable: true, failedWrites: 1, failedForMs: 2000 });
  });

  it('a failure within the quiet window cancels the recovery', () => {
    health.failed('cloud outbox', FULL);
    health.ok('cloud outbox');
    vi.advanceTimersByTime(1500);
    health.failed('cloud outbox', FULL);
    vi.advanceTimersByTime(5000);
    expect(health.writable).toBe(false);
    health.ok('cloud outbox');
    vi.advanceTimersByTime(2000);
    expect(health.writable).toBe(true);
    expect(seen.map((c) => c.writable)).toEqual([false, true]);
  });

  it('one episode: each area reported once, even when it recovers and fails again; the end once, when all are well', () => {
    health.failed('cloud outbox', FULL);
    health.failed('checkpoint', FULL);
    health.ok('cloud outbox'); // fitted into pages SQLite held
    vi.advanceTimersByTime(3000);
    health.failed('cloud outbox', FULL); // the same episode: not reported again
    expect(health.state().area).toBe('cloud outbox'); // the first to fail
    health.ok('checkpoint');
    vi.advanceTimersByTime(3000);
    expect(health.writable).toBe(false); // the outbox has not written since
    health.ok('cloud outbox');
    vi.advanceTimersByTime(2000);
    expect(health.writable).toBe(true);
    expect(seen.map((c) => (c.writable ? 'well' : c.area))).toEqual(['cloud outbox', 'checkpoint', 'well']);
    expect(seen[2]).toMatchObject({ failedWrites: 3 });
    // The next failure is a new episode, reported again.
    health.failed('cloud outbox', FULL);
    expect(seen.at(-1)).toMatchObject({ writable: false, area: 'cloud outbox' });
    expect(health.state().failures).toBe(4);
  });
});
