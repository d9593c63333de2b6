/**
 * What drivers report (property values, events, device status), taken in through the thing-model
 * boundary (the device registry) onto the event bus. A driver may report only its own devices.
 */
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import { deviceKey, type DeviceRegistry } from '../thing/registry.js';
import type { PropsItem } from './sdk/protocol.js';

/** The status reason of a device whose driver the box stopped on purpose (redeploy, restart). */
export const DRIVER_STOPPED = 'driver stopped by the box (redeploy or restart)';

export class DriverReports {
  readonly #registry: DeviceRegistry;
  readonly #events: EventBus;
  readonly #log: Logger;

  constructor(deps: { registry: DeviceRegistry; events: EventBus; log: Logger }) {
    this.#registry = deps.registry;
    this.#events = deps.events;
    this.#log = deps.log;
  }

  properties(driver: string, items: PropsItem[]): void {
    for (const [pk, dn, values, time] of items) {
      const d = this.#registry.get(pk, dn);
      if (!d || d.driver !== driver) {
        this.#owns(driver, pk, dn);
        continue;
      }
      if (d.status === 'disabled') continue;
      const { accepted, count } = this.#registry.acceptProperties(pk, dn, values, time);
      if (count > 0) this.#events.emit('device.properties', { productKey: pk, deviceName: dn, params: accepted });
    }
  }

  event(driver: string, pk: string, dn: string, id: string, params: Record<string, unknown>, time: number): void {
    if (!this.#owns(driver, pk, dn)) return;
    if (this.#registry.get(pk, dn)?.status === 'disabled') return;
    try {
      const checked = this.#registry.checkEvent(pk, dn, id, params);
      this.#events.emit('device.event', { productKey: pk, deviceName: dn, eventId: id, params: checked, time });
    } catch (err) {
      this.#log.warn({ dev: deviceKey(pk, dn), event: id, reason: (err as Error).message }, 'event dropped');
    }
  }

  deviceStatus(driver: string, pk: string, dn: string, online: boolean, reason: string | undefined, failed: boolean | undefined): void {
    if (!this.#owns(driver, pk, dn)) return;
    const startError = failed ? { startError: reason ?? 'the driver could not start it' } : undefined;
    this.#registry.setStatus(pk, dn, online ? 'online' : 'offline', reason, startError);
  }

  /** The driver's process is down: its live devices go offline with the reason. */
  driverDown(driver: string, reason: string): void {
    // A stop the box asked for (redeploy, restart button) is no fault: its own reason, no alarm.
    const why = reason === 'stopped' ? DRIVER_STOPPED : `driver down: ${reason}`;
    for (const d of this.#registry.byDriver(driver)) {
      if (d.status === 'online' || d.status === 'notActivated') this.#registry.setStatus(d.productKey, d.deviceName, 'offline', why);
    }
  }

  #owns(driver: string, pk: string, dn: string): boolean {
    const d = this.#registry.get(pk, dn);
    if (d && d.driver === driver) return true;
    this.#log.warn({ driver, dev: deviceKey(pk, dn) }, 'driver reported a device it does not own; ignored');
    return false;
  }
}
