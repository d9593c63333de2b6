/**
 * Deploy planning: what a new driver set changes against the running one (Node-RED style). Pure;
 * the host applies the plan.
 */
import type { DeployDiffSummary } from '../events.js';
import { deviceKey } from '../thing/registry.js';
import { resolveDriverModule } from '../config/paths.js';
import type { DriverSpec } from './driver-spec.js';
import type { DeviceInfo } from './sdk/driver.js';

export interface DeviceConfig {
  productKey: string;
  deviceName: string;
  custom?: Record<string, unknown>;
  alias?: string;
  disabled?: boolean;
}

export interface DriverConfig {
  /** Instance name, following the seed convention `Vendor_Model_Domain_Function`. */
  name: string;
  /** A driver shipped in `drivers/<type>/`. */
  type?: string;
  /** Or a path to a driver package/module installed elsewhere. */
  module?: string;
  /** `mqtt`: a driver in another language on the local bus (docs/drivers.md). */
  transport?: 'process' | 'mqtt';
  /** The bus user a bus driver logs in as. */
  busUser?: string;
  /** V8 old-space limit of this driver's process, MB (default: host option driverHeapMb). */
  heapMb?: number;
  config?: Record<string, unknown>;
  devices: DeviceConfig[];
}

/**
 * Unchanged drivers keep running, a driver whose own config or module changed restarts, a driver
 * whose device list changed only adds and removes those devices.
 */
export function planDeploy(before: readonly DriverConfig[], after: readonly DriverConfig[]): DeployDiffSummary {
  const old = new Map(before.map((c) => [c.name, c] as const));
  const next = new Set(after.map((c) => c.name));
  const diff: DeployDiffSummary = { added: [], removed: [], restarted: [], devicesChanged: [] };
  for (const name of old.keys()) if (!next.has(name)) diff.removed.push(name);
  for (const cfg of after) {
    const was = old.get(cfg.name);
    if (!was) diff.added.push(cfg.name);
    else if (driverLevelKey(was) !== driverLevelKey(cfg)) diff.restarted.push(cfg.name);
    else if (JSON.stringify(was.devices) !== JSON.stringify(cfg.devices)) diff.devicesChanged.push(cfg.name);
  }
  return diff;
}

export interface DeviceChanges {
  /** Devices the driver drops (gone, or changed and re-added). */
  remove: DeviceInfo[];
  /** Devices the driver takes on (new or changed, and not disabled). */
  add: DeviceInfo[];
  /** Devices gone from the config altogether (to leave the registry). */
  gone: DeviceConfig[];
  /** Devices new or changed (to (re-)register, disabled ones included). */
  changed: DeviceConfig[];
}

/** The device-level change of a driver whose own config stayed the same. */
export function deviceChanges(old: DriverConfig, cfg: DriverConfig): DeviceChanges {
  const oldDevs = new Map(old.devices.map((d) => [deviceKey(d.productKey, d.deviceName), d] as const));
  const newDevs = new Map(cfg.devices.map((d) => [deviceKey(d.productKey, d.deviceName), d] as const));
  const changes: DeviceChanges = { remove: [], add: [], gone: [], changed: [] };
  for (const [k, d] of oldDevs) {
    const n = newDevs.get(k);
    if (n && JSON.stringify(n) === JSON.stringify(d)) continue;
    changes.remove.push(deviceInfo(d));
    if (!n) changes.gone.push(d);
  }
  for (const [k, d] of newDevs) {
    const o = oldDevs.get(k);
    if (o && JSON.stringify(o) === JSON.stringify(d)) continue;
    if (!d.disabled) changes.add.push(deviceInfo(d));
    changes.changed.push(d);
  }
  return changes;
}

export function deviceInfo(d: DeviceConfig): DeviceInfo {
  return { productKey: d.productKey, deviceName: d.deviceName, custom: d.custom ?? {} };
}

/** What the driver's process is started with; disabled devices are not deployed to it (their data must not be produced at all). */
export function driverSpec(cfg: DriverConfig, opts: { driverHeapMb?: number; baseDir?: string }): DriverSpec {
  return {
    name: cfg.name,
    transport: cfg.transport ?? 'process',
    heapMb: cfg.heapMb ?? opts.driverHeapMb ?? 192,
    module: cfg.transport === 'mqtt' ? '' : resolveDriverModule(cfg, opts.baseDir),
    config: cfg.config ?? {},
    devices: cfg.devices.filter((d) => !d.disabled).map(deviceInfo),
  };
}

function driverLevelKey(c: DriverConfig): string {
  return JSON.stringify([c.type ?? null, c.module ?? null, c.transport ?? 'process', c.busUser ?? null, c.heapMb ?? null, c.config ?? {}]);
}
