/**
 * The driver's view of its devices: adapters by address and vendor, cameras by their address on
 * the wire (ip, deviceType, channel) and by name, and each vendor's getConfig list.
 */
import type { DeviceHandle } from '../../edge/host/sdk/driver.js';
import type { CameraAddress, ConfigEntry, DeviceType, Manufacture } from '../../protocols/edge-security-event/index.js';
import { ADAPTER_PRODUCT } from './products.js';
import { keyOf } from '../../edge/host/sdk/device-key.js';

export interface Adapter {
  handle: DeviceHandle;
  ip: string;
  manufacture: Manufacture;
  mac?: string;
}

export interface Camera extends CameraAddress {
  handle: DeviceHandle;
  manufacture: Manufacture;
  /** The adapter's last getStatus: 1 connected, 0 not, with its reason. */
  status?: 0 | 1;
  unnormalInfo?: string;
}

const wireKey = (a: CameraAddress): string => `${a.ip}/${a.deviceType}/${a.deviceType === 3 ? a.channel : 0}`;

export class DeviceBook {
  readonly adapters = new Map<string, Adapter>();
  readonly #cameras = new Map<string, Camera>();

  add(h: DeviceHandle): Adapter | Camera {
    const c = h.custom;
    const manufacture = c.manufacture as Manufacture;
    if (h.productKey === ADAPTER_PRODUCT) {
      const a: Adapter = { handle: h, ip: String(c.ip), manufacture, ...(typeof c.mac === 'string' ? { mac: c.mac } : {}) };
      this.adapters.set(a.ip, a);
      return a;
    }
    const deviceType = c.deviceType as DeviceType;
    const cam: Camera = { handle: h, manufacture, ip: String(c.ip), deviceType, channel: deviceType === 3 ? Number(c.channel ?? 0) : 0 };
    this.#cameras.set(keyOf(h), cam);
    return cam;
  }

  remove(h: DeviceHandle): Adapter | Camera | undefined {
    if (h.productKey === ADAPTER_PRODUCT) {
      const a = this.adapters.get(String(h.custom.ip));
      if (a?.handle === h) this.adapters.delete(a.ip);
      return a;
    }
    const key = keyOf(h);
    const cam = this.#cameras.get(key);
    if (cam?.handle === h) this.#cameras.delete(key);
    return cam;
  }

  adapterOf(manufacture: string): Adapter | undefined {
    return [...this.adapters.values()].find((a) => a.manufacture === manufacture);
  }

  cameras(manufacture?: string): Camera[] {
    return [...this.#cameras.values()].filter((c) => manufacture === undefined || c.manufacture === manufacture);
  }

  byName(productKey: unknown, deviceName: unknown): Camera | undefined {
    return this.#cameras.get(`${String(productKey)}/${String(deviceName)}`);
  }

  /** The camera a report names: of any vendor, so a wrong vendor can be told from an unknown camera. */
  at(a: CameraAddress): Camera[] {
    const k = wireKey(a);
    return [...this.#cameras.values()].filter((c) => wireKey(c) === k);
  }

  /** deviceManage/getConfig's list for a vendor (L41640-41680); child fields for type 3 only. */
  config(manufacture: Manufacture): ConfigEntry[] {
    return this.cameras(manufacture).map((cam) => {
      const c = cam.handle.custom;
      const e: ConfigEntry = {
        manufacture,
        deviceType: cam.deviceType,
        ip: cam.ip,
        port: Number(c.port ?? 0),
        username: String(c.username ?? ''),
        password: String(c.password ?? ''),
      };
      if (cam.deviceType === 3) {
        e.channel = cam.channel;
        if (typeof c.childIp === 'string') e.childIp = c.childIp;
        if (typeof c.childPort === 'number') e.childPort = c.childPort;
        if (typeof c.childUsername === 'string') e.childUsername = c.childUsername;
        if (typeof c.childPassword === 'string') e.childPassword = c.childPassword;
      }
      if (typeof c.extInfo === 'string') e.extInfo = c.extInfo;
      return e;
    });
  }
}
