/**
 * The device registry and shadow: which devices this box hosts, through which driver, with
 * which thing model, in which status, and the last accepted value and time of every property.
 * Values enter only through `acceptProperties`, which is the TSL boundary of the runtime.
 */
import { edgeError } from '../errors.js';
import type { EventBus, TimedValue } from '../events.js';
import { Shadow } from './shadow.js';
import type { Logger } from '../log.js';
import type { CompiledModel } from './model.js';
import { checkParams } from './value.js';
import { deviceKey, keyOf, splitDeviceKey } from '../host/sdk/device-key.js';

/** Device status as the cloud reports it: 0 notActivated, 1 online, 3 offline, 8 disabled (spec 001c). */
export type DeviceStatus = 'notActivated' | 'online' | 'offline' | 'disabled';
export const STATUS_CODE: Record<DeviceStatus, number> = { notActivated: 0, online: 1, offline: 3, disabled: 8 };

export interface DeviceSpec {
  productKey: string;
  deviceName: string;
  driver: string;
  custom: Record<string, unknown>;
  /** Human label shown in the console; not part of the identity. */
  alias?: string;
  disabled?: boolean;
}

export interface Device extends DeviceSpec {
  model: CompiledModel;
  status: DeviceStatus;
  statusReason?: string;
  /** The driver could not bring the device into service (bad custom config, unreachable port …): /healthz says so until it can. */
  startError?: string;
  lastSeen: number;
  shadow: Shadow;
}

export { deviceKey, keyOf, splitDeviceKey };

export interface AcceptResult {
  accepted: Record<string, TimedValue>;
  count: number;
  dropped: number;
}

export class DeviceRegistry {
  readonly #devices = new Map<string, Device>();
  readonly #events: EventBus;
  readonly #log: Logger;

  constructor(deps: { events: EventBus; log: Logger }) {
    this.#events = deps.events;
    this.#log = deps.log;
  }

  upsert(spec: DeviceSpec, model: CompiledModel): Device {
    const key = deviceKey(spec.productKey, spec.deviceName);
    const existing = this.#devices.get(key);
    if (existing) {
      const wasDisabled = existing.status === 'disabled';
      // `disabled` absent means enabled: a re-enabled device must not keep the old flag.
      Object.assign(existing, spec, {
        model,
        disabled: spec.disabled === true,
        shadow: existing.model === model ? existing.shadow : existing.shadow.rebase(model),
      });
      if (spec.disabled && !wasDisabled) this.setStatus(spec.productKey, spec.deviceName, 'disabled', 'disabled by config');
      else if (!spec.disabled && wasDisabled)
        this.setStatus(spec.productKey, spec.deviceName, 'offline', 'enabled; waiting for its driver');
      return existing;
    }
    const device: Device = { ...spec, model, status: spec.disabled ? 'disabled' : 'notActivated', lastSeen: 0, shadow: new Shadow(model) };
    this.#devices.set(key, device);
    return device;
  }

  remove(productKey: string, deviceName: string): void {
    this.#devices.delete(deviceKey(productKey, deviceName));
  }

  get(productKey: string, deviceName: string): Device | undefined {
    return this.#devices.get(deviceKey(productKey, deviceName));
  }

  /** By `productKey/deviceName`. */
  byKey(key: string): Device | undefined {
    return this.#devices.get(key);
  }

  require(productKey: string, deviceName: string): Device {
    const d = this.get(productKey, deviceName);
    if (!d) throw edgeError('EDGE_ERR_DEVICE_UNKNOWN', productKey, deviceName);
    return d;
  }

