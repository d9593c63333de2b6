/**
 * What a face driver asks of the access core over the one host-service client (`HostClient`,
 * edge/host/sdk/host-services.ts): the face deployments to push, their outcome, and the pass
 * records the terminals report.
 */
import { HostClient, type HostArgs, type HostServices } from '../../edge/host/sdk/host-services.js';
import type { FaceDeployment, FaceFailure } from './deployment.js';

export type PassRecordArgs = HostArgs<'access.recordPass'>;

/** The longest person/face id both face-terminal protocols carry (seed 003 L3513, seed 004 §9.1). */
export const TERMINAL_ID_MAX = 32;

export class AccessCalls {
  protected readonly client: HostClient;
  constructor(host: HostServices) {
    this.client = new HostClient(host);
  }

  /**
   * Up to `limit` face changes for the door; they are `transferring` until acknowledged. Ids come
   * as the terminal can hold them (≤ 32 characters: seed 003 idNumber L3513, seed 004 §9.1
   * userId); the host maps them back in acks and records.
   */
  async pendingFaces(deviceKey: string, limit: number): Promise<FaceDeployment[]> {
    const { entries } = await this.client.call('access.pendingDeployments', {
      deviceKey,
      kind: 'face',
      limit,
      idMaxLength: TERMINAL_ID_MAX,
    });
    return entries.map((e) => ({
      id: e.deviceItem ?? e.item,
      op: e.op,
      ...(e.identityId ? { userId: e.identityId } : {}),
      ...(e.expiryTime !== undefined ? { expiryTime: e.expiryTime } : {}),
      ...(e.effectiveTime !== undefined ? { effectiveTime: e.effectiveTime } : {}),
      ...(e.data ? { data: e.data as FaceDeployment['data'] } : {}),
    }));
  }

  /** The terminal's verdict: done, or refused (the access core's default failure cause). */
  ackFaces(deviceKey: string, ids: string[], ok: boolean, error?: string): Promise<unknown> {
    return this.client.call('access.ackDeployments', {
      deviceKey,
      kind: 'face',
      items: ids,
      ok,
      ...(error ? { error: error.slice(0, 500) } : {}),
    });
  }

  /** Failures with a named cause: a timeout or an unreachable terminal (retried by the access core's rules). */
  failFaces(
    deviceKey: string,
    failures: { id: string; status: FaceFailure; message: string }[],
  ): Promise<{ done: number; failed: number; ignored: number }> {
    const results = failures.map((f) => ({
      kind: 'face' as const,
      item: f.id,
      ok: false,
      status: f.status,
      message: f.message.slice(0, 500),
    }));
    return this.client.call('access.markDeployed', { deviceKey, results });
  }

  /** The door went away: what waits or is in flight becomes `deviceOffline` (retried when it is back, no attempt used). */
  deviceOffline(deviceKey: string): Promise<{ moved: number }> {
    return this.client.call('access.deviceOffline', { deviceKey });
  }

  resetFaces(deviceKey: string): Promise<{ queued: number }> {
    return this.client.call('access.resetDeployments', { deviceKey, kind: 'face' });
  }

  /** Resolves once the record is committed (then the terminal may be told it is stored). */
  recordPass(args: PassRecordArgs): Promise<{ passId: string; photoId?: string; duplicate: boolean }> {
    return this.client.call('access.recordPass', args);
  }
}
