/**
 * What this driver asks of the host process: the access core (`access.*`, shared with the
 * OpenAPI driver) plus the face command queue and person ledger (`faceQueue.*`, edge/face-queue).
 */
import type { HostServices } from '../../edge/host/sdk/driver.js';
import { AccessCalls } from '../face-shared/access-calls.js';
import { hostCall } from '../face-shared/host-call.js';

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

export interface NextCommand {
  command?: QueuedCommand;
  busy?: boolean;
  /** Commands that ended without an answer from the terminal (attempts used up, or expired). */
  ended: QueuedCommand[];
}

export class HostCalls extends AccessCalls {
  readonly #retry: { resultTimeoutMs: number; maxAttempts: number };
  /** `retry`: the driver's result timeout and attempts, given with every queued command. */
  constructor(host: HostServices, retry: { resultTimeoutMs: number; maxAttempts: number }) {
    super(host);
    this.#retry = retry;
  }

  enqueue(deviceKey: string, service: string, payload: Record<string, unknown>, opts: { ref?: string; ttlMs?: number } = {}): Promise<QueuedCommand> {
    return hostCall<{ command: QueuedCommand }>(this.host, 'faceQueue.enqueue', { deviceKey, service, payload, ...this.#retry, ...opts }).then((d) => d.command);
  }

  async next(deviceKey: string, service: string): Promise<NextCommand> {
    const d = await hostCall<{ command?: QueuedCommand; busy?: QueuedCommand; empty?: true; ended?: QueuedCommand[] }>(this.host, 'faceQueue.next', { deviceKey, service });
    return { ...(d.command ? { command: d.command } : { busy: !!d.busy }), ended: d.ended ?? [] };
  }

  result(deviceKey: string, msgId: string, errorCode: string, body: Record<string, unknown>, opts: { final?: boolean; inProgress?: boolean } = {}): Promise<{ status: ResultStatus; command?: QueuedCommand }> {
    return hostCall(this.host, 'faceQueue.result', { deviceKey, msgId, errorCode, body, ...opts });
  }

  cancel(deviceKey: string, msgId: string): Promise<unknown> {
    return hostCall(this.host, 'faceQueue.cancel', { deviceKey, msgId });
  }

  cancelService(deviceKey: string, service: string): Promise<QueuedCommand[]> {
    return hostCall<{ commands: QueuedCommand[] }>(this.host, 'faceQueue.cancelService', { deviceKey, service }).then((d) => d.commands);
  }

  active(deviceKey: string): Promise<QueuedCommand[]> {
    return hostCall<{ commands: QueuedCommand[] }>(this.host, 'faceQueue.active', { deviceKey, limit: 1000 }).then((d) => d.commands);
  }

  /** Which of `idNumbers` the terminal already holds (person ledger). */
  heldPersons(deviceKey: string, idNumbers: string[]): Promise<string[]> {
    if (idNumbers.length === 0) return Promise.resolve([]);
    return hostCall<{ held: string[] }>(this.host, 'faceQueue.heldPersons', { deviceKey, ids: idNumbers }).then((d) => d.held);
  }
}
