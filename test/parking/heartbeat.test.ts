/** The Heartbeat record every 30 s (R45), under fake timers. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HEARTBEAT_MS, Heartbeat } from '../../apps/parking-adapter/heartbeat.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('heartbeat', () => {
  it('inserts one Heartbeat at start and one every 30 s, with the lots and whether the system answered', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date(2026, 0, 2, 3, 4, 5));
    const inserts: [string, Record<string, unknown>][] = [];
    let up = true;
    const hb = new Heartbeat({
      probe: async () => (up ? ['88'] : Promise.reject(new Error('down'))),
      insert: async (m, p) => void inserts.push([m, p]),
    });
    hb.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(inserts).toEqual([['Heartbeat', { parkingLotId: '88', online: 1, eventTime: '2026-01-02 03:04:05' }]]);
    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS - 1);
    expect(inserts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(inserts).toHaveLength(2);
    expect(inserts[1]![1].eventTime).toBe('2026-01-02 03:04:35');
    up = false;
    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS);
    // The system did not answer: still a heartbeat (the app is alive), flagged offline, with the last known lots.
    expect(inserts[2]).toEqual(['Heartbeat', { parkingLotId: '88', online: 0, eventTime: '2026-01-02 03:05:05' }]);
    await hb.stop();
    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS * 3);
    expect(inserts).toHaveLength(3);
  });

  it('a failed insert is reported, not thrown, and the next beat comes on time', async () => {
    vi.useFakeTimers();
    const errors: unknown[] = [];
    let calls = 0;
    const hb = new Heartbeat({
      probe: async () => ['88'],
      insert: async () => {
        calls++;
        if (calls === 1) throw new Error('API down');
      },
      onError: (err) => errors.push(err),
    });
    hb.start();
    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS);
    expect(calls).toBe(2);
    expect(errors).toHaveLength(1);
    await hb.stop();
  });
});
