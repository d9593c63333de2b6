/** The history area's tables (migration area `history`); only edge/history prepares SQL on them. */
import type { Migration } from '../store/db.js';

export const historyMigrations: Migration[] = [
  {
    version: 1,
    up: `
      CREATE TABLE history_series (
        id INTEGER PRIMARY KEY,
        device TEXT NOT NULL,
        prop TEXT NOT NULL,
        UNIQUE (device, prop)
      );
      -- Every change as reported: v for numbers (bool and enum too), s (JSON) for the rest.
      CREATE TABLE history_raw (
        sid INTEGER NOT NULL,
        t INTEGER NOT NULL,
        v REAL,
        s TEXT
      );
      CREATE INDEX history_raw_sid_t ON history_raw (sid, t);
      CREATE INDEX history_raw_t ON history_raw (t);
      -- Numbers older than the raw window, per minute (t = start of the minute).
      CREATE TABLE history_minute (
        sid INTEGER NOT NULL,
        t INTEGER NOT NULL,
        min REAL NOT NULL,
        max REAL NOT NULL,
        avg REAL NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (sid, t)
      ) WITHOUT ROWID;
      CREATE INDEX history_minute_t ON history_minute (t);
      -- Device events (kind 'event', name = event id) and status changes (kind 'status', name = new status).
      CREATE TABLE history_events (
        id INTEGER PRIMARY KEY,
        t INTEGER NOT NULL,
        device TEXT NOT NULL,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        data TEXT
      );
      CREATE INDEX history_events_device ON history_events (device, id);
      CREATE INDEX history_events_t ON history_events (t);
    `,
  },
];
