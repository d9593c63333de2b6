/**
 * What a face driver asks of the access core (`access.*` host services, docs/access.md): the
 * face deployments to push, their outcome, and the pass records the terminals report.
 */
import type { HostServices } from '../../edge/host/sdk/driver.js';
import type { FaceDeployment, FaceFailure } from './deployment.js';
import { hostCall } from './host-call.js';

export class AccessCalls {
  protected readonly host: HostServices;
  constructor(host: HostServices) {
    this.host = host;
  }

  /** Up to `limit` face changes for the door; they are `transferring` until acknowledged. */
  pendingFaces(deviceKey: string, limit: number): Promise<FaceDeployment[]> {
    return hostCall<{ entries: FaceDeployment[] }>(this.host, 'access.pendingDeployments', { deviceKey, kind: 'face', limit }).then((d) => d.entries ?? []);
  }

  /** The terminal's verdict: done, or refused (the access core's default failure cause). */
  ackFaces(deviceKey: string, ids: string[], ok: boolean, error?: string): Promise<unknown> {
    return hostCall(this.host, 'access.ackDeployments', { deviceKey, kind: 'face', ids, ok, ...(error ? { error } : {}) });
  }

  /** Failures with a named cause: a timeout or an unreachable terminal (retried by the access core's rules). */
  failFaces(deviceKey: string, failures: { id: string; status: FaceFailure; message: string }[]): Promise<{ done: number; failed: number; ignored: number }> {
    const results = failures.map((f) => ({ kind: 'face', item: f.id, ok: false, status: f.status, message: f.message.slice(0, 500) }));
    return hostCall(this.host, 'access.markDeployed', { deviceKey, results });
  }

  /** The door went away: what waits or is in flight becomes `deviceOffline` (retried when it is back, no attempt used). */
  deviceOffline(deviceKey: string): Promise<{ moved: number }> {
    return hostCall(this.host, 'access.deviceOffline', { deviceKey });
  }

  resetFaces(deviceKey: string): Promise<{ queued: number }> {
    return hostCall(this.host, 'access.resetDeployments', { deviceKey, kind: 'face' });
  }

  recordPass(args: Record<string, unknown>): Promise<{ photoId?: string }> {
    return hostCall(this.host, 'access.recordPass', args);
  }
}
