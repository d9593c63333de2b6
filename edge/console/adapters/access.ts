/**
 * Access control for the console, on top of edge/access's AccessCore: counts, one person,
 * per-door deployment status (the cloud's status vocabulary, seed 000 L643-672) with retry
 * of the failed items, pass records with photos, and refusals as alarms. Read-only queries
 * on the access tables are used where the core has no method; writes go through the core.
 */
import { readFileSync } from 'node:fs';
import type { AccessCore } from '../../access/access-core.js';
import type { DeployKind } from '../../access/deploy-store.js';
import type { AccessConsoleService } from '../services.js';

const DONE = new Set(['transferred', 'transferDeleted']);
const IN_FLIGHT = new Set(['toBeTransferred', 'transferring', 'deviceOffline']);

export function accessConsoleService(core: AccessCore): AccessConsoleService {
  const db = core.db;
  const q = {
    persons: db.prepare('SELECT COUNT(*) FROM access_persons').pluck(),
    faces: db.prepare('SELECT COUNT(*) FROM access_faces').pluck(),
    person: db.prepare('SELECT identity_id AS identityId, name, ext_info AS extInfo, updated_at AS updatedAt FROM access_persons WHERE identity_id = ?'),
    credentials: db.prepare("SELECT kind, COUNT(*) AS n FROM access_credentials WHERE identity_id = ? GROUP BY kind"),
    deployByDevice: db.prepare('SELECT device_key AS device, status, COUNT(*) AS n, MAX(updated_at) AS at, MAX(error) AS error FROM access_deploy GROUP BY device_key, status'),
    failedOf: db.prepare('SELECT kind, item FROM access_deploy WHERE device_key = ? AND status NOT IN (\'transferred\', \'transferDeleted\', \'toBeTransferred\', \'transferring\')'),
    lastJob: db.prepare('SELECT device_key AS device, state, error, COALESCE(finished_at, started_at) AS at FROM access_sync_jobs WHERE id IN (SELECT MAX(id) FROM access_sync_jobs GROUP BY device_key)'),
    records: db.prepare(`SELECT id, time, device_key, kind, code, message, identity_id, photo FROM access_pass_records
      WHERE (@dev IS NULL OR device_key = @dev) AND (@person IS NULL OR identity_id = @person) AND (@from IS NULL OR time >= @from) AND (@to IS NULL OR time <= @to)
      ORDER BY id DESC LIMIT @limit`),
    photo: db.prepare('SELECT photo FROM access_pass_records WHERE id = ?').pluck(),
    refusals: db.prepare('SELECT time, device_key, kind, code, message FROM access_pass_records WHERE code <> 0 ORDER BY id DESC LIMIT ?'),
  };
  type Rec = { id: number; time: number; device_key: string; kind: string; code: number; message: string; identity_id: string; photo: string | null };

  return {
    counts() {
      const t = core.permissions.totals();
      return { persons: q.persons.get() as number, faces: q.faces.get() as number, cards: t.tradCard + t.bleCard, qrCodes: t.qr };
    },
    findPerson(id) {
      const p = q.person.get(id) as Record<string, unknown> | undefined;
      if (!p) return undefined;
      const creds = q.credentials.all(id) as { kind: string; n: number }[];
      return { ...p, credentials: Object.fromEntries(creds.map((c) => [c.kind, c.n])) }; // counts only: card numbers stay off the screen
    },
    syncStatus() {
      const byDevice = new Map<string, { device: string; state: string; pending: number; failed: number; lastError?: string | undefined; lastSyncAt?: number | undefined }>();
      const entry = (device: string) => byDevice.get(device) ?? (byDevice.set(device, { device, state: 'synced', pending: 0, failed: 0 }), byDevice.get(device)!);
      for (const r of q.deployByDevice.all() as { device: string; status: string; n: number; at: number; error: string | null }[]) {
        const e = entry(r.device);
        if (IN_FLIGHT.has(r.status)) e.pending += r.n;
        else if (!DONE.has(r.status)) {
          e.failed += r.n;
          e.lastError = r.error ?? r.status;
        }
        e.lastSyncAt = Math.max(e.lastSyncAt ?? 0, r.at);
      }
      for (const j of q.lastJob.all() as { device: string; state: string; error: string | null; at: number }[]) {
        const e = entry(j.device);
        if (j.error) e.lastError = j.error;
        e.lastSyncAt = Math.max(e.lastSyncAt ?? 0, j.at);
      }
      return [...byDevice.values()].map(({ failed, ...e }) => ({ ...e, state: failed > 0 ? 'error' : e.pending > 0 ? 'pending' : 'synced' }));
    },
    async retrySync(device) {
      const now = Date.now();
      for (const r of q.failedOf.all(device) as { kind: DeployKind; item: string }[]) core.deployments.retry(device, r.kind, r.item, now);
    },
    passRecords(f) {
      return (q.records.all({ dev: f.device ?? null, person: f.personId ?? null, from: f.from ?? null, to: f.to ?? null, limit: f.limit }) as Rec[]).map((r) => ({
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
      const photo = q.photo.get(Number(id)) as string | null | undefined;
      if (!photo || !core.records.photoExists(photo)) return undefined;
      return readFileSync(core.records.photoPath(photo));
    },
    alarms(limit) {
      return (q.refusals.all(limit) as { time: number; device_key: string; kind: string; code: number; message: string }[]).map((r) => ({ time: r.time, device: r.device_key, type: `refused.${r.kind}`, message: `${r.code} ${r.message}` }));
    },
  };
}
