/**
 * Deploys permissions from the access core to one door, in the protocol's batch limits
 * (faces ≤50/10 s, cards and BLE ≤200/5 s, rules ≤200/10 s). Per credential kind a small
 * status machine runs:
 *
 *   idle ─kick─▶ syncing ─batch ok─▶ syncing … ─nothing pending─▶ idle
 *                   │ batch failed: entries nacked, backoff (base·2^n, jittered, capped)
 *                   ▼
 *                backoff ─timer─▶ syncing          door offline: paused until online again
 *
 * When the door (re)connects or is replaced: cards, BLE cards and rules are reset to pending in
 * the access core (full re-sync: the protocol has no way to read them back, spec 001f A4);
 * faces are reconciled by diffing `/faceAC/queryFaces` against the desired set (L35679).
 */
import {
  DoorReplyError,
  LIMITS,
  chunk,
  featureMd5,
  userInfoMd5,
  type CardPermission,
  type ElevatorRule,
  type FaceSyncEntry,
  type FaceUserInfo,
} from '../../protocols/door-standard/index.js';
import type { DriverSettings, Role } from './config.js';
import type { CredentialKind, DeploymentEntry, DesiredFace, DoorAccess } from './gateway.js';
import { deviceKeyOf } from './thing.js';
import type { Terminal } from './terminal.js';

export type SyncState = 'idle' | 'syncing' | 'backoff' | 'paused';

const KIND_ROLE: Record<CredentialKind, Role> = { card: 'card', ble: 'ble', face: 'face', rule: 'elevator' };
const BATCH: Record<CredentialKind, number> = {
  card: LIMITS.cardSyncBatch,
  ble: LIMITS.cardSyncBatch,
  face: LIMITS.faceSyncBatch,
  rule: LIMITS.ruleSyncBatch,
};

interface KindState {
  state: SyncState;
  failures: number;
  timer: NodeJS.Timeout | undefined;
  again: boolean;
  /** Entries confirmed on the device since the last (re)connect; for the benchmark and status. */
  sent: number;
}

/** The protocol's userInfo of a face entry; the entry's own `userInfo` object wins over flat fields. */
function userInfoOf(e: { identityId?: string; expiryTime?: number; userInfo?: Record<string, unknown> }): FaceUserInfo {
  const src = {
    userId: e.identityId,
    expiryTime: e.expiryTime as unknown,
    isInBlackList: undefined as unknown,
    userName: undefined as unknown,
    ...(e.userInfo ?? {}),
  };
  const u: FaceUserInfo = {};
  if (src.userId !== undefined && src.userId !== null) u.userId = String(src.userId);
  if (src.userName !== undefined && src.userName !== null) u.userName = String(src.userName);
  if (src.expiryTime !== undefined && src.expiryTime !== null && src.expiryTime !== '') u.expiryTime = String(src.expiryTime);
  if (typeof src.isInBlackList === 'boolean') u.isInBlackList = src.isInBlackList;
  return u;
}

export class Deployer {
  readonly #t: Terminal;
  readonly #gateway: DoorAccess;
  readonly #settings: DriverSettings;
  readonly #kinds = new Map<CredentialKind, KindState>();
  /** faceId → [userInfoMd5, featureMd5] the door holds, learnt from queryFaces and our syncs. */
  readonly #deviceFaces = new Map<string, [string, string]>();
  #poll: NodeJS.Timeout | undefined;

  constructor(t: Terminal, gateway: DoorAccess, settings: DriverSettings) {
    this.#t = t;
    this.#gateway = gateway;
    this.#settings = settings;
    const kinds: CredentialKind[] = [];
    if (t.has('card')) kinds.push('card');
    if (t.has('ble')) kinds.push('ble');
    if (t.has('face') && t.cfg.faceMode === 'device') kinds.push('face');
    if (t.has('elevator') && t.device('elevator')?.custom.linkage === true) kinds.push('rule');
    for (const k of kinds) this.#kinds.set(k, { state: 'paused', failures: 0, timer: undefined, again: false, sent: 0 });
    this.#poll = setInterval(() => this.kickAll(), settings.syncPollMs);
    this.#poll.unref?.();
  }

