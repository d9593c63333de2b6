/**
 * The face command queue offered to drivers as host services (`ctx.host.call('faceQueue.…')`),
 * registered the way `edge/access/host-services.ts` registers `access.*`: arguments checked
 * (460 on bad ones), the device must belong to the calling driver (6100).
 */
import type { Answer } from '../errors.js';
import type { HostService } from '../host/host.js';
import type { FaceCommandQueue } from './queue-store.js';

type Args = Record<string, unknown>;
class BadArgs extends Error {}

const str = (a: Args, k: string, max: number): string => {
  const v = a[k];
  if (typeof v !== 'string' || v.length === 0 || v.length > max) throw new BadArgs(`${k} must be a non-empty string of at most ${max} characters`);
  return v;
};
const optStr = (a: Args, k: string, max: number): string | undefined => (a[k] === undefined ? undefined : str(a, k, max));
const optNum = (a: Args, k: string, min: number, max: number): number | undefined => {
  const v = a[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw new BadArgs(`${k} must be a number in [${min}, ${max}]`);
  return v;
};
const obj = (a: Args, k: string): Record<string, unknown> => {
  const v = a[k];
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new BadArgs(`${k} must be an object`);
  return v as Record<string, unknown>;
};
const ok = (data?: unknown): Answer => (data === undefined ? { code: 200, message: 'success' } : { code: 200, message: 'success', data });

export function faceQueueServices(q: FaceCommandQueue): Record<string, (a: Args) => Answer> {
  const dev = (a: Args) => str(a, 'deviceKey', 160);
  const svc = (a: Args) => str(a, 'service', 32);
  return {
    'faceQueue.enqueue': (a) => {
      const ttl = optNum(a, 'ttlMs', 1, 30 * 86_400_000);
      const maxAttempts = optNum(a, 'maxAttempts', 1, 100);
      const ref = optStr(a, 'ref', 200);
      const resultTimeoutMs = optNum(a, 'resultTimeoutMs', 100, 86_400_000);
      const c = q.enqueue({ deviceKey: dev(a), service: svc(a), payload: obj(a, 'payload'), ...(ref ? { ref } : {}), ...(ttl ? { expiresAt: Date.now() + ttl } : {}), ...(maxAttempts ? { maxAttempts } : {}), ...(resultTimeoutMs ? { resultTimeoutMs } : {}) });
      return ok({ command: c });
    },
    'faceQueue.next': (a) => ok(q.next(dev(a), svc(a))),
    'faceQueue.result': (a) => {
      const errorCode = typeof a.errorCode === 'string' ? a.errorCode.slice(0, 16) : '';
      const final = a.final === undefined ? undefined : a.final === true;
      return ok(q.result(dev(a), str(a, 'msgId', 64), errorCode, obj(a, 'body'), { ...(final !== undefined ? { final } : {}), inProgress: a.inProgress === true }));
    },
    'faceQueue.get': (a) => ok({ command: q.get(dev(a), str(a, 'msgId', 64)) ?? null }),
    'faceQueue.active': (a) => ok({ commands: q.active(dev(a), optStr(a, 'service', 32), optNum(a, 'limit', 1, 1000) ?? 100) }),
    'faceQueue.cancel': (a) => ok({ cancelled: q.cancel(dev(a), str(a, 'msgId', 64)) }),
    'faceQueue.cancelService': (a) => ok({ commands: q.cancelService(dev(a), svc(a)) }),
    'faceQueue.heldPersons': (a) => {
      const ids = a.ids;
      if (!Array.isArray(ids) || ids.length > 1000 || !ids.every((i) => typeof i === 'string' && i.length > 0 && i.length <= 64)) throw new BadArgs('ids must be an array of at most 1000 strings of 1-64 characters');
      return ok({ held: q.persons.held(dev(a), ids as string[]) });
    },
  };
}

export function registerFaceQueueServices(host: { registerService(name: string, fn: HostService): void }, q: FaceCommandQueue, owns: (driver: string, deviceKey: string) => boolean): string[] {
  const services = faceQueueServices(q);
  for (const [name, fn] of Object.entries(services)) {
    host.registerService(name, (args, caller) => {
      try {
        const deviceKey = args.deviceKey;
        if (typeof deviceKey === 'string' && !owns(caller.driver, deviceKey)) return { code: 6100, message: `device ${deviceKey} is not deployed to driver ${caller.driver}` };
        return fn(args);
      } catch (err) {
        if (err instanceof BadArgs) return { code: 460, message: err.message };
        throw err;
      }
    });
  }
  return Object.keys(services);
}
