/**
 * The access core offered to door drivers as host services (`access.*`, contract in
 * edge/host/sdk/host-services.ts). Arguments arrive checked against the contract and the door
 * belongs to the calling driver (edge/host/services.ts); handlers return the answer's data.
 * Every passage call answers only after its record is committed (pass-recorder.ts).
 * docs/access.md lists every method.
 */
import type { HostHandlers } from '../host/services.js';
import type { DeploymentEntry, DesiredFace, PassDecision } from '../host/sdk/host-services.js';
import type { AccessCore, PendingDeployment } from './access-core.js';
import type { Decision } from './passes/passage.js';

function passDecision(d: Decision): PassDecision {
  const { duplicate: _duplicate, ...decision } = d;
  return decision;
}

function deploymentEntry(p: PendingDeployment): DeploymentEntry {
  const d = (p.data ?? {}) as Record<string, unknown>;
  const info = (d.userInfo ?? {}) as Record<string, unknown>;
  const identityId = (d.identityId ?? info.userId) as string | undefined;
  const expiry = d.expiryTime ?? info.expiryTime;
  return {
    kind: p.kind,
    item: p.item,
    op: p.op,
    status: p.status,
    attempts: p.attempts,
    ...(p.groupId ? { groupId: p.groupId } : {}),
    ...(identityId ? { identityId } : {}),
    ...(typeof d.effectiveTime === 'number' ? { effectiveTime: d.effectiveTime } : {}),
    ...(expiry !== undefined && expiry !== null && expiry !== '' ? { expiryTime: Number(expiry) } : {}),
    ...(p.data ? { data: p.data } : {}),
  };
}

/** Where `rule` deployments (elevator linkage rules for doors that run them) come from: edge/elevators. */
export interface RuleDeploymentSource {
  take(deviceKey: string, limit: number): Array<{ item: string; op: 'upsert' | 'delete'; attempts: number; rule: Record<string, unknown> }>;
  ack(deviceKey: string, items: readonly string[], ok: boolean, error?: string): { done: number; failed: number; ignored: number };
  reset(deviceKey: string): number;
}

export function accessHostServices(core: AccessCore, rules: () => RuleDeploymentSource | undefined = () => undefined): HostHandlers {
  const at = (time: number | undefined) => (time === undefined ? {} : { now: time });
  return {
    'access.decideQr': (a) => passDecision(core.passage.decideQr(a.deviceKey, a.code, at(a.time))),
    'access.decideCard': (a) => passDecision(core.passage.decideCard(a.deviceKey, a.cardId, at(a.time))),
    'access.decideBleCard': (a) => passDecision(core.passage.decideBleCard(a.deviceKey, a.cardId, at(a.time))),
    'access.decidePassword': (a) => passDecision(core.passage.decidePassword(a.deviceKey, a.password, at(a.time))),
    'access.decideFace': async (a) =>
      passDecision(
        await core.passage.decideFace(a.deviceKey, Buffer.from(a.photo, 'base64'), {
          ...at(a.time),
          detect: a.detect !== false,
          ...(a.temperature !== undefined ? { temperature: a.temperature } : {}),
        }),
      ),
    'access.recordPass': (a) => {
      const photo = a.photo ? Buffer.from(a.photo, 'base64') : undefined;
      const d = core.passage.recordPass(
        {
          deviceKey: a.deviceKey,
          kind: a.kind,
          content: a.content,
          code: a.code,
          message: a.message ?? (a.code === 0 ? 'success' : 'failed'),
          ...(a.identityId ? { identityId: a.identityId } : {}),
          ...(a.faceId ? { faceId: core.deviceIds.fromDevice(a.faceId) } : {}),
          ...(a.score !== undefined ? { score: a.score } : {}),
          ...(photo && photo.byteLength > 0 ? { photo } : {}),
          ...(a.time !== undefined ? { time: a.time } : {}),
          ...(a.temperature !== undefined ? { temperature: a.temperature } : {}),
        },
        a.ref,
      );
      return { passId: d.passId, ...(d.photoId ? { photoId: d.photoId } : {}), duplicate: d.duplicate === true };
    },
    // Elevator linkage rules come from the linkage store (edge/elevators), when the box has one.
    'access.pendingDeployments': (a) => ({
      entries:
        a.kind === 'rule'
          ? (rules()?.take(a.deviceKey, a.limit) ?? []).map((r) => ({
              kind: 'rule' as const,
              item: r.item,
              op: r.op,
              attempts: r.attempts,
              data: { rule: r.rule },
            }))
          : core.pendingDeployments(a.deviceKey, a.limit, a.kind).map((p) => {
              const e = deploymentEntry(p);
              const deviceItem = a.idMaxLength ? core.deviceIds.toDevice(e.item, a.idMaxLength) : e.item;
              return deviceItem === e.item ? e : { ...e, deviceItem };
            }),
    }),
    // Devices report back with the ids they hold: shortened ones map to the access core's.
    'access.ackDeployments': (a) => {
      if (a.kind === 'rule') return rules()?.ack(a.deviceKey, a.items, a.ok, a.error) ?? { done: 0, failed: 0, ignored: a.items.length };
      const kind = a.kind;
      return core.markDeployed(
        a.deviceKey,
        a.items.map((item) => ({ kind, item: core.deviceIds.fromDevice(item), ok: a.ok, ...(a.error ? { message: a.error } : {}) })),
      );
    },
    'access.markDeployed': (a) => {
      const results = a.results.filter((r) => r.kind !== 'rule');
      return core.markDeployed(
        a.deviceKey,
        results.map((r) => ({
          kind: r.kind as Exclude<typeof r.kind, 'rule'>,
          item: core.deviceIds.fromDevice(r.item),
          ok: r.ok,
          ...(r.status ? { status: r.status } : {}),
          ...(r.message ? { message: r.message } : {}),
        })),
      );
    },
    'access.resetDeployments': (a) => ({
      queued: a.kind === 'rule' ? (rules()?.reset(a.deviceKey) ?? 0) : core.resetDeployments(a.deviceKey, a.kind),
    }),
    'access.desiredFaces': (a) => ({ faces: core.desiredFaces(a.deviceKey) as DesiredFace[] }),
    'access.deviceOffline': (a) => ({ moved: core.deviceOffline(a.deviceKey) }),
  };
}
