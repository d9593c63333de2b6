/**
 * What the box hands a hosted app in its environment (seed 001 L39938-39946, R48): the AppKey and
 * AppSecret that sign data-model calls, the data-model API's host:port, plus the box's own
 * PE_APP_NAME, PE_APP_DATA_DIR and PE_SERVICE_BUS. Read once at start; a missing value is a
 * start-up error naming every missing variable, never a crash later.
 */

export interface AppEnv {
  appKey: string;
  appSecret: string;
  /** host:port of the data-model API, e.g. 127.0.0.1:10061. */
  apiDomain: string;
  appName: string;
  /** The app's own folder for files it must keep across restarts. */
  dataDir: string;
  /** host:port of the box's service bus (10060), for calling other apps' service models. */
  serviceBus: string;
}

export class AppEnvError extends Error {
  constructor(readonly missing: string[]) {
    super(`missing environment: ${missing.join(', ')}`);
  }
}

const VARS = {
  appKey: 'iot.hosting.appKey',
  appSecret: 'iot.hosting.appSecret',
  apiDomain: 'iot.hosting.api.domain',
  appName: 'PE_APP_NAME',
  dataDir: 'PE_APP_DATA_DIR',
  serviceBus: 'PE_SERVICE_BUS',
} as const satisfies Record<keyof AppEnv, string>;

export function readAppEnv(env: NodeJS.ProcessEnv = process.env): AppEnv {
  const out: Partial<AppEnv> = {};
  const missing: string[] = [];
  for (const [key, name] of Object.entries(VARS) as [keyof AppEnv, string][]) {
    const v = env[name]?.trim();
    if (v) out[key] = v;
    else missing.push(name);
  }
  if (missing.length > 0) throw new AppEnvError(missing);
  return out as AppEnv;
}

/** An app's own setting (from its manifest's `env`), with a default; an integer setting checked as one. */
export function envString(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  return env[name]?.trim() || fallback;
}

export function envPort(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new AppEnvError([`${name} (a port, got ${JSON.stringify(raw)})`]);
  return n;
}
