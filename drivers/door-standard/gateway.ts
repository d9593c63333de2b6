/**
 * What the door driver needs from the access-control core (edge/access), which lives in the
 * host process. The driver depends on this interface only; `hostAccessGateway` implements it over
 * `ctx.host.call('access.<method>', args)` (docs/access.md), tests inject a fake.
 *
 * `deviceKey` is always the logical device `productKey/deviceName` the request concerns
 * (the `.2` QR device for a QR scan, the `.3` card device for card deployments, ...).
 */
import type { HostServices } from '../../edge/host/sdk/driver.js';

export interface Decision {
  allow: boolean;
  userId?: string;
  /** Why it was refused (logged, and the reason in the protocol's code-1 message). */
  reason?: string;
}

export interface FaceDecision extends Decision {
  faceId?: string;
  name?: string;
  photoId?: string;
}

export type CredentialKind = 'card' | 'ble' | 'face' | 'rule';

/** One permission change to deploy; `id` is the access core's id used to acknowledge it. */
export interface DeploymentEntry {
  id: string;
  op: 'upsert' | 'delete';
  /** card/ble: card number; face: faceId; rule: ruleId. */
  key: string;
  userId?: string;
  /** ms UTC */
  effectiveTime?: number;
  expiryTime?: number;
  /** face: the user info and feature to push (device-side compare). */
  userName?: string;
  isInBlackList?: boolean;
  /** face: the user info as the access core keeps it (wins over the flat fields). */
  userInfo?: { userId?: string; userName?: string; expiryTime?: string | number; isInBlackList?: boolean };
  feature?: number[];
  /** rule: the linkage rule fields as the protocol carries them (seed 001 L37163-37314). */
  rule?: Record<string, unknown>;
}

export interface PassRecord {
  deviceKey: string;
  kind: 'qrcode' | 'card' | 'ble' | 'face' | 'intercom';
  credential?: string;
  userId?: string;
  faceId?: string;
  similarity?: number;
  temperature?: number;
  /** base64 photo for face passes (the edge keeps the pass photo, seed 001 L35830-35832). */
  photo?: string;
  time: number;
}

export interface AccessGateway {
  decideQr(deviceKey: string, qrCode: string): Promise<Decision>;
  /** Edge-side face compare from a captured photo (seed 001 L35423-35517). */
  decideFace(deviceKey: string, photo: Buffer, opts: { detect: boolean; temperature?: number }): Promise<FaceDecision>;
  /** Record a pass decided on the device (card, BLE, face device-side, intercom); returns a photo id when a photo came. */
  recordPass(rec: PassRecord): Promise<{ photoId?: string }>;
  /** Changes not yet confirmed on this device, oldest first, at most `limit`. */
  pendingDeployments(deviceKey: string, kind: CredentialKind, limit: number): Promise<DeploymentEntry[]>;
  /** Confirm (ok) or fail entries after a batch went to the device. */
  ackDeployments(deviceKey: string, kind: CredentialKind, ids: string[], ok: boolean, error?: string): Promise<void>;
  /** Mark every current permission of this device pending again (reconnect or replacement). */
  resetDeployments(deviceKey: string, kind: CredentialKind): Promise<void>;
  /** The full face set this device should hold (device-side compare reconciliation). */
  desiredFaces(deviceKey: string): Promise<DeploymentEntry[]>;
  /** The device went offline: its pending deployments move to `deviceOffline` (sync status machine). */
  deviceOffline(deviceKey: string): Promise<void>;
}

/** Thrown when the host has no access core (`code 6304`): the caller answers "other error". */
export class GatewayUnavailable extends Error {}

/** The access gateway over host services (`access.*`). */
export function hostAccessGateway(host: HostServices): AccessGateway {
  async function call<T>(method: string, args: Record<string, unknown>): Promise<T> {
    const a = await host.call<T>(`access.${method}`, args);
    if (a.code !== 200 && a.code !== 0) throw new GatewayUnavailable(`access.${method}: ${a.code} ${a.message}`);
    return a.data as T;
  }
  return {
    decideQr: (deviceKey, qrCode) => call('decideQr', { deviceKey, code: qrCode }),
    decideFace: (deviceKey, photo, opts) => call('decideFace', { deviceKey, photo: photo.toString('base64'), ...opts }),
    recordPass: (rec) => call('recordPass', { ...rec }),
    pendingDeployments: async (deviceKey, kind, limit) => (await call<{ entries?: DeploymentEntry[] }>('pendingDeployments', { deviceKey, kind, limit }))?.entries ?? [],
    ackDeployments: async (deviceKey, kind, ids, ok, error) => void (await call('ackDeployments', { deviceKey, kind, ids, ok, ...(error ? { error } : {}) })),
    resetDeployments: async (deviceKey, kind) => void (await call('resetDeployments', { deviceKey, kind })),
    desiredFaces: async (deviceKey) => (await call<{ entries?: DeploymentEntry[] }>('desiredFaces', { deviceKey }))?.entries ?? [],
    deviceOffline: async (deviceKey) => void (await call('deviceOffline', { deviceKey })),
  };
}
