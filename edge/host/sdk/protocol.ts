/**
 * Messages between the host and a driver process. JSON only, so the same messages can be
 * carried over the local MQTT bus by a driver written in another language (docs/bus-topics.md).
 */
import type { DeviceInfo } from './driver.js';

export type CallOp = 'get' | 'set' | 'service' | 'discover';

export type HostToDriver =
  | {
      t: 'init';
      name: string;
      config: Record<string, unknown>;
      deviceList: DeviceInfo[];
      logLevel: string;
      dataDir: string;
      heartbeatMs: number;
      /** Platform time minus box time (Alink NTP), applied to the SDK's timestamps; 0 before the cloud answers. */
      clockOffsetMs?: number;
    }
  | { t: 'devices'; add: DeviceInfo[]; remove: Array<Pick<DeviceInfo, 'productKey' | 'deviceName'>> }
  | { t: 'call'; id: number; op: CallOp; pk: string; dn: string; keys?: string[]; params?: Record<string, unknown>; service?: string }
  | { t: 'stop'; force: boolean }
  /** The platform clock moved against the box's (a new Alink NTP answer). */
  | { t: 'clock'; offsetMs: number }
  /** The answer to a driver's `hostCall` (docs/access.md, host services). */
  | { t: 'hostReply'; id: number; code: number; message: string; data?: unknown };

/** A property report batch entry: productKey, deviceName, values, device time. */
export type PropsItem = [string, string, Record<string, unknown>, number];

export type DriverToHost =
  | { t: 'ready' }
  | { t: 'hb' }
  | {
      t: 'status';
      pk: string;
      dn: string;
      online: boolean;
      reason?: string /** The driver could not bring the device into service (addDevice failed). */;
      failed?: true;
    }
  | { t: 'props'; items: PropsItem[] }
  | { t: 'event'; pk: string; dn: string; id: string; params: Record<string, unknown>; time: number }
  | { t: 'reply'; id: number; code: number; message: string; data?: unknown }
  | { t: 'stopped' }
  /** The driver could not start (its error, e.g. a port it cannot listen on); the process exits next. */
  | { t: 'startFailed'; reason: string }
  /** The running driver dies of an uncaught error (e.g. `listen EADDRINUSE` from a server it opened); the process exits next. */
  | { t: 'fatal'; reason: string }
  /** A remote (bus) driver announces itself; the host answers with `init`. */
  | { t: 'hello' }
  /** A driver asks a host service (e.g. `access.decideQr`); answered by `hostReply` with the same id. */
  | { t: 'hostCall'; id: number; method: string; args: Record<string, unknown> };

export function isDriverMessage(m: unknown): m is DriverToHost {
  return typeof m === 'object' && m !== null && typeof (m as { t?: unknown }).t === 'string';
}
