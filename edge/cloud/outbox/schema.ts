/** Migrations of the cloud area (own numbering, `migrate(db, 'cloud', cloudMigrations)`). */
import type { Migration } from '../../store/db.js';

export const cloudMigrations: readonly Migration[] = [
  {
    version: 1,
    up: `
      CREATE TABLE cloud_outbox (
        seq        INTEGER PRIMARY KEY AUTOINCREMENT,  -- send order; never reused
        device     TEXT    NOT NULL,                   -- 'productKey/deviceName'
        class      TEXT    NOT NULL,                   -- property | event | record (drop order)
        alink_id   TEXT    NOT NULL,                   -- stable across restarts: a replay carries the same id
        topic      TEXT    NOT NULL,
        payload    TEXT    NOT NULL,
        created_at INTEGER NOT NULL,                   -- UTC ms the message was queued
        bytes      INTEGER NOT NULL
      );
      CREATE INDEX cloud_outbox_class ON cloud_outbox (class, seq);
      -- Last Alink id per device: ids are gap-free per device, so the cloud sees any loss.
      CREATE TABLE cloud_outbox_ids (device TEXT PRIMARY KEY, last INTEGER NOT NULL);
      -- Messages dropped by the quota policy, reported when the link returns.
      CREATE TABLE cloud_outbox_dropped (class TEXT PRIMARY KEY, count INTEGER NOT NULL, since INTEGER NOT NULL);
      -- Sub-devices the platform disabled or deleted (thing/disable, thing/delete, topo/change).
      CREATE TABLE cloud_device_state (device TEXT PRIMARY KEY, state TEXT NOT NULL, at INTEGER NOT NULL);
    `,
  },
  {
    version: 2,
    up: `
      -- Sub-devices this box attached itself (topo/add answered 200). Only these may be
      -- detached (topo/delete) when the box stops hosting them; a sub-device somebody else
      -- attached is never deleted. Survives restarts so a removal while offline or down still
      -- reaches the platform at the next connect.
      CREATE TABLE cloud_topology_owned (device TEXT PRIMARY KEY, at INTEGER NOT NULL);
    `,
  },
  {
    version: 3,
    up: `
      -- Secrets of sub-devices registered dynamically (thing/sub/register): the platform
      -- answers a device's registration once, so the gateway must keep them.
      CREATE TABLE cloud_subdevice_secrets (device TEXT PRIMARY KEY, secret TEXT NOT NULL, iot_id TEXT, at INTEGER NOT NULL);
    `,
  },
  {
    version: 4,
    up: `
      -- What a row stands for, for the part that queued it (pass:<passId>): when the platform
      -- acknowledges the row, that part is told (a pass record is then marked uploaded).
      ALTER TABLE cloud_outbox ADD COLUMN ref TEXT;
    `,
  },
];