  list(): Device[] {
    return [...this.#devices.values()];
  }

  byDriver(driver: string): Device[] {
    return this.list().filter((d) => d.driver === driver);
  }

  setStatus(productKey: string, deviceName: string, status: DeviceStatus, reason?: string, o: { startError?: string } = {}): void {
    const d = this.get(productKey, deviceName);
    if (!d) return;
    if (o.startError !== undefined) d.startError = o.startError;
    else if (status === 'online') delete d.startError;
    // A disabled device stays disabled whatever its driver says, until config enables it.
    if (d.status === 'disabled' && status !== 'disabled' && d.disabled) return;
    if (d.status === status) return;
    const previous = d.status;
    d.status = status;
    if (reason !== undefined) d.statusReason = reason;
    else delete d.statusReason;
    if (status === 'online') d.lastSeen = Date.now();
    this.#events.emit('device.status', { productKey, deviceName, status, previous, ...(reason ? { reason } : {}) });
  }

  /**
   * The TSL boundary for reports: every value is checked against its property definition;
   * out-of-range or ill-typed values are dropped with a logged reason, never forwarded.
   */
  acceptProperties(productKey: string, deviceName: string, raw: Record<string, unknown>, time: number): AcceptResult {
    const d = this.require(productKey, deviceName);
    const accepted: Record<string, TimedValue> = {};
    let count = 0;
    let dropped = 0;
    for (const key in raw) {
      const prop = d.model.properties.get(key);
      const reason = prop ? undefined : 'not in thing model';
      const checked = prop ? prop.check(raw[key]) : undefined;
      if (!checked?.ok) {
        dropped++;
        const why = reason ?? (checked && !checked.ok ? checked.reason : 'invalid');
        this.#log.warn({ dev: deviceKey(productKey, deviceName), key, reason: why }, 'value dropped');
        this.#events.emit('value.dropped', { productKey, deviceName, key, reason: why });
        continue;
      }
      const tv = { value: checked.value, time };
      accepted[key] = tv;
      d.shadow.set(key, tv.value, time);
      count++;
    }
    d.lastSeen = Date.now();
    return { accepted, count, dropped };
  }

  /** Check an event's output against the TSL; throws EDGE_ERR_VALUE_INVALID with the reason. */
  checkEvent(productKey: string, deviceName: string, eventId: string, params: unknown): Record<string, unknown> {
    const d = this.require(productKey, deviceName);
    const defs = d.model.eventOutputs.get(eventId);
    if (!defs) throw edgeError('EDGE_ERR_VALUE_INVALID', `event ${eventId}`, 'not in thing model');
    const r = checkParams(defs, params ?? {});
    if (!r.ok) throw edgeError('EDGE_ERR_VALUE_INVALID', `event ${eventId}`, r.reason);
    return r.value;
  }

  /** Check a service call's input; throws EDGE_ERR_SERVICE_UNKNOWN or EDGE_ERR_VALUE_INVALID. */
  checkServiceInput(productKey: string, deviceName: string, serviceId: string, params: unknown): Record<string, unknown> {
    const d = this.require(productKey, deviceName);
    const defs = d.model.serviceInputs.get(serviceId);
    if (!defs) throw edgeError('EDGE_ERR_SERVICE_UNKNOWN', serviceId, deviceKey(productKey, deviceName));
    const r = checkParams(defs, params ?? {});
    if (!r.ok) throw edgeError('EDGE_ERR_VALUE_INVALID', `service ${serviceId}`, r.reason);
    return r.value;
  }

  /** Check a property write: the property must exist, be writable and its value valid. */
  checkPropertySet(productKey: string, deviceName: string, params: unknown): Record<string, unknown> {
    const d = this.require(productKey, deviceName);
    if (typeof params !== 'object' || params === null || Array.isArray(params))
      throw edgeError('EDGE_ERR_REQUEST_INVALID', 'params must be an object');
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(params)) {
      const prop = d.model.properties.get(k);
      if (!prop) throw edgeError('EDGE_ERR_PROPERTY_UNKNOWN', k, deviceKey(productKey, deviceName));
      if (prop.def.accessMode !== 'rw') throw edgeError('EDGE_ERR_PROPERTY_READONLY', k, deviceKey(productKey, deviceName));
      const r = prop.check(v);
      if (!r.ok) throw edgeError('EDGE_ERR_VALUE_INVALID', k, r.reason);
      out[k] = r.value;
    }
    return out;
  }
}
