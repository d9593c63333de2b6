/**
 * History recorder: one row per series per flush (the last value), a batch held in memory while
 * the database refuses writes (newer values win, nothing of it lost), and new series dropped and
 * counted once `maxPending` series wait.
 */
import { describe, expect, it } from 'vitest';
import { EventBus } from '../../edge/events.js';
import { HistoryRecorder } from '../../edge/history/recorder.js';
import { HistoryStore } from '../../edge/history/store.js';
import { silentLogger } from '../../edge/log.js';
import { openDatabase } from '../../edge/store/db.js';

const T0 = Date.now();
const LIMITS = { rawHours: 24, minuteDays: 1, eventDays: 1, maxMb: 100 };

function recorderWith(maxPending?: number) {
  const db = openDatabase(':memory:');
  const store = new HistoryStore(db, LIMITS);
  const events = new EventBus(silentLogger());
  const recorder = new HistoryRecorder(
    { store, events, log: silentLogger() },
    { flushMs: 3_600_000, maintenanceS: 3600, ...(maxPending ? { maxPending } : {}) },
  );
  recorder.start();
  const report = (deviceName: string, params: Record<string, number>, time: number) =>
    events.emit('device.properties', {
      productKey: 'P',
      deviceName,
      params: Object.fromEntries(Object.entries(params).map(([k, value]) => [k, { value, time }])),
    });
  const points = (device: string, prop: string) => store.series(`P/${device}`, prop, T0 - 1000, T0 + 100_000).points;
  return { db, recorder, report, points };
}

describe('history recorder', () => {
  it('writes the last value of each series per flush', () => {
    const { recorder, report, points } = recorderWith();
    report('d1', { A: 1, B: 10 }, T0);
    report('d1', { A: 2 }, T0 + 1);
    report('d2', { A: 5 }, T0 + 2);
    recorder.flush();
    expect(points('d1', 'A')).toEqual([[T0 + 1, 2]]);
    expect(points('d1', 'B')).toEqual([[T0, 10]]);
    expect(points('d2', 'A')).toEqual([[T0 + 2, 5]]);
    report('d1', { A: 3 }, T0 + 10);
    recorder.flush();
    expect(points('d1', 'A')).toEqual([
      [T0 + 1, 2],
      [T0 + 10, 3],
    ]);
    recorder.stop();
  });

  it('holds the batch while the database refuses writes, newer values winning', () => {
    const { db, recorder, report, points } = recorderWith();
    report('d1', { A: 1 }, T0);
    db.pragma('query_only = ON'); // a real refusal from SQLite, as on a failing disk
    recorder.flush();
    report('d1', { A: 7 }, T0 + 5);
    report('d2', { A: 9 }, T0 + 6);
    recorder.flush();
    db.pragma('query_only = OFF');
    recorder.flush();
    expect(points('d1', 'A')).toEqual([[T0 + 5, 7]]);
    expect(points('d2', 'A')).toEqual([[T0 + 6, 9]]);
    recorder.stop();
  });

  it('drops values of new series past maxPending, counted, and keeps the waiting ones current', () => {
    const { recorder, report, points } = recorderWith(2);
    report('d1', { A: 1, B: 2, C: 3 }, T0);
    expect(recorder.dropped).toBe(1);
    report('d1', { A: 4 }, T0 + 1); // already waiting: updated, not dropped
    expect(recorder.dropped).toBe(1);
    recorder.flush();
    expect(points('d1', 'A')).toEqual([[T0 + 1, 4]]);
    expect(points('d1', 'C')).toEqual([]);
    report('d1', { C: 5 }, T0 + 2); // room again after the flush
    recorder.stop();
    expect(points('d1', 'C')).toEqual([[T0 + 2, 5]]);
  });
});
