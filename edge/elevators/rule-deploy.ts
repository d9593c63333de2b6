/**
 * Linkage rules for doors that run the linkage themselves (an elevator device with
 * `custom.linkage: true` on the door's terminal; seed 001 §9, L37159-37314). Each
 * (relation, identity user) naming that door is one device rule, carried by the door driver's
 * deployer over `/elevator/rule/sync` (≤200 per call) through the host services the permissions
 * use (`access.pendingDeployments` / `ackDeployments` / `resetDeployments` with kind `rule`).
 * Rows are durable: a change waits here until the door confirms it, across restarts.
 *
 *   pending ─take─▶ transferring ─ack ok─▶ transferred      (deletes: row removed)
 *                        │ ack failed: attempts+1, pending again (failed after 3)
 *
 * Only identity-keyed entries go to doors: the device rule has a `userId` and no credential
 * (L37200-37240), so v1.0.1 QR and card entries are run by the box.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../store/db.js';
import type { DeviceResolver } from './devices.js';
import type { LinkageStore, StoreChange } from './store.js';
import { CALLS_CAR, type Relation, type UserEntry } from './validate.js';

const MAX_ATTEMPTS = 3;

/** What the door driver puts into one `rules[]` entry (L37200-37250). */
export type DeviceRule = {
  type: 1 | 2 | 3;
  ruleId: string;
  elevatorId?: string;
  userId?: string;
  controlMode?: string;
  startFloor?: string;
  startRoom?: string;
  targetFloorRoomList?: Array<{ floor: string; roomNumber?: string }>;
  delaySeconds?: number;
  expiryTime?: string;
};

export interface RuleDeployment {
  item: string;
  op: 'upsert' | 'delete';
  attempts: number;
  rule: DeviceRule;
}

/** A stable device rule id for (relation, user): the device holds ids of at most 64 characters. */
export function ruleIdOf(dataId: string, identityId: string): string {
  return createHash('sha1').update(`${dataId}\n${identityId}`).digest('hex').slice(0, 32);
}

interface Row {
  rule_id: string;
  data_id: string;
  identity_id: string;
  is_delete: number;
  on_device: number;
  attempts: number;
}

export class RuleDeployments {
  readonly #db: Db;
  readonly #store: LinkageStore;
  readonly #devices: DeviceResolver;
  readonly #upsert;
  readonly #take;

  constructor(db: Db, store: LinkageStore, devices: DeviceResolver) {
    this.#db = db;
    this.#store = store;
    this.#devices = devices;
    this.#upsert =
      db.prepare(`INSERT INTO elevator_rule_deploy (device_key, rule_id, data_id, identity_id, is_delete, status, attempts, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?)
      ON CONFLICT(device_key, rule_id) DO UPDATE SET is_delete = excluded.is_delete, status = 'pending', attempts = 0, error = NULL, updated_at = excluded.updated_at`);
    this.#take = db.prepare(
      `SELECT rule_id, data_id, identity_id, is_delete, on_device, attempts FROM elevator_rule_deploy WHERE device_key = ? AND status = 'pending' ORDER BY is_delete DESC, updated_at LIMIT ?`,
    );
    store.onChange((c) => this.#changed(c));
  }