  status(): Record<string, { state: SyncState; failures: number; sent: number }> {
    return Object.fromEntries([...this.#kinds].map(([k, s]) => [k, { state: s.state, failures: s.failures, sent: s.sent }]));
  }

  /** The door is online again (or for the first time): full re-sync. */
  async online(): Promise<void> {
    for (const [kind, s] of this.#kinds) {
      clearTimeout(s.timer);
      s.timer = undefined;
      s.failures = 0;
      s.sent = 0;
      s.state = 'idle';
      try {
        if (kind === 'face') await this.#reconcileFaces();
        else await this.#gateway.resetDeployments(deviceKeyOf(this.#t, KIND_ROLE[kind]), kind);
      } catch (err) {
        this.#t.log.warn({ kind, err: (err as Error).message }, 'resync preparation failed');
        this.#fail(kind, s);
        continue;
      }
      this.kick(kind);
    }
  }

  offline(): void {
    for (const s of this.#kinds.values()) {
      clearTimeout(s.timer);
      s.timer = undefined;
      s.state = 'paused';
    }
  }

  kickAll(): void {
    for (const k of this.#kinds.keys()) this.kick(k);
  }

  /** Something may be pending for `kind`: run now unless already running or backing off. */
  kick(kind: CredentialKind): void {
    const s = this.#kinds.get(kind);
    if (!s || this.#t.state !== 'online') return;
    if (s.state === 'syncing') {
      s.again = true;
      return;
    }
    if (s.state === 'backoff') return;
    void this.#run(kind, s);
  }

  async #run(kind: CredentialKind, s: KindState): Promise<void> {
    s.state = 'syncing';
    const deviceKey = deviceKeyOf(this.#t, KIND_ROLE[kind]);
    do {
      s.again = false;
      let ids: string[] = [];
      try {
        for (;;) {
          if (this.#t.state !== 'online') {
            s.state = 'paused';
            return;
          }
          const entries = await this.#gateway.pendingDeployments(deviceKey, kind, BATCH[kind]);
          if (entries.length === 0) break;
          ids = entries.map((e) => e.item);
          await this.#send(kind, entries.slice(0, BATCH[kind]));
          await this.#gateway.ackDeployments(deviceKey, kind, ids, true);
          s.sent += entries.length;
          s.failures = 0;
          ids = [];
        }
      } catch (err) {
        const message = (err as Error).message;
        this.#t.log.warn({ kind, err: message, failures: s.failures + 1 }, 'deployment batch failed');
        if (ids.length > 0) await this.#gateway.ackDeployments(deviceKey, kind, ids, false, message).catch(() => undefined);
        if (err instanceof DoorReplyError && err.code === 4) this.#t.reconnect();
        this.#fail(kind, s);
        return;
      }
    } while (s.again);
    s.state = 'idle';
  }

  #fail(kind: CredentialKind, s: KindState): void {
    s.failures++;
    s.state = 'backoff';
    const base = Math.min(this.#settings.retryMaxMs, this.#settings.retryBaseMs * 2 ** (s.failures - 1));
    const ms = Math.round(base / 2 + (Math.random() * base) / 2);
    clearTimeout(s.timer);
    s.timer = setTimeout(() => {
      s.timer = undefined;
      s.state = this.#t.state === 'online' ? 'idle' : 'paused';
      this.kick(kind);
    }, ms);
    s.timer.unref?.();
  }

  async #send(kind: CredentialKind, entries: DeploymentEntry[]): Promise<void> {
    const c = this.#t.client;
    if (kind === 'card' || kind === 'ble') {
      const perms = entries.map(
        (e): CardPermission => ({
          type: e.op === 'delete' ? 2 : 1, // add and modify are the same upsert (L35960-35964)
          cardId: e.item,
          effectiveTime: String(e.effectiveTime ?? 0),
          expiryTime: String(e.expiryTime ?? 0),
          ...(e.identityId !== undefined ? { userId: e.identityId } : {}),
        }),
      );
      await (kind === 'card' ? c.syncCardPermissions(perms) : c.syncBlePermissions(perms));
    } else if (kind === 'face') {
      // A face whose feature is not extracted yet cannot go to a device-side-compare door.
      const missing = entries.filter((e) => e.op === 'upsert' && !e.data?.feature?.length);
      if (missing.length > 0) throw new Error(`${missing.length} faces have no feature yet`);
      await this.#syncFaces(entries.map((e) => this.#faceEntry(e)));
    } else {
      // The box built each rule (edge/elevators/rule-deploy.ts); a delete needs only its id.
      await c.syncRules(
        entries.map(
          (e): ElevatorRule =>
            e.op === 'delete' || !e.data?.rule
              ? { type: 2, ruleId: e.item }
              : { ...(e.data.rule as unknown as ElevatorRule), ruleId: e.item },
        ),
      );
    }
  }

  #faceEntry(e: DeploymentEntry): FaceSyncEntry {
    if (e.op === 'delete') return { type: 2, faceId: e.item };
    const userInfo = userInfoOf({ ...e, ...(e.data?.userInfo ? { userInfo: e.data.userInfo } : {}) });
    const feature = e.data?.feature ?? [];
    return {
      type: this.#deviceFaces.has(e.item) ? 3 : 1,
      faceId: e.item,
      userInfo,
      userInfoMd5: userInfoMd5(userInfo),
      feature,
      featureMd5: featureMd5(feature),
    };
  }

  async #syncFaces(entries: FaceSyncEntry[]): Promise<void> {
    for (const batch of chunk(entries, LIMITS.faceSyncBatch)) {
      await this.#t.client.syncFaces(batch);
      for (const e of batch) {
        if (e.type === 2) this.#deviceFaces.delete(e.faceId!);
        else if (e.type === 4) this.#deviceFaces.clear();
        else this.#deviceFaces.set(e.faceId!, [e.userInfoMd5 ?? '', e.featureMd5 ?? '']);
      }
    }
  }

  /** Diff the door's [faceId, userInfoMd5, featureMd5] list against the desired set (L35679-35680). */
  async #reconcileFaces(): Promise<void> {
    const onDevice = await this.#t.client.queryAllFaces();
    this.#deviceFaces.clear();
    for (const [id, u, f] of onDevice) this.#deviceFaces.set(id, [u, f]);
    const desired = await this.#gateway.desiredFaces(deviceKeyOf(this.#t, 'face'));
    const want = new Set<string>();
    const changes: FaceSyncEntry[] = [];
    for (const e of desired as DesiredFace[]) {
      want.add(e.faceId);
      const have = this.#deviceFaces.get(e.faceId);
      const userInfo = userInfoOf({ userInfo: e.userInfo });
      const feature = e.feature ?? [];
      const u = userInfoMd5(userInfo);
      const f = featureMd5(feature);
      if (!have) changes.push({ type: 1, faceId: e.faceId, userInfo, userInfoMd5: u, feature, featureMd5: f });
      else if (have[0] !== u || have[1] !== f) {
        // Update only the part that changed (the seed's three update cases, L35552-35556).
        changes.push({
          type: 3,
          faceId: e.faceId,
          ...(have[0] !== u ? { userInfo, userInfoMd5: u } : {}),
          ...(have[1] !== f ? { feature, featureMd5: f } : {}),
        });
      }
    }
    for (const id of this.#deviceFaces.keys()) if (!want.has(id)) changes.push({ type: 2, faceId: id });
    this.#t.log.info({ onDevice: onDevice.length, desired: desired.length, changes: changes.length }, 'face reconciliation');
    if (changes.length > 0) await this.#syncFaces(changes);
  }

  stop(): void {
    clearInterval(this.#poll);
    this.offline();
  }
}
