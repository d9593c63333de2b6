/**
 * QR codes, cards, BLE cards and passwords per door: applying sync-file operations and the
 * point lookups the decisions make. Every statement is prepared once here.
 */
import type { Db } from '../../store/db.js';
import type { CredentialKind, CredentialOp, PermissionFile, QrOp } from '../sync/sync-files.js';

export interface QrRow {
  code: string;
  identity_id: string;
  start_ms: number;
  end_ms: number;
  max_scans: number;
  scope: 'SHARE' | 'DEVICE';
  shared_scans: number;
  /** Null when this door does not hold the code. */
  device_scans: number | null;
}

export interface CredentialRow {
  kind: CredentialKind;
  credential: string;
  device_key: string;
  identity_id: string;
  number: string | null;
  start_ms: number | null;
  end_ms: number | null;
}

export interface ApplyCounts {
  added: number;
  modified: number;
  deleted: number;
  /** Credentials queued for deployment to the door (add or delete). */
  toDeploy: Array<{ kind: CredentialKind; item: string; isDelete: boolean }>;
}

export class PermissionStore {
  readonly #db: Db;
  readonly #qrUpsert;
  readonly #qrDeviceInsert;
  readonly #qrDeviceDelete;
  readonly #qrDeviceCount;
  readonly #qrDelete;
  readonly #qrExists;
  readonly #qrGet;
  readonly #qrCountScan;
  readonly #credUpsert;
  readonly #credDelete;
  readonly #credGet;
  readonly #credExists;
  readonly #credByDevice;
  readonly #qrByDevice;

