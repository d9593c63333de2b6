/**
 * Which device property each point feeds, and each device's health. A device is online once
 * one of its points has been read and none of its faults (channel down, slave silent, block
 * refused) is open; it goes offline with the fault's reason, so the log and the console
 * name the Modbus exception or the timeout.
 */
import type { DeviceHandle } from '../../edge/host/sdk/driver.js';
import type { PointValue } from '../../protocols/modbus/codec.js';
import type { PointDef } from '../../protocols/modbus/point.js';
import type { PollSink } from './poller.js';

export interface BookedDevice {
  handle: DeviceHandle;
  /** property → point */
  mapping: Map<string, PointDef>;
  faults: Map<string, string>;
  seen: boolean;
  online: boolean;
  /** offline() already said since the last change (a device that never came up is reported once). */
  reportedOffline: boolean;
}

export class DeviceBook implements PollSink {
  readonly devices = new Map<string, BookedDevice>();
  /** point id → the devices and properties it feeds */
  readonly #subscribers = new Map<string, { dev: BookedDevice; prop: string }[]>();

  add(handle: DeviceHandle, mapping: Map<string, PointDef>): BookedDevice {
    const dev: BookedDevice = { handle, mapping, faults: new Map(), seen: mapping.size === 0, online: false, reportedOffline: false };
    this.devices.set(keyOf(handle), dev);
    for (const [prop, p] of mapping) {
      let subs = this.#subscribers.get(p.id);
      if (!subs) this.#subscribers.set(p.id, (subs = []));
      subs.push({ dev, prop });
    }
    this.#update(dev);
    return dev;
  }

  remove(handle: DeviceHandle): void {
    const dev = this.devices.get(keyOf(handle));
    if (!dev) return;
    this.devices.delete(keyOf(handle));
    for (const p of dev.mapping.values()) {
      const subs = this.#subscribers.get(p.id)?.filter((s) => s.dev !== dev) ?? [];
      if (subs.length === 0) this.#subscribers.delete(p.id);
      else this.#subscribers.set(p.id, subs);
    }
  }

  get(handle: DeviceHandle): BookedDevice | undefined {
    return this.devices.get(keyOf(handle));
  }

  /** The points some device uses, on one channel. */
  pointsOf(channel: string): PointDef[] {
    const seen = new Map<string, PointDef>();
    for (const d of this.devices.values()) for (const p of d.mapping.values()) if (p.channel === channel) seen.set(p.id, p);
    return [...seen.values()];
  }

  block(points: readonly PointDef[], changed: [PointDef, PointValue][], time: number): void {
    const reports = new Map<BookedDevice, Record<string, unknown>>();
    for (const [p, v] of changed) {
      const subs = this.#subscribers.get(p.id);
      if (!subs) continue;
      for (const { dev, prop } of subs) {
        let r = reports.get(dev);
        if (!r) reports.set(dev, (r = {}));
        r[prop] = v;
      }
    }
    for (const p of points) {
      for (const { dev } of this.#subscribers.get(p.id) ?? []) {
        if (!dev.seen) {
          dev.seen = true;
          this.#update(dev);
        }
      }
    }
    for (const [dev, values] of reports) dev.handle.reportProperties(values, time);
  }

  fault(key: string, points: readonly PointDef[], reason: string | undefined): void {
    const touched = new Set<BookedDevice>();
    for (const p of points) for (const { dev } of this.#subscribers.get(p.id) ?? []) touched.add(dev);
    for (const dev of touched) {
      if (reason === undefined) dev.faults.delete(key);
      else dev.faults.set(key, reason);
      this.#update(dev);
    }
  }

  /** A channel went down or came back: every device with a point on it. */
  channelFault(channel: string, reason: string | undefined): void {
    this.fault(`ch:${channel}`, this.pointsOf(channel), reason);
  }

  #update(dev: BookedDevice): void {
    const healthy = dev.seen && dev.faults.size === 0;
    if (healthy && !dev.online) {
      dev.online = true;
      dev.handle.online();
    } else if (dev.faults.size > 0 && (dev.online || !dev.reportedOffline)) {
      dev.online = false;
      dev.reportedOffline = true;
      dev.handle.offline([...dev.faults.values()][0]);
    }
  }
}

export const keyOf = (d: { productKey: string; deviceName: string }): string => `${d.productKey}/${d.deviceName}`;
