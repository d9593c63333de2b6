import type { Runtime } from '../runtime.js';
import { FaceCommandQueue, faceQueueHostServices } from '../face-queue/index.js';
import type { Part } from './part.js';

/** Per-device command queues of polling face terminals (docs/face-terminals.md). */
export function faceQueuePart(rt: Runtime): Part {
  return {
    name: 'faceQueue',
    start: async () => {
      rt.faceQueue = new FaceCommandQueue(rt.db);
      rt.faceQueue.prune();
      rt.host.registerServices(faceQueueHostServices(rt.faceQueue));
    },
    // The queue lives in the box database, closed by the store part.
    stop: async () => undefined,
  };
}
