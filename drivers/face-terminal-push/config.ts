/**
 * Driver and device configuration of the push-protocol face terminal driver, read through the
 * schemas of settings.ts (the host refused a config they refuse before the driver started).
 */
import type { Static } from '@sinclair/typebox';
import type { DeviceInfo } from '../../edge/host/sdk/driver.js';
import { readSettings } from '../../edge/host/sdk/settings.js';
import type { ServiceName } from '../../protocols/face-push/index.js';
import settings from './settings.js';

export type PushDriverSettings = Static<typeof settings.config>;

export function pushSettings(cfg: Record<string, unknown>): PushDriverSettings {
  const s = readSettings(settings.config, cfg, 'face-terminal-push driver config');
  // Installers write `push`, `/push` or `/push/`: the server matches one form.
  const prefix = s.pathPrefix.replace(/^\/+|\/+$/g, '');
  return { ...s, pathPrefix: prefix ? `/${prefix}` : '' };
}

export function intervalOf(s: PushDriverSettings, service: ServiceName): number {
  if (service === 'person') return s.intervalsS.person;
  if (service === 'open') return s.intervalsS.open;
  if (service === 'update') return s.intervalsS.update;
  return s.intervalsS.other;
}

/**
 * The online rule: a terminal is online from a valid register or any valid message, and goes
 * offline after `2 × heartbeat interval + 10 s` without a message. The box enables the heartbeat
 * service at register, so a live terminal always speaks within one heartbeat interval.
 */
export function offlineAfterMs(s: PushDriverSettings): number {
  return (2 * s.intervalsS.heartbeat + 10) * 1000;
}

/** The terminal's SN: `custom.deviceNo` (a YAML number kept as its digits), else the deviceName. */
export function deviceNoOf(d: DeviceInfo): string {
  const { deviceNo } = readSettings(settings.device, d.custom, `custom of ${d.deviceName}`);
  return deviceNo === undefined ? d.deviceName : String(deviceNo);
}