  constructor(db: Db) {
    this.#db = db;
    this.#qrUpsert =
      db.prepare(`INSERT INTO access_qr (code, identity_id, start_ms, end_ms, max_scans, scope, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(code) DO UPDATE SET identity_id = CASE WHEN excluded.identity_id = '' THEN identity_id ELSE excluded.identity_id END,
        start_ms = excluded.start_ms, end_ms = excluded.end_ms, max_scans = excluded.max_scans, scope = excluded.scope, updated_at = excluded.updated_at`);
    this.#qrDeviceInsert = db.prepare('INSERT OR IGNORE INTO access_qr_devices (code, device_key) VALUES (?, ?)');
    this.#qrDeviceDelete = db.prepare('DELETE FROM access_qr_devices WHERE code = ? AND device_key = ?');
    this.#qrDeviceCount = db.prepare('SELECT COUNT(*) FROM access_qr_devices WHERE code = ?').pluck();
    this.#qrDelete = db.prepare('DELETE FROM access_qr WHERE code = ?');
    this.#qrExists = db.prepare('SELECT 1 FROM access_qr_devices WHERE code = ? AND device_key = ?').pluck();
    this.#qrGet =
      db.prepare(`SELECT q.code, q.identity_id, q.start_ms, q.end_ms, q.max_scans, q.scope, q.shared_scans, d.scans AS device_scans
      FROM access_qr q LEFT JOIN access_qr_devices d ON d.code = q.code AND d.device_key = ? WHERE q.code = ?`);
    this.#qrCountScan = {
      shared: db.prepare('UPDATE access_qr SET shared_scans = shared_scans + ? WHERE code = ?'),
      device: db.prepare('UPDATE access_qr_devices SET scans = scans + ? WHERE code = ? AND device_key = ?'),
    };
    this.#credUpsert =
      db.prepare(`INSERT INTO access_credentials (kind, credential, device_key, identity_id, number, start_ms, end_ms, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(kind, credential, device_key) DO UPDATE SET identity_id = CASE WHEN excluded.identity_id = '' THEN identity_id ELSE excluded.identity_id END,
        number = excluded.number, start_ms = excluded.start_ms, end_ms = excluded.end_ms, updated_at = excluded.updated_at`);
    this.#credDelete = db.prepare('DELETE FROM access_credentials WHERE kind = ? AND credential = ? AND device_key = ?');
    this.#credExists = db.prepare('SELECT 1 FROM access_credentials WHERE kind = ? AND credential = ? AND device_key = ?').pluck();
    this.#credGet = db.prepare(
      'SELECT kind, credential, device_key, identity_id, number, start_ms, end_ms FROM access_credentials WHERE kind = ? AND credential = ? AND device_key = ?',
    );
    this.#credByDevice = db.prepare(
      'SELECT kind, credential, device_key, identity_id, number, start_ms, end_ms FROM access_credentials WHERE device_key = ? AND kind = ? ORDER BY credential LIMIT ? OFFSET ?',
    );
    this.#qrByDevice = db.prepare('SELECT COUNT(*) FROM access_qr_devices WHERE device_key = ?').pluck();
  }

  /** Apply one file's operations for one door. Call inside a transaction (the caller's). */
  apply(deviceKey: string, file: PermissionFile, now: number): ApplyCounts {
    const counts: ApplyCounts = { added: 0, modified: 0, deleted: 0, toDeploy: [] };
    for (const op of file.qr) this.#applyQr(deviceKey, op, now, counts);
    for (const op of file.credentials) this.#applyCredential(deviceKey, op, now, counts);
    return counts;
  }

  #applyQr(deviceKey: string, op: QrOp, now: number, counts: ApplyCounts): void {
    if (op.type === 2) {
      // Idempotent: deleting what is not there changes nothing.
      if (this.#qrDeviceDelete.run(op.qrCode, deviceKey).changes > 0) {
        counts.deleted++;
        if (this.#qrDeviceCount.get(op.qrCode) === 0) this.#qrDelete.run(op.qrCode);
      }
      return;
    }
    this.#qrUpsert.run(op.qrCode, op.identityId, op.startMs, op.endMs, op.maxScanTimes, op.maxScanScope, now);
    this.#qrDeviceInsert.run(op.qrCode, deviceKey);
    if (op.type === 1) counts.added++;
    else counts.modified++;
  }

  #applyCredential(deviceKey: string, op: CredentialOp, now: number, counts: ApplyCounts): void {
    if (op.type === 2) {
      if (this.#credDelete.run(op.kind, op.credential, deviceKey).changes > 0) {
        counts.deleted++;
        counts.toDeploy.push({ kind: op.kind, item: op.credential, isDelete: true });
      }
      return;
    }
    // [seed 001 L35940] add and modify are the same upsert.
    this.#credUpsert.run(op.kind, op.credential, deviceKey, op.identityId, op.number, op.startMs, op.endMs, now);
    counts.toDeploy.push({ kind: op.kind, item: op.credential, isDelete: false });
    if (op.type === 1) counts.added++;
    else counts.modified++;
  }

  qr(deviceKey: string, code: string): QrRow | undefined {
    return this.#qrGet.get(deviceKey, code) as QrRow | undefined;
  }

  /** Count `n` scans of a code (shared and/or on this door). Call inside a transaction. */
  countScans(code: string, deviceKey: string, n: number): void {
    this.#qrCountScan.shared.run(n, code);
    this.#qrCountScan.device.run(n, code, deviceKey);
  }

  holdsQr(deviceKey: string, code: string): boolean {
    return this.#qrExists.get(code, deviceKey) === 1;
  }

  credential(kind: CredentialKind, credential: string, deviceKey: string): CredentialRow | undefined {
    return this.#credGet.get(kind, credential, deviceKey) as CredentialRow | undefined;
  }

  hasCredential(kind: CredentialKind, credential: string, deviceKey: string): boolean {
    return this.#credExists.get(kind, credential, deviceKey) === 1;
  }

  credentialsOf(deviceKey: string, kind: CredentialKind, limit = 100, offset = 0): CredentialRow[] {
    return this.#credByDevice.all(deviceKey, kind, limit, offset) as CredentialRow[];
  }

  qrCountOf(deviceKey: string): number {
    return this.#qrByDevice.get(deviceKey) as number;
  }

  /** How many cards, BLE cards and passwords a person holds (counts only: numbers stay private). */
  credentialCountsOf(identityId: string): Partial<Record<CredentialKind, number>> {
    const rows = this.#db
      .prepare('SELECT kind, COUNT(*) AS n FROM access_credentials WHERE identity_id = ? GROUP BY kind')
      .all(identityId) as Array<{ kind: CredentialKind; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.kind, r.n]));
  }

  /** A person's cards and BLE cards with the doors holding them (at most `limit` rows); passwords are not listed. */
  cardsOf(identityId: string, limit = 100): Array<{ kind: CredentialKind; credential: string; device_key: string }> {
    return this.#db
      .prepare(
        "SELECT kind, credential, device_key FROM access_credentials WHERE identity_id = ? AND kind IN ('tradCard', 'bleCard') ORDER BY kind, credential LIMIT ?",
      )
      .all(identityId, limit) as Array<{ kind: CredentialKind; credential: string; device_key: string }>;
  }

  totals(): { qr: number; tradCard: number; bleCard: number; password: number } {
    const qr = this.#db.prepare('SELECT COUNT(*) FROM access_qr').pluck().get() as number;
    const rows = this.#db.prepare('SELECT kind, COUNT(*) AS n FROM access_credentials GROUP BY kind').all() as Array<{
      kind: CredentialKind;
      n: number;
    }>;
    const by = Object.fromEntries(rows.map((r) => [r.kind, r.n]));
    return { qr, tradCard: by.tradCard ?? 0, bleCard: by.bleCard ?? 0, password: by.password ?? 0 };
  }
}
