/**
 * The door driver's view of the access core (edge/access, in the host process), over the one
 * host-service client (`HostClient`, edge/host/sdk/host-services.ts). It only translates the
 * door's credential roles (`card`, `ble`, `face`, `rule`) into the contract's kinds; every call
 * is the contract's own, with its typed arguments and answer.
 *
 * `deviceKey` is always the logical device `productKey/deviceName` the request concerns
 * (the `.2` QR device for a QR scan, the `.3` card device for card deployments, ...).
 */
import {
  HostClient,
  type DeployKind,
  type DeploymentEntry,
  type DesiredFace,
  type HostArgs,
  type HostServices,
  type PassDecision,
} from '../../edge/host/sdk/host-services.js';

export type { DeploymentEntry, DesiredFace, PassDecision };

export type CredentialKind = 'card' | 'ble' | 'face' | 'rule';

const KIND: Record<CredentialKind, DeployKind> = { card: 'tradCard', ble: 'bleCard', face: 'face', rule: 'rule' };

export type PassRecordArgs = HostArgs<'access.recordPass'>;

export class DoorAccess {
  readonly #client: HostClient;
  /** `recordTimeoutMs`: how long a pass may wait for its record before the door is answered busy. */
  readonly #recordTimeoutMs: number;

  constructor(host: HostServices, options: { recordTimeoutMs?: number } = {}) {
    this.#client = new HostClient(host);
    this.#recordTimeoutMs = options.recordTimeoutMs ?? 5000;
  }

  decideQr(deviceKey: string, code: string): Promise<PassDecision> {
    return this.#client.call('access.decideQr', { deviceKey, code }, this.#recordTimeoutMs);
  }

  /** Edge-side face compare from a captured photo (seed 001 L35423-35517). */
  decideFace(deviceKey: string, photo: Buffer, opts: { detect: boolean; temperature?: number }): Promise<PassDecision> {
    return this.#client.call('access.decideFace', { deviceKey, photo: photo.toString('base64'), ...opts });
  }

  /** Record a pass the door decided itself; resolves once the record is committed. */
  recordPass(args: PassRecordArgs): Promise<{ passId: string; photoId?: string; duplicate: boolean }> {
    return this.#client.call('access.recordPass', args, this.#recordTimeoutMs);
  }

  async pendingDeployments(deviceKey: string, kind: CredentialKind, limit: number): Promise<DeploymentEntry[]> {
    return (await this.#client.call('access.pendingDeployments', { deviceKey, kind: KIND[kind], limit })).entries;
  }

  async ackDeployments(deviceKey: string, kind: CredentialKind, items: string[], ok: boolean, error?: string): Promise<void> {
    await this.#client.call('access.ackDeployments', {
      deviceKey,
      kind: KIND[kind],
      items,
      ok,
      ...(error ? { error: error.slice(0, 500) } : {}),
    });
  }

  /** Mark every current permission of this device pending again (reconnect or replacement). */
  async resetDeployments(deviceKey: string, kind: CredentialKind): Promise<void> {
    await this.#client.call('access.resetDeployments', { deviceKey, kind: KIND[kind] });
  }

  /** The full face set this device should hold (device-side compare reconciliation). */
  async desiredFaces(deviceKey: string): Promise<DesiredFace[]> {
    return (await this.#client.call('access.desiredFaces', { deviceKey })).faces;
  }

  /** Whether the box can ask the cloud now (a phone-number check is only handed on then). */
  async cloudOnline(): Promise<boolean> {
    return (await this.#client.call('box.cloudLink', {}, this.#recordTimeoutMs)).online;
  }

  /** The device went offline: its pending deployments move to `deviceOffline` (sync status machine). */
  async deviceOffline(deviceKey: string): Promise<void> {
    await this.#client.call('access.deviceOffline', { deviceKey });
  }
}
