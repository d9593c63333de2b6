/** The ports the box listens on itself: a driver's listener may not take them (edge/host/driver-settings.ts). */
import type { BoxConfig } from './schema.js';

export interface BoxListener {
  what: string;
  /** Where it is set in the box config. */
  path: string;
  port: number;
}

export function boxListeners(cfg: BoxConfig): BoxListener[] {
  const out: BoxListener[] = [];
  if (cfg.http.port > 0) out.push({ what: 'the box HTTP server (console, /healthz)', path: '/http/port', port: cfg.http.port });
  if (cfg.bus.enabled && !cfg.bus.externalUrl && cfg.bus.port > 0) out.push({ what: 'the local bus', path: '/bus/port', port: cfg.bus.port });
  return out;
}
