/**
 * Access control for the console, on top of edge/access's AccessCore: counts, one person,
 * per-door deployment status (the cloud's status vocabulary, seed 000 L643-672) with retry
 * of the failed items, pass records with photos, and refusals as alarms — all through the
 * access core and its stores; no SQL of its own.
 */
import { readFileSync } from 'node:fs';
import type { AccessCore } from '../../access/access-core.js';
import type { PersonRow } from '../../access/stores/person-store.js';
import type { AccessConsoleService, PersonView } from '../services.js';

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
      return p ? personView(core, p, true) : undefined;
    },
    searchPersons({ text, limit, offset }) {
      const { total, persons } = core.persons.search(text, limit, offset);
      return { total, persons: persons.map((p) => personView(core, p, false)) };
    },
    faceThumb(sha) {
      return /^[0-9a-f]{64}$/.test(sha) ? core.images.read(sha, true) : undefined;
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
      const failed = core.deployments.failedOf(device);
      for (const r of failed) core.deployments.retry(device, r.kind, r.item, now);
      return failed.length;
    },
    passRecords(f) {
      const names = new Map<string, string | undefined>();
      const nameOf = (id: string) => {
        if (!names.has(id)) names.set(id, core.persons.get(id)?.name);
        return names.get(id);
      };
      return core.records
        .list({
          ...(f.devices ? { deviceKeys: f.devices } : {}),
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
          personName: r.identity_id ? nameOf(r.identity_id) : undefined,
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

/** Card numbers on screen show their last four characters only: enough to tell two cards apart. */
export const maskCredential = (c: string): string =>
  c.length <= 4 ? '*'.repeat(c.length) : `${'*'.repeat(Math.min(8, c.length - 4))}${c.slice(-4)}`;

/** A person with credential counts; `detail` adds the masked cards with their doors and the faces. */
function personView(core: AccessCore, p: PersonRow, detail: boolean): PersonView {
  const view: PersonView = { identityId: p.identityId, name: p.name, credentials: core.permissions.credentialCountsOf(p.identityId) };
  if (!detail) return view;
  const cards = new Map<string, { kind: string; masked: string; devices: string[] }>();
  for (const c of core.permissions.cardsOf(p.identityId)) {
    const key = `${c.kind}:${c.credential}`;
    if (!cards.has(key)) cards.set(key, { kind: c.kind, masked: maskCredential(c.credential), devices: [] });
    cards.get(key)!.devices.push(c.device_key);
  }
  view.cards = [...cards.values()];
  view.faces = core.faces.facesOfUser(p.identityId).map((f) => ({
    groupId: f.group_id,
    faceId: f.face_id,
    state: f.image_state,
    thumbUrl: f.image_sha && f.image_state === 'ready' ? `/api/access/faces/${f.image_sha}/thumb` : undefined,
  }));
  return view;
}
