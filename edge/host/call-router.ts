/**
 * Routing of property reads/writes, service calls and discovery to the driver that owns the
 * device, through the thing-model checks and the box's own hooks. Every failure is an answer.
 */
import { answerOf, edgeError, EdgeError, type Answer } from '../errors.js';
import type { Logger } from '../log.js';
import { deviceKey, type DeviceRegistry } from '../thing/registry.js';
import type { DriverProcess } from './driver-process.js';

/** A box-side handler of a device service; `forward` passes the call on to the device's driver. */
export type DeviceServiceHook = (pk: string, dn: string, args: Record<string, unknown>, forward: () => Promise<Answer>) => Promise<Answer>;
export type DevicePropertyHook = (pk: string, dn: string, value: unknown) => void;

export class CallRouter {
  readonly #registry: DeviceRegistry;
  readonly #log: Logger;
  readonly #driver: (name: string) => DriverProcess | undefined;
  readonly #serviceHooks = new Map<string, DeviceServiceHook>();
  readonly #propertyHooks = new Map<string, DevicePropertyHook>();

  constructor(deps: { registry: DeviceRegistry; log: Logger; driver: (name: string) => DriverProcess | undefined }) {
    this.#registry = deps.registry;
    this.#log = deps.log;
    this.#driver = deps.driver;
  }

  handleDeviceService(serviceId: string, hook: DeviceServiceHook): void {
    this.#serviceHooks.set(serviceId, hook);
  }

  watchPropertySet(property: string, hook: DevicePropertyHook): void {
    this.#propertyHooks.set(property, hook);
  }

  getProperties(pk: string, dn: string, keys: string[]): Promise<Answer> {
    return this.#guard(async () => {
      const d = this.#registry.require(pk, dn);
      for (const k of keys) if (!d.model.properties.has(k)) throw edgeError('EDGE_ERR_PROPERTY_UNKNOWN', k, deviceKey(pk, dn));
      return this.#route(pk, dn).call('get', pk, dn, { keys });
    });
  }

  setProperties(pk: string, dn: string, params: unknown): Promise<Answer> {
    return this.#guard(async () => {
      const values = this.#registry.checkPropertySet(pk, dn, params);
      for (const [key, value] of Object.entries(values)) this.#propertyHooks.get(key)?.(pk, dn, value);
      return this.#route(pk, dn).call('set', pk, dn, { params: values });
    });
  }

  callService(pk: string, dn: string, serviceId: string, params: unknown, timeoutMs?: number): Promise<Answer> {
    return this.#guard(async () => {
      if (serviceId === 'set') return this.setProperties(pk, dn, params);
      if (serviceId === 'get')
        return this.getProperties(pk, dn, Array.isArray(params) ? params.map(String) : Object.keys((params as object) ?? {}));
      const args = this.#registry.checkServiceInput(pk, dn, serviceId, params);
      const forward = (): Promise<Answer> => this.#route(pk, dn).call('service', pk, dn, { service: serviceId, params: args }, timeoutMs);
      const hook = this.#serviceHooks.get(serviceId);
      return hook ? hook(pk, dn, args, forward) : forward();
    });
  }

  discover(driverName: string, options: Record<string, unknown>, timeoutMs?: number): Promise<Answer> {
    return this.#guard(async () => {
      const proc = this.#driver(driverName);
      if (!proc) throw edgeError('EDGE_ERR_DRIVER_UNAVAILABLE', driverName, 'not deployed');
      return proc.call('discover', '', '', { params: options }, timeoutMs);
    });
  }

  #route(pk: string, dn: string): DriverProcess {
    const d = this.#registry.require(pk, dn);
    if (d.status === 'disabled') throw edgeError('EDGE_ERR_DEVICE_DISABLED', pk, dn);
    const proc = this.#driver(d.driver);
    if (!proc) throw edgeError('EDGE_ERR_DRIVER_UNAVAILABLE', d.driver, 'not deployed');
    return proc;
  }

  async #guard(fn: () => Promise<Answer>): Promise<Answer> {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof EdgeError)) this.#log.error({ err }, 'call failed');
      return answerOf(err);
    }
  }
}
