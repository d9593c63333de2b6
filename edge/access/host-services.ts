/**
 * The access core offered to door drivers as host services (`ctx.host.call('access.…')`).
 * Each service checks its arguments and that the door belongs to the calling driver, then
 * answers `{code: 200, message: 'success', data}`; the passage result is inside `data`
 * (its own seed code). Bad arguments answer 460. docs/access.md lists every method.
 */
import type { Answer } from '../errors.js';
import type { HostService } from '../host/host.js';
import type { AccessCore, PendingDeployment } from './access-core.js';
import type { Decision } from './passage.js';
import type { PassKind, SyncStatus } from './codes.js';
import { SYNC_STATUSES } from './codes.js';
import type { DeployKind } from './deploy-store.js';

type Args = Record<string, unknown>;

class BadArgs extends Error {}

const str = (a: Args, k: string, max = 4096): string => {
  const v = a[k];
  if (typeof v !== 'string' || v.length === 0 || v.length > max) throw new BadArgs(`${k} must be a non-empty string of at most ${max} characters`);
  return v;
};
const optNum = (a: Args, k: string): number | undefined => {
  const v = a[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new BadArgs(`${k} must be a number`);
  return v;
};
const photoOf = (a: Args, k = 'photo'): Buffer | undefined => {
  const v = a[k];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' || v.length > 2_000_000) throw new BadArgs(`${k} must be base64 of at most 1.5 MB`);
  return Buffer.from(v, 'base64');
};
const ok = (data?: unknown): Answer => (data === undefined ? { code: 200, message: 'success' } : { code: 200, message: 'success', data });

const PASS_KINDS: readonly PassKind[] = ['qrCode', 'tradCard', 'bleCard', 'password', 'face', 'intercom'];
const DEPLOY_KINDS: readonly DeployKind[] = ['face', 'tradCard', 'bleCard', 'password'];
/** The door-standard driver's short names (drivers/door-standard/gateway.ts) for the same kinds. */
const KIND_ALIASES: Record<string, PassKind> = { qrcode: 'qrCode', card: 'tradCard', ble: 'bleCard', face: 'face', intercom: 'intercom', password: 'password' };
const DEPLOY_ALIASES: Record<string, DeployKind> = { card: 'tradCard', ble: 'bleCard', face: 'face', tradCard: 'tradCard', bleCard: 'bleCard', password: 'password' };

/** A decision as data: the seed code/message plus `allow`/`userId`/`reason` for drivers that only need the verdict. */
const verdict = (d: Decision): Answer => ok({ ...d, allow: d.code === 0, userId: d.identityId, ...(d.code !== 0 ? { reason: d.message } : {}) });

/** Deployment entries carry both names: ours (kind/item/op/data) and the driver gateway's (id/key/userId/...). */
function entry(p: PendingDeployment): Record<string, unknown> {
  const d = (p.data ?? {}) as Record<string, unknown>;
  const info = (d.userInfo ?? {}) as Record<string, unknown>;
  return {
    ...p,
    id: p.item,
    key: p.item,
    ...(d.identityId || info.userId ? { userId: (d.identityId ?? info.userId) as string } : {}),
    ...(d.effectiveTime !== undefined && d.effectiveTime !== null ? { effectiveTime: d.effectiveTime } : {}),
    ...(d.expiryTime !== undefined && d.expiryTime !== null ? { expiryTime: Number(d.expiryTime) } : info.expiryTime ? { expiryTime: Number(info.expiryTime) } : {}),
    ...(p.kind === 'face' ? { userName: info.userName, isInBlackList: info.isInBlackList, ...(d.feature ? { feature: d.feature } : {}) } : {}),
  };
}

export function accessServices(core: AccessCore): Record<string, (a: Args) => Answer | Promise<Answer>> {
  const dev = (a: Args): string => str(a, 'deviceKey', 160);
  const timeOpt = (a: Args) => {
    const now = optNum(a, 'time');
    return now === undefined ? {} : { now };
  };
  return {
    'access.decideQr': (a) => verdict(core.passage.decideQr(dev(a), str(a, 'code', 1024), timeOpt(a))),
    'access.decideCard': (a) => verdict(core.passage.decideCard(dev(a), str(a, 'cardId', 255), timeOpt(a))),
    'access.decideBleCard': (a) => verdict(core.passage.decideBleCard(dev(a), str(a, 'cardId', 255), timeOpt(a))),
    'access.decidePassword': (a) => verdict(core.passage.decidePassword(dev(a), str(a, 'password', 255), timeOpt(a))),
    'access.decideFace': async (a) => {
      const photo = photoOf(a);
      if (!photo) throw new BadArgs('photo is required');
      const temperature = optNum(a, 'temperature');
      return verdict(await core.passage.decideFace(dev(a), photo, { ...timeOpt(a), detect: a.detect !== false, ...(temperature !== undefined ? { temperature } : {}) }));
    },
    'access.recordPass': (a) => {
      const kind = PASS_KINDS.includes(a.kind as PassKind) ? (a.kind as PassKind) : KIND_ALIASES[String(a.kind)];
      if (!kind) throw new BadArgs(`kind must be one of ${PASS_KINDS.join(', ')}`);
      const code = optNum(a, 'code') ?? 0;
      const photo = photoOf(a);
      const score = optNum(a, 'score') ?? optNum(a, 'similarity');
      const time = optNum(a, 'time');
      const temperature = optNum(a, 'temperature');
      const content = typeof a.content === 'string' ? a.content : typeof a.credential === 'string' ? a.credential : '';
      return verdict(core.passage.recordPass({
        deviceKey: dev(a), kind, content: content.slice(0, 255), code, message: typeof a.message === 'string' ? a.message.slice(0, 256) : code === 0 ? 'success' : 'failed',
        ...(typeof a.userId === 'string' ? { identityId: a.userId.slice(0, 64) } : {}),
        ...(typeof a.faceId === 'string' ? { faceId: a.faceId.slice(0, 64) } : {}), ...(score !== undefined ? { score } : {}), ...(photo ? { photo } : {}),
        ...(time !== undefined ? { time } : {}), ...(temperature !== undefined ? { temperature } : {}),
      }));
    },
    'access.pendingDeployments': (a) => {
      if (a.kind === 'rule') return ok({ entries: [] }); // linkage rules are not the access core's
      const kind = a.kind === undefined ? undefined : DEPLOY_ALIASES[String(a.kind)];
      if (a.kind !== undefined && !kind) throw new BadArgs('kind must be face, card, ble or password');
      return ok({ entries: core.pendingDeployments(dev(a), Math.min(1000, Math.max(1, optNum(a, 'limit') ?? 50)), kind).map(entry) });
    },
    'access.ackDeployments': (a) => {
      const kind = DEPLOY_ALIASES[String(a.kind)];
      if (!kind) throw new BadArgs('kind must be face, card, ble or password');
      if (!Array.isArray(a.ids) || !a.ids.every((i) => typeof i === 'string')) throw new BadArgs('ids must be an array of strings');
      if (typeof a.ok !== 'boolean') throw new BadArgs('ok must be true or false');
      const message = typeof a.error === 'string' ? a.error.slice(0, 500) : undefined;
      return ok(core.markDeployed(dev(a), (a.ids as string[]).map((item) => ({ kind, item, ok: a.ok as boolean, ...(message ? { message } : {}) }))));
    },
    'access.resetDeployments': (a) => {
      if (a.kind === 'rule') return ok({ queued: 0 });
      const kind = DEPLOY_ALIASES[String(a.kind)];
      if (!kind) throw new BadArgs('kind must be face, card, ble or password');
      return ok({ queued: core.resetDeployments(dev(a), kind) });
    },
    'access.desiredFaces': (a) => ok({ entries: core.desiredFaces(dev(a)).map((d) => ({ id: d.faceId, key: d.faceId, op: 'upsert', ...d, userId: (d.userInfo as Record<string, unknown>).userId, userName: (d.userInfo as Record<string, unknown>).userName, isInBlackList: (d.userInfo as Record<string, unknown>).isInBlackList })) }),
    'access.markDeployed': (a) => {
      if (!Array.isArray(a.results)) throw new BadArgs('results must be an array');
      const results = a.results.map((r: unknown, i: number) => {
        const o = (r ?? {}) as Args;
        if (!DEPLOY_KINDS.includes(o.kind as DeployKind) || typeof o.item !== 'string' || typeof o.ok !== 'boolean') throw new BadArgs(`results[${i}] needs kind, item and ok`);
        if (o.status !== undefined && !SYNC_STATUSES.includes(o.status as SyncStatus)) throw new BadArgs(`results[${i}].status is not a sync status`);
        return { kind: o.kind as DeployKind, item: o.item, ok: o.ok, ...(o.status ? { status: o.status as SyncStatus } : {}), ...(typeof o.message === 'string' ? { message: o.message } : {}) };
      });
      return ok(core.markDeployed(dev(a), results));
    },
    'access.deviceOffline': (a) => ok({ moved: core.deviceOffline(dev(a)) }),
    'access.syncPermissions': async (a) => ok(await core.syncPermissions(dev(a), str(a, 'permissionUrl', 2048))),
    'access.syncFacePictures': async (a) => ok(await core.syncFacePictures(dev(a), str(a, 'FacePicURL', 2048))),
    'access.syncFaceFeatures': async (a) => ok(await core.syncFaceFeatures(dev(a), str(a, 'FacePicFeaturesURL', 2048))),
    'access.querySyncPicSchedule': (a) => ok(core.querySyncPicSchedule(dev(a))),
    'access.queryAddedUserInfo': (a) => {
      const r = core.queryAddedUserInfo(dev(a), str(a, 'GroupID', 64));
      return ok({ StoreID: r.StoreID, Type: r.Type, SyncPicStatus: r.SyncPicStatus });
    },
    'access.queryFacePermTotal': (a) => ok(core.queryFacePermTotal(dev(a))),
    'access.setRsaPublicKey': (a) => {
      try {
        core.setRsaPublicKey(dev(a), str(a, 'RSAPublicKey', 4096));
      } catch (err) {
        if (err instanceof BadArgs) throw err;
        throw new BadArgs(`RSAPublicKey is not an RSA public key: ${(err as Error).message}`);
      }
      return ok();
    },
    'access.setFaceCompareMode': (a) => {
      const mode = a.mode;
      if (mode !== 'edge' && mode !== 'device') throw new BadArgs('mode must be edge or device');
      core.setFaceCompareMode(dev(a), mode);
      return ok();
    },
  };
}

/**
 * Register every access service on the driver host. `owns(driver, deviceKey)` says whether a
 * door belongs to the calling driver: a driver can only decide for and deploy to its own doors.
 */
export function registerAccessServices(host: { registerService(name: string, fn: HostService): void }, core: AccessCore, owns: (driver: string, deviceKey: string) => boolean): string[] {
  const services = accessServices(core);
  for (const [name, fn] of Object.entries(services)) {
    host.registerService(name, async (args, caller) => {
      try {
        const deviceKey = args.deviceKey;
        if (typeof deviceKey === 'string' && !owns(caller.driver, deviceKey)) return { code: 6100, message: `device ${deviceKey} is not deployed to driver ${caller.driver}` };
        return await fn(args);
      } catch (err) {
        if (err instanceof BadArgs) return { code: 460, message: err.message };
        throw err;
      }
    });
  }
  return Object.keys(services);
}
