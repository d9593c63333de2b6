/**
 * After a restore, every device gets everything again: every card, QR/password and face
 * permission and every elevator rule is queued for its door the way a replaced door's is
 * (`access.resetDeployments`), because the box cannot know what the doors hold. Progress is read
 * per device from the deployment tables until every device is in sync or failed.
 */
import type { Db } from '../store/db.js';

const ACCESS_KINDS = ['face', 'tradCard', 'bleCard', 'password'] as const;
export type AccessKind = (typeof ACCESS_KINDS)[number];

export interface Resetters {
  /** `access.resetDeployments` for one door and kind; returns how many were queued. */
  access?: (deviceKey: string, kind: AccessKind) => number;
  /** The elevator rules' reset for one door. */
  rules?: (deviceKey: string) => number;
}

function tableExists(db: Db, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/** Doors that hold (or should hold) anything from the box. */
export function devicesWithPermissions(db: Db): string[] {
  const parts: string[] = [];
  if (tableExists(db, 'access_deploy')) parts.push('SELECT device_key FROM access_deploy');
  if (tableExists(db, 'access_face_groups')) parts.push('SELECT device_key FROM access_face_groups');
  if (tableExists(db, 'elevator_rule_deploy')) parts.push('SELECT device_key FROM elevator_rule_deploy');
  if (parts.length === 0) return [];
  return db
    .prepare(`SELECT DISTINCT device_key FROM (${parts.join(' UNION ')}) ORDER BY device_key`)
    .pluck()
    .all() as string[];
}

export function queueResync(db: Db, reset: Resetters): { devices: number; queued: number } {
  const devices = devicesWithPermissions(db);
  let queued = 0;
  for (const d of devices) {
    if (reset.access) for (const k of ACCESS_KINDS) queued += reset.access(d, k);
    if (reset.rules) queued += reset.rules(d);
  }
  return { devices: devices.length, queued };
}

export interface DeviceProgress {
  device: string;
  synced: number;
  pending: number;
  failed: number;
  state: 'syncing' | 'in sync' | 'failed';
}

const PENDING = "('toBeTransferred','transferring','deviceOffline','pending')";
const SYNCED = "('transferred','transferDeleted')";

/** Per device: permissions and rules delivered, still to go, and failed. */
export function resyncProgress(db: Db): DeviceProgress[] {
  const sources: string[] = [];
  if (tableExists(db, 'access_deploy')) sources.push('SELECT device_key, status FROM access_deploy');
  if (tableExists(db, 'elevator_rule_deploy')) sources.push('SELECT device_key, status FROM elevator_rule_deploy');
  if (sources.length === 0) return [];
  const rows = db
    .prepare(
      `SELECT device_key AS device,
        SUM(status IN ${SYNCED}) AS synced, SUM(status IN ${PENDING}) AS pending,
        SUM(status NOT IN ${SYNCED} AND status NOT IN ${PENDING}) AS failed
       FROM (${sources.join(' UNION ALL ')}) GROUP BY device_key ORDER BY device_key`,
    )
    .all() as Array<Omit<DeviceProgress, 'state'>>;
  return rows.map((r) => ({ ...r, state: r.pending > 0 ? 'syncing' : r.failed > 0 ? 'failed' : 'in sync' }));
}
