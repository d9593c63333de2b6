/** The outbox's prepared statements (better-sqlite3 prepares once, at construction). */
import type { Db } from '../../store/db.js';

export function outboxStatements(db: Db) {
  return {
    lastId: db.prepare('SELECT last FROM cloud_outbox_ids WHERE device = ?').pluck(),
    saveId: db.prepare('INSERT INTO cloud_outbox_ids (device, last) VALUES (?, ?) ON CONFLICT(device) DO UPDATE SET last = excluded.last'),
    nextId: db.prepare(
      'INSERT INTO cloud_outbox_ids (device, last) VALUES (?, 1) ON CONFLICT(device) DO UPDATE SET last = last + 1 RETURNING last',
    ),
    insert: db.prepare(
      'INSERT INTO cloud_outbox (device, class, alink_id, topic, payload, created_at, bytes, ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    after: db.prepare(
      'SELECT seq, device, class, alink_id AS alinkId, topic, payload, created_at AS createdAt, bytes, ref FROM cloud_outbox WHERE seq > ? ORDER BY seq LIMIT ?',
    ),
    remove: db.prepare('DELETE FROM cloud_outbox WHERE seq = ?'),
    oldestOfClass: db.prepare('SELECT seq, bytes FROM cloud_outbox WHERE class = ? ORDER BY seq LIMIT ?'),
    countDrop: db.prepare(
      'INSERT INTO cloud_outbox_dropped (class, count, since) VALUES (?, ?, ?) ON CONFLICT(class) DO UPDATE SET count = count + excluded.count',
    ),
    dropped: db.prepare('SELECT class, count, since FROM cloud_outbox_dropped'),
    unDrop: db.prepare('UPDATE cloud_outbox_dropped SET count = max(0, count - ?) WHERE class = ?'),
    totals: db.prepare('SELECT count(*) AS n, coalesce(sum(bytes), 0) AS b FROM cloud_outbox'),
    dropDevice: db.prepare('DELETE FROM cloud_outbox WHERE device = ?'),
    oldest: db.prepare('SELECT created_at FROM cloud_outbox ORDER BY seq LIMIT 1').pluck(),
  };
}

export type OutboxStatements = ReturnType<typeof outboxStatements>;
