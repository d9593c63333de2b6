/** What a supervised driver process is (its spec), what it reports (callbacks) and its time limits (options). */
import type { Answer } from '../errors.js';
import type { DeviceInfo } from './sdk/driver.js';
import type { PropsItem } from './sdk/protocol.js';
import type { ProcessState } from './process-supervisor.js';

/** The supervisor's states (process-supervisor.ts): the console and /healthz read drivers and apps alike. */
export type DriverState = ProcessState;

export interface DriverProcessOptions {
  heartbeatMs: number;
  /** No message for this long means the driver hangs: it is killed and restarted. */
  hangTimeoutMs: number;
  /** Silence allowed before a new process's first message. */
  startGraceMs: number;
  restartBaseMs: number;
  restartMaxMs: number;
  /** A driver that ran this long without failing has its backoff reset. */
  stableAfterMs: number;
  callTimeoutMs: number;
  stopTimeoutMs: number;
  logLevel: string;
  /** The driver's log file rotates at this size, keeping `logKeep` old files. */
  logMaxBytes: number;
  logKeep: number;
}

export const driverProcessDefaults: DriverProcessOptions = {
  heartbeatMs: 1000,
  hangTimeoutMs: 5000,
  startGraceMs: 15_000,
  restartBaseMs: 500,
  restartMaxMs: 30_000,
  stableAfterMs: 60_000,
  callTimeoutMs: 10_000,
  stopTimeoutMs: 5000,
  logLevel: 'info',
  logMaxBytes: 10 * 1024 * 1024,
  logKeep: 3,
};

export interface DriverSpec {
  name: string;
  /** Absolute path of the driver's entry module (child-process drivers). */
  module: string;
  /** `process` (default): a Node child process; `mqtt`: a driver in another language on the local bus. */
  transport?: 'process' | 'mqtt';
  /** V8 old-space limit of the child process, MB. */
  heapMb?: number;
  config: Record<string, unknown>;
  devices: DeviceInfo[];
}

export interface DriverCallbacks {
  onProps(items: PropsItem[]): void;
  onEvent(pk: string, dn: string, id: string, params: Record<string, unknown>, time: number): void;
  onDeviceStatus(pk: string, dn: string, online: boolean, reason?: string, failed?: boolean): void;
  /** The process is gone (crash, kill, hang, stop): every device of it is offline now. */
  onDown(reason: string): void;
  onState(state: DriverState): void;
  /** A restart is planned: attempt number (1 = first after a failure), its delay and why. */
  onRestartScheduled?(attempt: number, delayMs: number, reason: string): void;
  /** The driver asks a host service; the answer goes back as `hostReply`. */
  onHostCall?(method: string, args: Record<string, unknown>): Promise<Answer>;
}
