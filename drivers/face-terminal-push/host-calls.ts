/**
 * What this driver asks of the host process: the access core (`access.*`, shared with the
 * OpenAPI driver) plus the face command queue and person ledger (`faceQueue.*`, edge/face-queue),
 * all through the one host-service client.
 */
import type { HostServices, QueuedCommand } from '../../edge/host/sdk/host-services.js';
import { AccessCalls } from '../face-shared/access-calls.js';

export type { QueuedCommand };

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

  async enqueue(
    deviceKey: string,
    service: string,
    payload: Record<string, unknown>,
    opts: { ref?: string; ttlMs?: number } = {},
  ): Promise<QueuedCommand> {
    return (await this.client.call('faceQueue.enqueue', { deviceKey, service, payload, ...this.#retry, ...opts })).command;
  }

  async next(deviceKey: string, service: string): Promise<NextCommand> {
    const d = await this.client.call('faceQueue.next', { deviceKey, service });
    return { ...(d.command ? { command: d.command } : { busy: !!d.busy }), ended: d.ended ?? [] };
  }

  result(
    deviceKey: string,
    msgId: string,
    errorCode: string,
    body: Record<string, unknown>,
    opts: { final?: boolean; inProgress?: boolean } = {},
  ): Promise<{ status: ResultStatus; command?: QueuedCommand }> {
    return this.client.call('faceQueue.result', { deviceKey, msgId, errorCode: errorCode.slice(0, 16), body, ...opts });
  }

  cancel(deviceKey: string, msgId: string): Promise<unknown> {
    return this.client.call('faceQueue.cancel', { deviceKey, msgId });
  }

  async cancelService(deviceKey: string, service: string): Promise<QueuedCommand[]> {
    return (await this.client.call('faceQueue.cancelService', { deviceKey, service })).commands;
  }

  async active(deviceKey: string): Promise<QueuedCommand[]> {
    return (await this.client.call('faceQueue.active', { deviceKey, limit: 1000 })).commands;
  }

  /** Which of `idNumbers` the terminal already holds (person ledger). */
  async heldPersons(deviceKey: string, idNumbers: string[]): Promise<string[]> {
    if (idNumbers.length === 0) return [];
    return (await this.client.call('faceQueue.heldPersons', { deviceKey, ids: idNumbers })).held;
  }
}
