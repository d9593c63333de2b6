/**
 * Driver and device configuration of the push-protocol face terminal driver.
 *
 * Driver config (all optional): `{ host, port, pathPrefix, tzOffsetMinutes, openTimeoutMs,
 * commandWaitMs, commandTtlMs, resultTimeoutMs, maxAttempts, intervalsS: { heartbeat, person, open, other, update } }`.
 * Device custom: `{ deviceNo }` (the terminal's SN, seed 003 L77-81; default the deviceName).
 */
import type { DeviceInfo } from '../../edge/host/sdk/driver.js';
import type { ServiceName } from '../../protocols/face-push/index.js';

export interface PushDriverSettings {
  host: string;
  port: number;
  /** The `/path` part of the push address the terminal is given (L21). */
  pathPrefix: string;
  /** Time zone of the terminals' local times (pass times, validity dates, setTime). */
  tzOffsetMinutes: number;
  /** How long a remote open waits for the terminal's next open poll and its result. */
  openTimeoutMs: number;
  /** How long another command's caller waits before being answered "queued" (the result then comes as an event). */
  commandWaitMs: number;
  /** A command the terminal has not taken by then is dropped. */
  commandTtlMs: number;
  /** Poll intervals the box assigns at register (seconds). */
  intervalsS: { heartbeat: number; person: number; open: number; update: number; other: number };
  /** How often pending permission changes are pulled from the access core (ms). */
  syncPollMs: number;
  /** A command handed out without a result by then is handed out again, `maxAttempts` times in all. */
  resultTimeoutMs: number;
  maxAttempts: number;
}

export const PUSH_DEFAULTS: PushDriverSettings = {
  host: '127.0.0.1',
  port: 10010,
  pathPrefix: '',
  tzOffsetMinutes: 480,
  openTimeoutMs: 30_000,
  commandWaitMs: 60_000,
  commandTtlMs: 24 * 3_600_000,
  intervalsS: { heartbeat: 30, person: 5, open: 2, update: 300, other: 10 },
  syncPollMs: 5_000,
  resultTimeoutMs: 60_000,
  maxAttempts: 3,
};

const num = (v: unknown, d: number, min: number, max: number): number => {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : d;
};

export function pushSettings(cfg: Record<string, unknown>): PushDriverSettings {
  const iv = (cfg.intervalsS ?? {}) as Record<string, unknown>;
  const d = PUSH_DEFAULTS;
  const prefix = typeof cfg.pathPrefix === 'string' ? cfg.pathPrefix.trim() : '';
  return {
    host: typeof cfg.host === 'string' ? cfg.host : d.host,
    port: num(cfg.port, d.port, 0, 65535),
    pathPrefix: prefix && !prefix.startsWith('/') ? `/${prefix}` : prefix.replace(/\/+$/, ''),
    tzOffsetMinutes: num(cfg.tzOffsetMinutes, d.tzOffsetMinutes, -720, 840),
    openTimeoutMs: num(cfg.openTimeoutMs, d.openTimeoutMs, 1000, 600_000),
    commandWaitMs: num(cfg.commandWaitMs, d.commandWaitMs, 0, 600_000),
    commandTtlMs: num(cfg.commandTtlMs, d.commandTtlMs, 10_000, 30 * 86_400_000),
    intervalsS: {
      heartbeat: num(iv.heartbeat, d.intervalsS.heartbeat, 1, 3600),
      person: num(iv.person, d.intervalsS.person, 1, 3600),
      open: num(iv.open, d.intervalsS.open, 1, 3600),
      update: num(iv.update, d.intervalsS.update, 1, 86_400),
      other: num(iv.other, d.intervalsS.other, 1, 3600),
    },
    syncPollMs: num(cfg.syncPollMs, d.syncPollMs, 200, 600_000),
    resultTimeoutMs: num(cfg.resultTimeoutMs, d.resultTimeoutMs, 1000, 3_600_000),
    maxAttempts: Math.round(num(cfg.maxAttempts, d.maxAttempts, 1, 10)),
  };
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

export function deviceNoOf(d: DeviceInfo): string {
  const v = d.custom.deviceNo;
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : d.deviceName;
}
