/**
 * The data-model area's tables (migration area `datamodel`). `data_id` is AUTOINCREMENT so a
 * record's id is never reused, even after retention removed the newest rows: it is the seed's
 * `long` data id, unique on the box and increasing, and subscribers de-duplicate by it (R50).
 */
import type { Migration } from '../store/db.js';

export const dataModelMigrations: readonly Migration[] = [
  {
    version: 1,
    up: `
      CREATE TABLE datamodel_records (
        data_id INTEGER PRIMARY KEY AUTOINCREMENT,
        model_id TEXT NOT NULL,
        app TEXT NOT NULL,
        properties TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        cloud INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX datamodel_records_model ON datamodel_records (model_id, data_id);
      CREATE INDEX datamodel_records_created ON datamodel_records (created_at);
      CREATE INDEX datamodel_records_unqueued ON datamodel_records (data_id) WHERE cloud = 0;
      CREATE TABLE datamodel_deliveries (
        subscriber TEXT NOT NULL,
        data_id INTEGER NOT NULL REFERENCES datamodel_records (data_id) ON DELETE CASCADE,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_at INTEGER NOT NULL,
        PRIMARY KEY (subscriber, data_id)
      ) WITHOUT ROWID;
      CREATE INDEX datamodel_deliveries_due ON datamodel_deliveries (next_at);
      CREATE INDEX datamodel_deliveries_record ON datamodel_deliveries (data_id);
      CREATE TABLE datamodel_uploads (
        token TEXT PRIMARY KEY,
        app TEXT NOT NULL,
        file_name TEXT NOT NULL,
        file_path TEXT NOT NULL,
        put_until INTEGER NOT NULL,
        stored INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX datamodel_uploads_age ON datamodel_uploads (created_at);
    `,
  },
];