  /** The door (its elevator device) that runs relation `r` itself, if any. */
  #doorOf(r: Relation): string | undefined {
    const trigger = this.#devices.resolve(r.triggerIotId);
    return trigger ? this.#devices.selfRunningElevatorOf(trigger) : undefined;
  }

  #changed(c: StoreChange): void {
    const r = this.#store.relation(c.dataId);
    if (!r) {
      // The relation is gone with its users: every rule of it on a door is deleted there.
      this.#db
        .prepare("UPDATE elevator_rule_deploy SET is_delete = 1, status = 'pending', attempts = 0, updated_at = ? WHERE data_id = ?")
        .run(Date.now(), c.dataId);
      return;
    }
    const door = this.#doorOf(r);
    if (!door) return;
    if (!c.user) {
      this.reset(door);
      return;
    }
    if (c.user.paramType !== 'IDENTITY') return;
    const present = this.#store.user(r.dataId, 'IDENTITY', c.user.paramValue) !== undefined;
    this.#upsert.run(door, ruleIdOf(r.dataId, c.user.paramValue), r.dataId, c.user.paramValue, present ? 0 : 1, Date.now());
  }

  /** Queue every rule the door should hold (it reconnected or was replaced: the protocol cannot read them back in bulk cheaply). */
  reset(deviceKey: string): number {
    const now = Date.now();
    return this.#db
      .transaction(() => {
        const want = new Set<string>();
        for (const r of this.#store.relations()) {
          if (this.#doorOf(r) !== deviceKey) continue;
          for (let after = ''; ; ) {
            const users = this.#store.identityUsers(r.dataId, after, 1000);
            for (const u of users) {
              const id = ruleIdOf(r.dataId, u.paramValue);
              want.add(id);
              this.#upsert.run(deviceKey, id, r.dataId, u.paramValue, 0, now);
            }
            if (users.length < 1000) break;
            after = users.at(-1)!.paramValue;
          }
        }
        const stale = (
          this.#db
            .prepare('SELECT rule_id, data_id, identity_id FROM elevator_rule_deploy WHERE device_key = ? AND is_delete = 0')
            .all(deviceKey) as Row[]
        ).filter((row) => !want.has(row.rule_id));
        for (const row of stale) this.#upsert.run(deviceKey, row.rule_id, row.data_id, row.identity_id, 1, now);
        return want.size + stale.length;
      })
      .immediate();
  }

  /** Up to `limit` rules for the door, marked transferring; deletions first. */
  take(deviceKey: string, limit: number): RuleDeployment[] {
    return this.#db
      .transaction(() => {
        const rows = this.#take.all(deviceKey, limit) as Row[];
        const mark = this.#db.prepare(
          "UPDATE elevator_rule_deploy SET status = 'transferring', updated_at = ? WHERE device_key = ? AND rule_id = ?",
        );
        const now = Date.now();
        const out: RuleDeployment[] = [];
        for (const row of rows) {
          mark.run(now, deviceKey, row.rule_id);
          const r = this.#store.relation(row.data_id);
          const u = r ? this.#store.user(row.data_id, 'IDENTITY', row.identity_id) : undefined;
          if (row.is_delete || !r || !u)
            out.push({ item: row.rule_id, op: 'delete', attempts: row.attempts, rule: { type: 2, ruleId: row.rule_id } });
          else
            out.push({ item: row.rule_id, op: 'upsert', attempts: row.attempts, rule: deviceRule(r, u, row.rule_id, row.on_device === 1) });
        }
        return out;
      })
      .immediate();
  }

  /** The door's answer for rules it took. */
  ack(deviceKey: string, items: readonly string[], ok: boolean, error?: string): { done: number; failed: number; ignored: number } {
    return this.#db
      .transaction(() => {
        let done = 0,
          failed = 0,
          ignored = 0;
        const now = Date.now();
        for (const id of items) {
          const row = this.#db
            .prepare("SELECT * FROM elevator_rule_deploy WHERE device_key = ? AND rule_id = ? AND status = 'transferring'")
            .get(deviceKey, id) as Row | undefined;
          if (!row) {
            ignored++;
            continue;
          }
          if (ok) {
            done++;
            if (row.is_delete) this.#db.prepare('DELETE FROM elevator_rule_deploy WHERE device_key = ? AND rule_id = ?').run(deviceKey, id);
            else
              this.#db
                .prepare(
                  "UPDATE elevator_rule_deploy SET status = 'transferred', on_device = 1, attempts = 0, error = NULL, updated_at = ? WHERE device_key = ? AND rule_id = ?",
                )
                .run(now, deviceKey, id);
            continue;
          }
          failed++;
          const attempts = row.attempts + 1;
          this.#db
            .prepare(
              'UPDATE elevator_rule_deploy SET status = ?, attempts = ?, error = ?, updated_at = ? WHERE device_key = ? AND rule_id = ?',
            )
            .run(attempts >= MAX_ATTEMPTS ? 'failed' : 'pending', attempts, error ?? null, now, deviceKey, id);
        }
        return { done, failed, ignored };
      })
      .immediate();
  }

  /** Rows per status for a door (console, tests). */
  counts(deviceKey: string): Record<string, number> {
    const rows = this.#db
      .prepare('SELECT status, COUNT(*) AS n FROM elevator_rule_deploy WHERE device_key = ? GROUP BY status')
      .all(deviceKey) as Array<{ status: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }
}

/** One (relation, user) as the door's rule, with the per-mode fields of L37561-37625. */
export function deviceRule(r: Relation, u: UserEntry, ruleId: string, onDevice: boolean): DeviceRule {
  const calls = CALLS_CAR[r.controlMode];
  const targets = r.controlMode === 'CALL_ONLY' ? [] : r.controlMode === 'ACTIVATE_ONLY' ? u.userTargetList.slice(0, 1) : u.userTargetList;
  return {
    type: onDevice ? 3 : 1,
    ruleId,
    userId: u.paramValue,
    controlMode: r.controlMode,
    ...(r.triggerElevatorId ? { elevatorId: r.triggerElevatorId } : {}),
    ...(calls && r.triggerFloor ? { startFloor: r.triggerFloor } : {}),
    ...(calls && r.triggerRoomNo ? { startRoom: r.triggerRoomNo } : {}),
    ...(targets.length
      ? { targetFloorRoomList: targets.map((t) => ({ floor: t.targetFloor, ...(t.targetRoomNo ? { roomNumber: t.targetRoomNo } : {}) })) }
      : {}),
    ...(r.delaySeconds ? { delaySeconds: r.delaySeconds } : {}),
    // [L37250] effective/expiry times are UTC ms strings on the device.
    ...(u.expiryMs !== undefined ? { expiryTime: String(u.expiryMs) } : {}),
  };
}
