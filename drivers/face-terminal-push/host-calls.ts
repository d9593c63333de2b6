/**
 * What this driver asks of the host process: the face command queue (`faceQueue.*`,
 * edge/face-queue) and the access core (`access.*`, docs/access.md).
 */
import type { HostServices } from '../../edge/host/sdk/driver.js';
import type { FaceDeployment } from './person.js';

export interface QueuedCommand {
  msgId: string;
  service: string;
  payload: Record<string, unknown>;
  state: string;
  attempts: number;
  errorCode: string | null;
  result: Record<string, unknown> | null;
}

export type ResultStatus = 'done' | 'failed' | 'progress' | 'duplicate' | 'unknown';

export class HostUnavailable extends Error {}

export class HostCalls {
  readonly #host: HostServices;
  constructor(host: HostServices) {
    this.#host = host;
  }

  async #call<T>(method: string, args: Record<string, unknown>): Promise<T> {
    const a = await this.#host.call<T>(method, args);
    if (a.code !== 200) throw new HostUnavailable(`${method}: ${a.code} ${a.message}`);
    return a.data as T;
  }

  enqueue(deviceKey: string, service: string, payload: Record<string, unknown>, opts: { ref?: string; ttlMs?: number } = {}): Promise<QueuedCommand> {
    return this.#call<{ command: QueuedCommand }>('faceQueue.enqueue', { deviceKey, service, payload, ...opts }).then((d) => d.command);
  }

  async next(deviceKey: string, service: string): Promise<{ command?: QueuedCommand; busy?: boolean }> {
    const d = await this.#call<{ command?: QueuedCommand; busy?: QueuedCommand; empty?: true }>('faceQueue.next', { deviceKey, service });
    return d.command ? { command: d.command } : { busy: !!d.busy };
  }

  result(deviceKey: string, msgId: string, errorCode: string, body: Record<string, unknown>, opts: { final?: boolean; inProgress?: boolean } = {}): Promise<{ status: ResultStatus; command?: QueuedCommand }> {
    return this.#call('faceQueue.result', { deviceKey, msgId, errorCode, body, ...opts });
  }

  cancel(deviceKey: string, msgId: string): Promise<unknown> {
    return this.#call('faceQueue.cancel', { deviceKey, msgId });
  }

  active(deviceKey: string): Promise<QueuedCommand[]> {
    return this.#call<{ commands: QueuedCommand[] }>('faceQueue.active', { deviceKey, limit: 1000 }).then((d) => d.commands);
  }

  pendingFaces(deviceKey: string, limit: number): Promise<FaceDeployment[]> {
    return this.#call<{ entries: FaceDeployment[] }>('access.pendingDeployments', { deviceKey, kind: 'face', limit }).then((d) => d.entries ?? []);
  }

  ackFaces(deviceKey: string, ids: string[], ok: boolean, error?: string): Promise<unknown> {
    return this.#call('access.ackDeployments', { deviceKey, kind: 'face', ids, ok, ...(error ? { error } : {}) });
  }

  resetFaces(deviceKey: string): Promise<{ queued: number }> {
    return this.#call('access.resetDeployments', { deviceKey, kind: 'face' });
  }

  recordPass(args: Record<string, unknown>): Promise<{ photoId?: string }> {
    return this.#call('access.recordPass', args);
  }
}
