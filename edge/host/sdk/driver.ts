/**
 * The driver contract. It mirrors the Link IoT Edge driver model (seed 001 L39189-39610):
 * a driver receives `{config, deviceList:[{productKey, deviceName, custom}]}`, brings each
 * device online through a handle, reports properties and events, and answers
 * getProperties / setProperties / callService with `{code, message, data}`.
 *
 * Everything else (TSL validation, shadow, routing, supervision, restarts, scheduling of
 * redeploys) lives in the host. A driver runs in its own child process; it never opens the
 * box database and never talks to the cloud.
 */
import type { Logger } from 'pino';
import type { Answer } from './answer.js';

// The SDK's one entry for driver authors: the answer helpers and codes come along with the contract.
export { ALINK, DRIVER_ERRORS, fail, formatMessage, ok, succeeded, type Answer, type DriverErrorCode } from './answer.js';

/** One device as deployed to the driver (Link IoT Edge `deviceList` entry). */
export interface DeviceInfo {
  productKey: string;
  deviceName: string;
  /** The device's own custom config (for example its IP and port, or its point mapping). */
  custom: Record<string, unknown>;
}

/** What the driver is given when it starts. */
export interface DriverContext {
  /** The driver instance name, e.g. `Demo_Sim_EBA_Meter`. */
  name: string;
  /** Driver-level config (Link IoT Edge `json`). */
  config: Record<string, unknown>;
  /** Devices deployed at start; later changes arrive through addDevice/removeDevice. */
  deviceList: DeviceInfo[];
  /** A pino logger writing to this driver's own log file. */
  log: Logger;
  /** A directory private to this driver for its own files (not the box database). */
  dataDir: string;
  /** Services the host process offers to drivers (for example the access core's decisions). */
  host: HostServices;
}

/**
 * Calls into the host process. A driver never opens the database; when it needs what lives
 * there (a passage decision, pending permission deployments) it asks the host by method name,
 * e.g. `ctx.host.call('access.decideQr', { deviceKey, code })`. The answer is `{code, message, data}`;
 * an unknown method answers 6304, a call the host does not answer in time rejects with an Error.
 */
export interface HostServices {
  call<T = unknown>(method: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<Answer<T>>;
}

/** The host-side handle of one device, given to the driver. */
export interface DeviceHandle extends DeviceInfo {
  /** The device is reachable; the host marks it online and the cloud logs it in. */
  online(): void;
  /** The device is not reachable; say why so the console and log can tell the technician. */
  offline(reason?: string): void;
  /** Report property values; `time` is the device-side UTC ms of the sample (default now). */
  reportProperties(values: Record<string, unknown>, time?: number): void;
  /** Report an event defined in the device's thing model. */
  reportEvent(eventId: string, params: Record<string, unknown>, time?: number): void;
  /** A logger bound to this device. */
  log: Logger;
}

export interface Driver {
  /** Connect what is shared by all devices (a listening server, a serial port). */
  start?(): Promise<void>;
  /**
   * Bring one device into service. Called once per device at start and for each device a
   * redeploy adds or changes. Throwing marks only this device offline; the others go on.
   */
  addDevice(device: DeviceHandle): Promise<void>;
  /** Take one device out of service (removed or changed by a redeploy). */
  removeDevice(device: DeviceHandle): Promise<void>;
  /** Read properties from the device (keys already checked against the thing model). */
  getProperties(device: DeviceHandle, keys: string[]): Promise<Answer<Record<string, unknown>>>;
  /** Write properties (values already validated and coerced against the thing model). */
  setProperties(device: DeviceHandle, values: Record<string, unknown>): Promise<Answer>;
  /** Invoke a service (input already validated against the thing model). */
  callService(device: DeviceHandle, serviceId: string, args: Record<string, unknown>): Promise<Answer>;
  /** Release everything. `force` means the host will kill the process soon: be quick. */
  stop?(force: boolean): Promise<void>;
  /** Optional: find devices on site (for example BACnet Who-Is). */
  discover?(options: Record<string, unknown>): Promise<Answer<unknown[]>>;
}

export type DriverFactory = (ctx: DriverContext) => Driver | Promise<Driver>;

/** A driver module's default export. Typed identity, so a driver file reads as what it is. */
export function defineDriver(factory: DriverFactory): DriverFactory {
  return factory;
}
