/**
 * History in SQLite: batches of value changes and events written in one transaction each,
 * values downsampled to 1-minute min/max/avg past the raw window, everything expired by age and
 * kept within a size budget (oldest dropped first). Queries pick raw or minute data by range.
 */
import { type Db, migrate } from '../store/db.js';
import { historyMigrations } from './schema.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface HistoryLimits {
  rawHours: number;
  minuteDays: number;
  eventDays: number;
  maxMb: number;
}

/** One property value as reported: `value` is a number (bool, enum too) or anything else (kept as JSON). */
export interface ValueChange {
  device: string;
  prop: string;
  t: number;
  value: unknown;
}

export interface HistoryEvent {
  t: number;
  device: string;
  kind: 'event' | 'status';
  name: string;
  data?: unknown;
}

export interface StoredEvent extends HistoryEvent {
  id: number;
}

/** `raw`: [t, value] of every change; `minute`: [t, avg, min, max] per minute. */
export type Series =
  | { resolution: 'raw'; points: [number, number | string | null][] }
  | { resolution: 'minute'; points: [number, number, number, number][] };

export interface EventQuery {
  device?: string | undefined;
  kind?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
  /** Paging: only events with a smaller id (the `next` of the previous page). */
  before?: number | undefined;
  limit: number;
}

export interface HistoryStatus extends HistoryLimits {
  /** Bytes the history tables use (measured at the last maintenance). */
  bytes: number;
  /** The whole box database file, bytes. */
  dbBytes: number;
  oldest: number | null;
  series: number;
}

export class HistoryStore {
  readonly #db: Db;
  readonly #limits: HistoryLimits;
  readonly #now: () => number;
  readonly #sids = new Map<string, number>();
  /** The last value written per series: only changes are kept. */
  readonly #last = new Map<number, unknown>();
  #bytes = 0;
  readonly #q;

