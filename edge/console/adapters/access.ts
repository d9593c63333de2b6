/**
 * Access control for the console, on top of edge/access's AccessCore: counts, one person,
 * per-door deployment status (the cloud's status vocabulary, seed 000 L643-672) with retry
 * of the failed items, pass records with photos, and refusals as alarms — all through the
 * access core and its stores; no SQL of its own.
 */
import { readFileSync } from 'node:fs';
import type { AccessCore } from '../../access/access-core.js';
import type { AccessConsoleService } from '../services.js';

const DONE = new Set(['transferred', 'transferDeleted']);
const IN_FLIGHT = new Set(['toBeTransferred', 'transferring', 'deviceOffline']);

export function accessConsoleService(core: AccessCore): AccessConsoleService {
  return {
    counts() {
      const t = core.permissions.totals();
      return { persons: core.persons.count(), faces: core.faces.total(), cards: t.tradCard + t.bleCard, qrCodes: t.qr };
    },
    findPerson(id) {
      const p = core.persons.get(id);
      if (!p) return undefined;
      return { ...p, credentials: core.permissions.credentialCountsOf(id) }; // counts only: card numbers stay off the screen
    },
    syncStatus() {
      const byDevice = new Map<
        string,
        { device: string; state: string; pending: number; failed: number; lastError?: string | undefined; lastSyncAt?: number | undefined }
      >();
      const entry = (device: string) => {
        if (!byDevice.has(device)) byDevice.set(device, { device, state: 'synced', pending: 0, failed: 0 });
        return byDevice.get(device)!;
      };
      for (const r of core.deployments.statusByDevice()) {
        const e = entry(r.device);
        if (IN_FLIGHT.has(r.status)) e.pending += r.n;
        else if (!DONE.has(r.status)) {
          e.failed += r.n;
          e.lastError = r.error ?? r.status;
        }
        e.lastSyncAt = Math.max(e.lastSyncAt ?? 0, r.at);
      }
      for (const j of core.lastSyncJobs()) {
        const e = entry(j.device);
        if (j.error) e.lastError = j.error;
        e.lastSyncAt = Math.max(e.lastSyncAt ?? 0, j.at);
      }
      return [...byDevice.values()].map(({ failed, ...e }) => ({
        ...e,
        state: failed > 0 ? 'error' : e.pending > 0 ? 'pending' : 'synced',
      }));
    },
    async retrySync(device) {
      const now = Date.now();
      for (const r of core.deployments.failedOf(device)) core.deployments.retry(device, r.kind, r.item, now);
    },
    passRecords(f) {
      return core.records
        .list({
          ...(f.device ? { deviceKey: f.device } : {}),
          ...(f.personId ? { identityId: f.personId } : {}),
          ...(f.from !== undefined ? { from: f.from } : {}),
          ...(f.to !== undefined ? { to: f.to } : {}),
          limit: f.limit,
        })
        .map((r) => ({
          id: r.id,
          time: r.time,
          device: r.device_key,
          personId: r.identity_id || undefined,
          result: r.code === 0 ? 'pass' : `${r.code} ${r.message}`,
          method: r.kind,
          photoUrl: r.photo ? `/api/access/records/${r.id}/photo` : undefined,
        }));
    },
    passPhoto(id) {
      const photo = core.records.photoOf(Number(id));
      if (!photo || !core.records.photoExists(photo)) return undefined;
      return readFileSync(core.records.photoPath(photo));
    },
    alarms(limit) {
      return core.records
        .refusals(limit)
        .map((r) => ({ time: r.time, device: r.device_key, type: `refused.${r.kind}`, message: `${r.code} ${r.message}` }));
    },
  };
}
