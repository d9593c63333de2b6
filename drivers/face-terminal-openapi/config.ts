/**
 * Configuration of the OpenAPI face terminal driver, read through the schemas of settings.ts
 * (the host refused a config they refuse before the driver started). `host`/`port` is the box's
 * chapter 9 server (device → platform pushes); `faceSync` says whether faces are pushed through
 * `/api/user` (default) or pulled by the terminal through `/syrecord` (9.1).
 */
import type { Static } from '@sinclair/typebox';
import type { DeviceInfo } from '../../edge/host/sdk/driver.js';
import { readSettings } from '../../edge/host/sdk/settings.js';
import settings from './settings.js';

export type OpenApiDriverSettings = Omit<Static<typeof settings.config>, 'publicUrl'> & { publicUrl: string };

export interface OpenApiDeviceConfig {
  ip: string;
  port: number;
  wsPort: number;
  password: string;
  /** The id the terminal uses in chapter 9 paths. */
  deviceId: string;
}

export function openApiSettings(cfg: Record<string, unknown>): OpenApiDriverSettings {
  const s = readSettings(settings.config, cfg, 'face-terminal-openapi driver config');
  // Paths are appended to it with their own leading slash.
  return { ...s, publicUrl: (s.publicUrl ?? '').replace(/\/+$/, '') };
}

/** One terminal's settings; throws with every problem of its custom config. */
export function deviceConfig(d: DeviceInfo): OpenApiDeviceConfig {
  const c = readSettings(settings.device, d.custom, `custom of ${d.deviceName}`);
  // YAML integers (`password: 654321`, `deviceId: 1001`) are kept as their digits.
  return {
    ip: c.ip,
    port: c.port,
    wsPort: c.wsPort,
    password: String(c.password),
    deviceId: c.deviceId === undefined ? d.deviceName : String(c.deviceId),
  };
}
