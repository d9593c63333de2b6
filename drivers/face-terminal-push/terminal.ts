/** One push-protocol terminal as the driver sees it: its device handle, liveness and what it reported. */
import type { DeviceHandle } from '../../edge/host/sdk/driver.js';
import { keyOf } from '../../edge/host/sdk/device-key.js';

export class PushTerminal {
  readonly deviceNo: string;
  readonly handle: DeviceHandle;
  readonly deviceKey: string;
  online = false;
  lastSeen = 0;
  readonly props: Record<string, unknown> = {};
  /** Recently accepted record keys (msgID|passTime): the terminal resends a record whose answer it lost. */

  /** The terminal's configured address (custom.ip): its messages must come from it. */
  readonly ip: string | undefined;

  constructor(deviceNo: string, handle: DeviceHandle, ip?: string) {
    this.deviceNo = deviceNo;
    this.ip = ip;
    this.handle = handle;
    this.deviceKey = keyOf(handle);
  }

  /** Any valid message keeps the terminal online (see config.ts offlineAfterMs for the rule). */
  touch(now = Date.now()): void {
    this.lastSeen = now;
    if (!this.online) {
      this.online = true;
      this.handle.online();
    }
  }

  /** True when the terminal went silent for longer than `limitMs` (and is marked offline now). */
  checkSilence(limitMs: number, now = Date.now()): boolean {
    if (!this.online || now - this.lastSeen <= limitMs) return false;
    this.online = false;
    this.handle.offline(`no message from terminal ${this.deviceNo} for ${Math.round((now - this.lastSeen) / 1000)} s`);
    return true;
  }

  report(values: Record<string, unknown>): void {
    Object.assign(this.props, values);
    this.handle.reportProperties(values);
  }
}
