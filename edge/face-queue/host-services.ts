/**
 * The face command queue offered to drivers as host services (`faceQueue.*`, contract in
 * edge/host/sdk/host-services.ts): arguments arrive checked and the terminal belongs to the
 * calling driver (edge/host/services.ts); handlers return the answer's data.
 */
import type { HostHandlers } from '../host/services.js';
import type { QueuedCommand } from '../host/sdk/host-services.js';
import type { Command, FaceCommandQueue } from './queue-store.js';

const wire = (c: Command): QueuedCommand => c;

export function faceQueueHostServices(q: FaceCommandQueue): HostHandlers {
  return {
    'faceQueue.enqueue': (a) => ({
      command: wire(
        q.enqueue({
          deviceKey: a.deviceKey,
          service: a.service,
          payload: a.payload,
          ...(a.ref ? { ref: a.ref } : {}),
          ...(a.ttlMs ? { expiresAt: Date.now() + a.ttlMs } : {}),
          ...(a.maxAttempts ? { maxAttempts: a.maxAttempts } : {}),
          ...(a.resultTimeoutMs ? { resultTimeoutMs: a.resultTimeoutMs } : {}),
        }),
      ),
    }),
    'faceQueue.next': (a) => q.next(a.deviceKey, a.service),
    'faceQueue.result': (a) =>
      q.result(a.deviceKey, a.msgId, a.errorCode, a.body, {
        ...(a.final !== undefined ? { final: a.final } : {}),
        inProgress: a.inProgress === true,
      }),
    'faceQueue.get': (a) => ({ command: q.get(a.deviceKey, a.msgId) ?? null }),
    'faceQueue.active': (a) => ({ commands: q.active(a.deviceKey, a.service, a.limit ?? 100) }),
    'faceQueue.cancel': (a) => ({ cancelled: q.cancel(a.deviceKey, a.msgId) }),
    'faceQueue.cancelService': (a) => ({ commands: q.cancelService(a.deviceKey, a.service) }),
    'faceQueue.heldPersons': (a) => ({ held: q.persons.held(a.deviceKey, a.ids) }),
  };
}
