/** History store: only changes kept, downsampling past the raw window, range queries, events paging, the size budget. */
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../edge/store/db.js';
import { HistoryStore, type ValueChange } from '../../edge/history/store.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2026, 0, 1);

function storeAt(clock: { now: number }, limits = { rawHours: 1, minuteDays: 1, eventDays: 1, maxMb: 100 }) {
  return new HistoryStore(openDatabase(':memory:'), limits, () => clock.now);
}

describe('history store', () => {
  it('keeps only changes, and the value in force at the start of a range', () => {
    const clock = { now: T0 + 10 * MIN };
    const s = storeAt(clock);
    const v = (t: number, value: unknown): ValueChange => ({ device: 'P/d1', prop: 'Temp', t, value });
    s.write([v(T0, 20), v(T0 + MIN, 20), v(T0 + 2 * MIN, 21), v(T0 + 3 * MIN, 21), v(T0 + 4 * MIN, 22)], []);
    const all = s.series('P/d1', 'Temp', T0, T0 + 10 * MIN);
    expect(all).toEqual({
      resolution: 'raw',
      points: [
        [T0, 20],
        [T0 + 2 * MIN, 21],
        [T0 + 4 * MIN, 22],
      ],
    });
    // From the middle: 21 was in force, drawn at the range's start.
    expect(s.series('P/d1', 'Temp', T0 + 3 * MIN, T0 + 10 * MIN).points).toEqual([
      [T0 + 3 * MIN, 21],
      [T0 + 4 * MIN, 22],
    ]);
    // Booleans are numbers, structures JSON.
    s.write(
      [
        { device: 'P/d1', prop: 'On', t: T0, value: true },
        { device: 'P/d1', prop: 'Obj', t: T0, value: { a: 1 } },
      ],
      [],
    );
    expect(s.series('P/d1', 'On', T0, T0 + MIN).points).toEqual([[T0, 1]]);
    expect(s.series('P/d1', 'Obj', T0, T0 + MIN).points).toEqual([[T0, '{"a":1}']]);
  });

  it('downsamples past the raw window to 1-minute min/max/avg, and a long range reads minutes with nothing lost at the seam', () => {
    const clock = { now: T0 };
    const s = storeAt(clock);
    // Two hours of a value changing every 10 s: 0..719.
    const values: ValueChange[] = [];
    for (let i = 0; i < 720; i++) values.push({ device: 'P/m', prop: 'V', t: T0 + i * 10_000, value: i });
    s.write(values, []);
    clock.now = T0 + 2 * HOUR;
    s.maintain(); // raw window 1 h: the first hour becomes 60 minutes
    const long = s.series('P/m', 'V', T0, T0 + 2 * HOUR);
    expect(long.resolution).toBe('minute');
    expect(long.points).toHaveLength(120); // 60 stored minutes + 60 folded from raw
    expect(long.points[0]).toEqual([T0, 2.5, 0, 5]); // avg, min, max of 0..5
    expect(long.points[119]).toEqual([T0 + 119 * MIN, 716.5, 714, 719]);
    const recent = s.series('P/m', 'V', T0 + HOUR + 30 * MIN, T0 + 2 * HOUR);
    expect(recent.resolution).toBe('raw');
    expect(recent.points[0]).toEqual([T0 + 90 * MIN, 540]);
    // Minutes expire after minuteDays.
    clock.now = T0 + 26 * HOUR;
    s.maintain();
    expect(s.series('P/m', 'V', T0, clock.now).points).toEqual([]);
  });

  it('events: newest first, filtered by device and kind, paged', () => {
    const clock = { now: T0 + HOUR };
    const s = storeAt(clock);
    const events = Array.from({ length: 25 }, (_, i) => ({
      t: T0 + i * 1000,
      device: i % 2 ? 'P/a' : 'P/b',
      kind: (i % 5 === 0 ? 'status' : 'event') as 'status' | 'event',
      name: `e${i}`,
      data: { i },
    }));
    s.write([], events);
    const first = s.events({ device: 'P/a', limit: 5 });
    expect(first.events.map((e) => e.name)).toEqual(['e23', 'e21', 'e19', 'e17', 'e15']);
    expect(first.events[0]!.data).toEqual({ i: 23 });
    const second = s.events({ device: 'P/a', limit: 5, before: first.next! });
    expect(second.events.map((e) => e.name)).toEqual(['e13', 'e11', 'e9', 'e7', 'e5']);
    expect(s.events({ kind: 'status', limit: 10 }).events.map((e) => e.name)).toEqual(['e20', 'e15', 'e10', 'e5', 'e0']);
    expect(s.events({ kind: 'status', limit: 10 }).next).toBeNull();
  });

  it('keeps within the size budget by dropping the oldest first', () => {
    const clock = { now: T0 };
    const s = storeAt(clock, { rawHours: 1000, minuteDays: 1000, eventDays: 1000, maxMb: 1 });
    // About 3 MB of changes over 10 hours, in batches as the recorder writes them.
    for (let batch = 0; batch < 60; batch++) {
      const values: ValueChange[] = [];
      for (let i = 0; i < 1000; i++) {
        const n = batch * 1000 + i;
        values.push({ device: `P/dev-${n % 50}`, prop: 'Power', t: T0 + n * 600, value: n + 0.5 });
      }
      s.write(values, [{ t: T0 + batch * 600_000, device: 'P/dev-0', kind: 'event', name: 'Tick', data: { pad: 'x'.repeat(200) } }]);
    }
    clock.now = T0 + 10 * HOUR;
    expect(s.measure()).toBeGreaterThan(1024 * 1024);
    const { dropped, bytes } = s.maintain();
    expect(dropped).toBeGreaterThan(0);
    expect(bytes).toBeLessThanOrEqual(1024 * 1024);
    expect(s.status().bytes).toBe(bytes);
    // The newest values are there, the oldest gone.
    expect(s.series('P/dev-9', 'Power', T0 + 9 * HOUR, T0 + 10 * HOUR).points.length).toBeGreaterThan(0);
    expect(s.status().oldest).toBeGreaterThan(T0);
    const oldestEvent = s.events({ limit: 1000 }).events.at(-1)!;
    expect(oldestEvent.t).toBeGreaterThan(T0);
  });
});
