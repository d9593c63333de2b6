/**
 * The platform's say over sub-devices (doc 89303 thing/disable|enable|delete, and
 * thing/topo/change status 0 create, 1 delete, 2 enable, 8 disable): a disabled or deleted
 * device's data is not sent, and its driver is told by a redeploy with the device disabled,
 * so the driver stops producing it. The state survives restarts (cloud_device_state).
 */
import type { BoxConfig } from '../config/schema.js';
import type { DeployDiffSummary } from '../events.js';
import type { Logger } from '../log.js';
import type { Db } from '../store/db.js';
import { deviceKey } from '../thing/registry.js';

export type LifecycleAction = 'disable' | 'enable' | 'delete' | 'create';
/** topo/change `status` → action (doc "通知网关拓扑关系变化"). */
export const TOPO_CHANGE_STATUS: Record<number, LifecycleAction> = { 0: 'create', 1: 'delete', 2: 'enable', 8: 'disable' };

export interface LifecycleDeps {
  db: Db;
  log: Logger;
  config(): BoxConfig;
  redeploy(config: BoxConfig, source: string): Promise<DeployDiffSummary>;
  /** Forget the device's queued messages (delete). */
  dropQueued(productKey: string, deviceName: string): number;
}

export class Lifecycle {
  readonly #deps: LifecycleDeps;
  readonly #blocked = new Map<string, 'disabled' | 'deleted'>();
  readonly #stmt;
  #chain: Promise<unknown> = Promise.resolve();

  constructor(deps: LifecycleDeps) {
    this.#deps = deps;
    this.#stmt = {
      all: deps.db.prepare('SELECT device, state FROM cloud_device_state'),
      set: deps.db.prepare(
        'INSERT INTO cloud_device_state (device, state, at) VALUES (?, ?, ?) ON CONFLICT(device) DO UPDATE SET state = excluded.state, at = excluded.at',
      ),
      clear: deps.db.prepare('DELETE FROM cloud_device_state WHERE device = ?'),
    };
    for (const r of this.#stmt.all.all() as Array<{ device: string; state: 'disabled' | 'deleted' }>) this.#blocked.set(r.device, r.state);
  }

  isBlocked(productKey: string, deviceName: string): boolean {
    return this.#blocked.has(deviceKey(productKey, deviceName));
  }

  /** After a restart: make the running config agree with what the platform said before. */
  async reapply(): Promise<void> {
    if (this.#blocked.size === 0) return;
    await this.#setDisabled(new Set(this.#blocked.keys()), true, 'cloud-state');
  }

  /** Resolves once every notification received so far is applied. */
  idle(): Promise<unknown> {
    return this.#chain;
  }

  /** Apply one notification; serialised so two pushes never race two redeploys. */
  apply(productKey: string, deviceName: string, action: LifecycleAction): Promise<void> {
    const run = this.#chain.then(() => this.#apply(productKey, deviceName, action));
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #apply(productKey: string, deviceName: string, action: LifecycleAction): Promise<void> {
    const key = deviceKey(productKey, deviceName);
    this.#deps.log.info({ dev: key, action }, 'platform changed sub-device');
    if (action === 'disable' || action === 'delete') {
      const state = action === 'disable' ? 'disabled' : 'deleted';
      this.#blocked.set(key, state);
      this.#stmt.set.run(key, state, Date.now());
      if (action === 'delete') {
        const n = this.#deps.dropQueued(productKey, deviceName);
        if (n > 0) this.#deps.log.warn({ dev: key, dropped: n }, 'queued messages of a deleted device dropped');
      }
      await this.#setDisabled(new Set([key]), true, `cloud-${action}`);
    } else {
      const was = this.#blocked.delete(key);
      this.#stmt.clear.run(key);
      if (was) await this.#setDisabled(new Set([key]), false, `cloud-${action}`);
    }
  }

  async #setDisabled(keys: Set<string>, disabled: boolean, source: string): Promise<void> {
    const current = this.#deps.config();
    let changed = false;
    const drivers = current.drivers.map((d) => ({
      ...d,
      devices: d.devices.map((dev) => {
        if (!keys.has(deviceKey(dev.productKey, dev.deviceName)) || Boolean(dev.disabled) === disabled) return dev;
        changed = true;
        const next = { ...dev };
        if (disabled) next.disabled = true;
        else delete next.disabled;
        return next;
      }),
    }));
    if (!changed) return;
    try {
      await this.#deps.redeploy({ ...current, drivers }, source);
    } catch (err) {
      this.#deps.log.error({ err: (err as Error).message, source }, 'telling the driver failed; data of the device is still not sent');
    }
  }
}
