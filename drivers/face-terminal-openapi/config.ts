/**
 * Configuration of the OpenAPI face terminal driver.
 *
 * Driver config (optional): `{ host, port, publicUrl, syncPollMs, faceSync: 'api' | 'pull', feedbackTimeoutMs }` —
 * `host`/`port` is the box's chapter 9 server (device → platform pushes), `publicUrl` the base
 * URL the terminals reach it at (face pictures of library pulls), `faceSync` whether faces are
 * pushed through `/api/user` (default) or pulled by the terminal through `/syrecord` (9.1).
 * Device custom: `{ ip, port: 8899, wsPort: 9000, password: '123456', deviceId }` (seed 004 L61-67, L870).
 */
import { FACTORY_PASSWORD } from '../../protocols/face-openapi/sign.js';
import type { DeviceInfo } from '../../edge/host/sdk/driver.js';

export interface OpenApiDriverSettings {
  host: string;
  port: number;
  publicUrl: string;
  syncPollMs: number;
  faceSync: 'api' | 'pull';
  /** 'pull': a library change without 9.4 feedback by then is reported as a timeout to the access core. */
  feedbackTimeoutMs: number;
}

export interface OpenApiDeviceConfig {
  ip: string;
  port: number;
  wsPort: number;
  password: string;
  /** The id the terminal uses in chapter 9 paths. */
  deviceId: string;
}

const num = (v: unknown, d: number, min: number, max: number): number => (typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : d);

export function openApiSettings(cfg: Record<string, unknown>): OpenApiDriverSettings {
  const host = typeof cfg.host === 'string' ? cfg.host : '127.0.0.1';
  const port = num(cfg.port, 10020, 0, 65535);
  return {
    host,
    port,
    publicUrl: typeof cfg.publicUrl === 'string' ? cfg.publicUrl.replace(/\/+$/, '') : '',
    syncPollMs: num(cfg.syncPollMs, 5000, 100, 600_000),
    faceSync: cfg.faceSync === 'pull' ? 'pull' : 'api',
    feedbackTimeoutMs: num(cfg.feedbackTimeoutMs, 120_000, 1000, 3_600_000),
  };
}

export function deviceConfig(d: DeviceInfo): OpenApiDeviceConfig | string {
  const c = d.custom;
  if (typeof c.ip !== 'string' || !/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$|^[\w.-]+$/.test(c.ip)) return 'custom.ip (the terminal address) is required';
  const port = Number(c.port ?? 8899);
  const wsPort = Number(c.wsPort ?? 9000);
  if (!Number.isInteger(port) || port < 1 || port > 65535 || !Number.isInteger(wsPort) || wsPort < 1 || wsPort > 65535) return 'custom.port/wsPort must be TCP ports';
  return { ip: c.ip, port, wsPort, password: typeof c.password === 'string' ? c.password : FACTORY_PASSWORD, deviceId: typeof c.deviceId === 'string' && c.deviceId ? c.deviceId : d.deviceName };
}
