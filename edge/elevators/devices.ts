/**
 * Which box device a relation's `elevatorIotId` / `triggerIotId` names. The cloud speaks iotIds;
 * the box knows devices as `productKey/deviceName`. An id resolves, in this order, to:
 *   1. the device whose key it is (`PEElevatorGateway/EL-01`: console and commissioning files);
 *   2. the device the platform gave that iotId at dynamic registration (cloud_subdevice_secrets);
 *   3. the device whose `custom.iotId` the installer set to it;
 *   4. the one device of that deviceName.
 * The logical devices of one door terminal (`<code>.1` … `.5`, the door-standard and face
 * drivers, spec 001b R9) are one trigger: a relation naming the face device of door D fires
 * on a QR or card pass at D too ("any credential").
 */
import type { Db } from '../store/db.js';
import { type Device, keyOf, splitDeviceKey } from '../thing/registry.js';

export interface DeviceSource {
  list(): Device[];
  byKey(key: string): Device | undefined;
}

/** Products whose devices are elevator gateways (the seed's model and the older wire-level one). */
export const ELEVATOR_PRODUCTS: ReadonlySet<string> = new Set(['PEElevatorGateway', 'PEDoorElevator']);

const TERMINAL_SUFFIX = /\.[1-5]$/;

/** The trigger identity of a device: its terminal for `.1-.5` logical devices, else itself. */
export function triggerKeyOf(deviceKey: string): string {
  const [, name] = splitDeviceKey(deviceKey);
  return TERMINAL_SUFFIX.test(name) ? `terminal:${name.replace(TERMINAL_SUFFIX, '')}` : deviceKey;
}

export class DeviceResolver {
  readonly #devices: DeviceSource;
  readonly #iotIds: () => Map<string, string>;

  constructor(devices: DeviceSource, db: Db) {
    this.#devices = devices;
    this.#iotIds = () => {
      try {
        const rows = db.prepare('SELECT device, iot_id FROM cloud_subdevice_secrets WHERE iot_id IS NOT NULL').all() as Array<{
          device: string;
          iot_id: string;
        }>;
        return new Map(rows.map((r) => [r.iot_id, r.device]));
      } catch {
        return new Map(); // no cloud area on this box
      }
    };
  }

  /** Resolve many ids at once (one read of the registration table). */
  resolver(): (id: string) => string | undefined {
    const iot = this.#iotIds();
    const devices = this.#devices.list();
    return (id) => {
      if (this.#devices.byKey(id)) return id;
      const registered = iot.get(id);
      if (registered) return registered;
      const byCustom = devices.find((d) => d.custom.iotId === id);
      if (byCustom) return keyOf(byCustom);
      const byName = devices.filter((d) => d.deviceName === id);
      return byName.length === 1 ? keyOf(byName[0]!) : undefined;
    };
  }

  isOnline(deviceKey: string): boolean {
    return this.#devices.byKey(deviceKey)?.status === 'online';
  }

  resolve(id: string): string | undefined {
    return this.resolver()(id);
  }

  /**
   * The elevator device of the door terminal `doorKey` belongs to, when that door runs the
   * linkage itself (`custom.linkage: true`, seed 001 L37159-37161): its rules are deployed to it
   * with /elevator/rule/sync and the box does not run them.
   */
  selfRunningElevatorOf(doorKey: string): string | undefined {
    const d = this.#devices.byKey(doorKey);
    if (!d || d.custom.ip === undefined) return undefined;
    const e = this.#devices
      .list()
      .find(
        (x) => x.driver === d.driver && x.custom.ip === d.custom.ip && ELEVATOR_PRODUCTS.has(x.productKey) && x.custom.linkage === true,
      );
    return e ? keyOf(e) : undefined;
  }
}
