/** The device-listener suite's box: the listener limits it runs with, and what it stored. */
import Database from 'better-sqlite3';
import type { ListenerInfo } from '../../edge/host/listeners.js';
import { PROBES, type HttpProbe } from './probes.js';

/** Small enough to probe in seconds, large enough for the probes' own requests. */
export const LIMITS = {
  headersTimeoutMs: 1000,
  requestTimeoutMs: 3000,
  maxConnections: 40,
  maxBodyBytes: 64 * 1024,
  perSourceConnections: 8,
  perSourceRequestsPerS: 20,
  perSourceBurst: 40,
  trackedSources: 64,
};

/** The pass records a box stored (its database opened read-only). */
export function passRecordsIn(dbFile: string): Array<{ device_key: string; kind: string }> {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT device_key, kind FROM access_pass_records').all() as Array<{ device_key: string; kind: string }>;
  } finally {
    db.close();
  }
}

export type Probed = { l: ListenerInfo; probe: HttpProbe };

/** The device-facing HTTP listeners with their probe (the registry test fails on any without one). */
export const probedOf = (listeners: readonly ListenerInfo[]): Probed[] =>
  listeners.flatMap((l) => {
    const probe = PROBES[l.protocol];
    return l.deviceFacing && l.transport === 'tcp' && probe?.kind === 'http' ? [{ l, probe }] : [];
  });
