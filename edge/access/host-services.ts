/**
 * The access core offered to door drivers as host services (`ctx.host.call('access.…')`).
 * Each service checks its arguments and that the door belongs to the calling driver, then
 * answers `{code: 200, message: 'success', data}`; the passage result is inside `data`
 * (its own seed code). Bad arguments answer 460. docs/access.md lists every method.
 */
import type { Answer } from '../errors.js';
import type { HostService } from '../host/host.js';
import type { AccessCore } from './access-core.js';
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

const PASS_KINDS: readonly PassKind[] = ['qrCode', 'tradCard', 'bleCard', 'password', 'face'];
const DEPLOY_KINDS: readonly DeployKind[] = ['face', 'tradCard', 'bleCard', 'password'];

export function accessServices(core: AccessCore): Record<string, (a: Args) => Answer | Promise<Answer>> {
  const dev = (a: Args): string => str(a, 'deviceKey', 160);
  const timeOpt = (a: Args) => {
    const now = optNum(a, 'time');
    return now === undefined ? {} : { now };
  };
  return {
    'access.decideQr': (a) => ok(core.passage.decideQr(dev(a), str(a, 'code', 1024), timeOpt(a))),
    'access.decideCard': (a) => ok(core.passage.decideCard(dev(a), str(a, 'cardId', 255), timeOpt(a))),
    'access.decideBleCard': (a) => ok(core.passage.decideBleCard(dev(a), str(a, 'cardId', 255), timeOpt(a))),
    'access.decidePassword': (a) => ok(core.passage.decidePassword(dev(a), str(a, 'password', 255), timeOpt(a))),
    'access.decideFace': async (a) => {
      const photo = photoOf(a);
      if (!photo) throw new BadArgs('photo is required');
      const temperature = optNum(a, 'temperature');
      return ok(await core.passage.decideFace(dev(a), photo, { ...timeOpt(a), detect: a.detect !== false, ...(temperature !== undefined ? { temperature } : {}) }));
    },
    'access.recordPass': (a) => {
      const kind = a.kind as PassKind;
      if (!PASS_KINDS.includes(kind)) throw new BadArgs(`kind must be one of ${PASS_KINDS.join(', ')}`);
      const code = optNum(a, 'code') ?? 0;
      const photo = photoOf(a);
      const score = optNum(a, 'score');
      const time = optNum(a, 'time');
      return ok(core.passage.recordPass({
        deviceKey: dev(a), kind, content: typeof a.content === 'string' ? a.content.slice(0, 255) : '', code, message: typeof a.message === 'string' ? a.message.slice(0, 256) : code === 0 ? 'success' : 'failed',
        ...(typeof a.faceId === 'string' ? { faceId: a.faceId.slice(0, 64) } : {}), ...(score !== undefined ? { score } : {}), ...(photo ? { photo } : {}), ...(time !== undefined ? { time } : {}),
      }));
    },
    'access.pendingDeployments': (a) => ok(core.pendingDeployments(dev(a), Math.min(1000, Math.max(1, optNum(a, 'limit') ?? 50)))),
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