  constructor(db: Db, limits: HistoryLimits, now: () => number = Date.now) {
    this.#db = db;
    this.#limits = limits;
    this.#now = now;
    migrate(db, 'history', historyMigrations);
    this.#q = {
      sid: db.prepare<[string, string], { id: number }>('SELECT id FROM history_series WHERE device = ? AND prop = ?'),
      addSeries: db.prepare('INSERT INTO history_series (device, prop) VALUES (?, ?)'),
      raw: db.prepare('INSERT INTO history_raw (sid, t, v, s) VALUES (?, ?, ?, ?)'),
      event: db.prepare('INSERT INTO history_events (t, device, kind, name, data) VALUES (?, ?, ?, ?, ?)'),
      downsample: db.prepare(`
        INSERT INTO history_minute (sid, t, min, max, avg, n)
        SELECT sid, (t / ${MINUTE}) * ${MINUTE}, min(v), max(v), avg(v), count(v)
          FROM history_raw WHERE t < ? AND v IS NOT NULL GROUP BY sid, t / ${MINUTE}
        ON CONFLICT (sid, t) DO UPDATE SET
          min = min(history_minute.min, excluded.min),
          max = max(history_minute.max, excluded.max),
          avg = (history_minute.avg * history_minute.n + excluded.avg * excluded.n) / (history_minute.n + excluded.n),
          n = history_minute.n + excluded.n`),
      dropRaw: db.prepare('DELETE FROM history_raw WHERE t < ?'),
      dropMinute: db.prepare('DELETE FROM history_minute WHERE t < ?'),
      dropEvents: db.prepare('DELETE FROM history_events WHERE t < ?'),
      oldest: db.prepare<[], { t: number | null }>(`SELECT min(t) AS t FROM (
        SELECT min(t) AS t FROM history_raw UNION ALL SELECT min(t) FROM history_minute UNION ALL SELECT min(t) FROM history_events)`),
      size: db.prepare<[], { bytes: number | null }>(
        // Tables and their indexes (all named history_…); aggregate mode: one row per b-tree.
        "SELECT sum(pgsize) AS bytes FROM dbstat('main', 1) WHERE name LIKE 'history%' OR name LIKE 'sqlite_autoindex_history%'",
      ),
      rawRange: db.prepare<[number, number, number], { t: number; v: number | null; s: string | null }>(
        'SELECT t, v, s FROM history_raw WHERE sid = ? AND t > ? AND t < ? ORDER BY t',
      ),
      rawBefore: db.prepare<[number, number], { t: number; v: number | null; s: string | null }>(
        'SELECT t, v, s FROM history_raw WHERE sid = ? AND t <= ? ORDER BY t DESC LIMIT 1',
      ),
      rawMinutes: db.prepare<[number, number, number], { t: number; avg: number; min: number; max: number; n: number }>(
        `SELECT (t / ${MINUTE}) * ${MINUTE} AS t, avg(v) AS avg, min(v) AS min, max(v) AS max, count(v) AS n
           FROM history_raw WHERE sid = ? AND t >= ? AND t < ? AND v IS NOT NULL GROUP BY t / ${MINUTE} ORDER BY t`,
      ),
      minutes: db.prepare<[number, number, number], { t: number; avg: number; min: number; max: number; n: number }>(
        'SELECT t, avg, min, max, n FROM history_minute WHERE sid = ? AND t >= ? AND t < ? ORDER BY t',
      ),
      seriesCount: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM history_series'),
    };
    this.#bytes = this.measure();
  }

  /** Write one batch in one transaction: changed values, and events. */
  write(values: readonly ValueChange[], events: readonly HistoryEvent[]): number {
    let written = 0;
    this.#db.transaction(() => {
      for (const c of values) {
        const sid = this.#sid(c.device, c.prop);
        const num =
          typeof c.value === 'number' && Number.isFinite(c.value) ? c.value : typeof c.value === 'boolean' ? Number(c.value) : null;
        const key = num ?? JSON.stringify(c.value);
        if (this.#last.get(sid) === key) continue;
        this.#last.set(sid, key);
        this.#q.raw.run(sid, c.t, num, num === null ? JSON.stringify(c.value) : null);
        written++;
      }
      for (const e of events) this.#q.event.run(e.t, e.device, e.kind, e.name, e.data === undefined ? null : JSON.stringify(e.data));
    })();
    return written + events.length;
  }

  /** Downsample past the raw window, expire by age, keep the budget. Returns the rows dropped for the budget. */
  maintain(): { dropped: number; bytes: number } {
    const now = this.#now();
    const rawCutoff = Math.floor((now - this.#limits.rawHours * HOUR) / MINUTE) * MINUTE;
    this.#db.transaction(() => {
      this.#q.downsample.run(rawCutoff);
      this.#q.dropRaw.run(rawCutoff);
      this.#q.dropMinute.run(now - this.#limits.minuteDays * DAY);
      this.#q.dropEvents.run(now - this.#limits.eventDays * DAY);
    })();
    let dropped = 0;
    let bytes = this.measure();
    const budget = this.#limits.maxMb * 1024 * 1024;
    // Over budget: drop the oldest tenth of what is kept (by time, all tables) until it fits.
    for (let i = 0; bytes > budget && i < 50; i++) {
      const oldest = this.#q.oldest.get()?.t;
      if (oldest === null || oldest === undefined) break;
      const cutoff = oldest + Math.max(1, Math.floor((now - oldest) / 10));
      this.#db.transaction(() => {
        dropped += this.#q.dropRaw.run(cutoff).changes;
        dropped += this.#q.dropMinute.run(cutoff).changes;
        dropped += this.#q.dropEvents.run(cutoff).changes;
      })();
      bytes = this.measure();
    }
    this.#bytes = bytes;
    return { dropped, bytes };
  }

  /** Bytes in the history tables' pages (SQLite's dbstat): what the budget counts. */
  measure(): number {
    return this.#q.size.get()?.bytes ?? 0;
  }

  /** A point's values in [from, to): raw changes inside the raw window, else 1-minute aggregates. */
  series(device: string, prop: string, from: number, to: number): Series {
    const sid = this.#q.sid.get(device, prop)?.id;
    const rawStart = this.#now() - this.#limits.rawHours * HOUR;
    if (from >= rawStart) {
      if (sid === undefined) return { resolution: 'raw', points: [] };
      // The value in force at `from` (only changes are kept), so a steady value still draws.
      const before = this.#q.rawBefore.get(sid, from);
      const rows = [...(before ? [{ ...before, t: from }] : []), ...this.#q.rawRange.all(sid, from, to)];
      return { resolution: 'raw', points: rows.map((r) => [r.t, r.v ?? r.s]) };
    }
    if (sid === undefined) return { resolution: 'minute', points: [] };
    // Raw rows not yet downsampled are folded in per minute, so nothing is missing at the seam.
    const byMinute = new Map<number, { t: number; avg: number; min: number; max: number; n: number }>();
    for (const r of [...this.#q.minutes.all(sid, from, to), ...this.#q.rawMinutes.all(sid, from, to)]) {
      const m = byMinute.get(r.t);
      if (!m) byMinute.set(r.t, { ...r });
      else
        byMinute.set(r.t, {
          t: r.t,
          min: Math.min(m.min, r.min),
          max: Math.max(m.max, r.max),
          avg: (m.avg * m.n + r.avg * r.n) / (m.n + r.n),
          n: m.n + r.n,
        });
    }
    return {
      resolution: 'minute',
      points: [...byMinute.values()].sort((a, b) => a.t - b.t).map((m) => [m.t, m.avg, m.min, m.max]),
    };
  }

  /** Events newest first, filtered; `next` pages on. */
  events(q: EventQuery): { events: StoredEvent[]; next: number | null } {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (q.device) where.push('device = ?') && args.push(q.device);
    if (q.kind) where.push('kind = ?') && args.push(q.kind);
    if (q.from !== undefined) where.push('t >= ?') && args.push(q.from);
    if (q.to !== undefined) where.push('t < ?') && args.push(q.to);
    if (q.before !== undefined) where.push('id < ?') && args.push(q.before);
    const rows = this.#db
      .prepare<(string | number)[], { id: number; t: number; device: string; kind: 'event' | 'status'; name: string; data: string | null }>(
        `SELECT id, t, device, kind, name, data FROM history_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
      )
      .all(...args, q.limit + 1);
    const page = rows.slice(0, q.limit).map((r) => ({ ...r, data: r.data === null ? undefined : (JSON.parse(r.data) as unknown) }));
    return { events: page, next: rows.length > q.limit ? page[page.length - 1]!.id : null };
  }

  status(): HistoryStatus {
    const pages = this.#db.pragma('page_count', { simple: true }) as number;
    const pageSize = this.#db.pragma('page_size', { simple: true }) as number;
    return {
      ...this.#limits,
      bytes: this.#bytes,
      dbBytes: pages * pageSize,
      oldest: this.#q.oldest.get()?.t ?? null,
      series: this.#q.seriesCount.get()?.n ?? 0,
    };
  }

  #sid(device: string, prop: string): number {
    const key = `${device}\u0000${prop}`;
    let id = this.#sids.get(key);
    if (id === undefined) {
      id = this.#q.sid.get(device, prop)?.id ?? Number(this.#q.addSeries.run(device, prop).lastInsertRowid);
      this.#sids.set(key, id);
    }
    return id;
  }
}
