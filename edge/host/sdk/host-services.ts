/**
 * The host-service contract: every call a driver makes to the host process (`access.*`,
 * `faceQueue.*`), declared once with a TypeBox schema for its arguments and its answer.
 * The host validates arguments at the boundary against these schemas (a malformed call is
 * refused before any host code runs); drivers call through one typed client, `HostClient`.
 * A call answers `{code: 200, message: 'success', data}` on success; anything else is an
 * error from the catalogue (unknown method, malformed call, device not owned, ...), which
 * the client raises as `HostCallError`.
 *
 * This module depends on nothing of `edge/` outside the SDK, so a third-party driver can use it.
 */
import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import {
  Base64Photo,
  Counts,
  DeploymentEntry,
  DeployKind,
  DesiredFace,
  DeviceKey,
  Obj,
  PassDecision,
  PassKind,
  QueuedCommand,
  SyncStatus,
  Time,
} from './host-schemas.js';

export type { HostServices } from './driver.js';
export {
  DeployKind,
  DeploymentEntry,
  DesiredFace,
  PassDecision,
  PassKind,
  QueuedCommand,
  SYNC_STATUSES,
  SyncStatus,
} from './host-schemas.js';
export { HOST_CALL_TIMEOUT_MS, HOST_OK, HostCallError, HostClient } from './host-client.js';

/** A method's schemas. Arguments admit no key the contract does not name: a misspelt one is refused, not ignored. */
function method<A extends TObject, R extends TSchema>(args: A, answer: R): { args: A; answer: R } {
  args.additionalProperties = false;
  return { args, answer };
}

export const HOST_SERVICES = {
  // ── passage: every call records the pass before it answers ──────────────────
  'access.decideQr': method(
    Type.Object({ deviceKey: DeviceKey, code: Type.String({ minLength: 1, maxLength: 1024 }), time: Type.Optional(Time) }),
    PassDecision,
  ),
  'access.decideCard': method(
    Type.Object({ deviceKey: DeviceKey, cardId: Type.String({ minLength: 1, maxLength: 255 }), time: Type.Optional(Time) }),
    PassDecision,
  ),
  'access.decideBleCard': method(
    Type.Object({ deviceKey: DeviceKey, cardId: Type.String({ minLength: 1, maxLength: 255 }), time: Type.Optional(Time) }),
    PassDecision,
  ),
  'access.decidePassword': method(
    Type.Object({ deviceKey: DeviceKey, password: Type.String({ minLength: 1, maxLength: 255 }), time: Type.Optional(Time) }),
    PassDecision,
  ),
  'access.decideFace': method(
    Type.Object({
      deviceKey: DeviceKey,
      photo: Base64Photo,
      detect: Type.Optional(Type.Boolean({ description: 'ask the algorithm to detect the face first' })),
      temperature: Type.Optional(Type.Number()),
      time: Type.Optional(Time),
    }),
    PassDecision,
  ),
  /** A pass the device decided itself (card swipe, device-side face compare, intercom or remote open). */
  'access.recordPass': method(
    Type.Object({
      deviceKey: DeviceKey,
      kind: PassKind,
      /** QR string, card number, BLE card number, password; '' for faces. */
      content: Type.String({ maxLength: 255 }),
      code: Type.Integer(),
      message: Type.Optional(Type.String({ maxLength: 256 })),
      identityId: Type.Optional(Type.String({ maxLength: 64 })),
      faceId: Type.Optional(Type.String({ maxLength: 64 })),
      score: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
      temperature: Type.Optional(Type.Number()),
      photo: Type.Optional(Base64Photo),
      time: Type.Optional(Time),
      /** The device's own id of this record: a record sent again with the same ref is stored once. */
      ref: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    }),
    Type.Object({ passId: Type.String(), photoId: Type.Optional(Type.String()), duplicate: Type.Boolean() }),
  ),

  // ── permission deployment to doors ─────────────────────────────────────────
  /**
   * `idMaxLength`: the device holds ids of at most this many characters (face terminals: 32);
   * longer ones come as `deviceItem`, a stable short form the device then uses in everything it
   * sends back (acks, records), which the host maps to the item.
   */
  'access.pendingDeployments': method(
    Type.Object({
      deviceKey: DeviceKey,
      kind: DeployKind,
      limit: Type.Integer({ minimum: 1, maximum: 1000 }),
      idMaxLength: Type.Optional(Type.Integer({ minimum: 8, maximum: 255 })),
    }),
    Type.Object({ entries: Type.Array(DeploymentEntry) }),
  ),
  'access.ackDeployments': method(
    Type.Object({
      deviceKey: DeviceKey,
      kind: DeployKind,
      items: Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { maxItems: 1000 }),
      ok: Type.Boolean(),
      error: Type.Optional(Type.String({ maxLength: 500 })),
    }),
    Counts,
  ),
  /** Outcomes with a named cause (timeouts, an unreachable terminal), retried by the access core's rules. */
  'access.markDeployed': method(
    Type.Object({
      deviceKey: DeviceKey,
      results: Type.Array(
        Type.Object({
          kind: DeployKind,
          item: Type.String({ minLength: 1, maxLength: 255 }),
          ok: Type.Boolean(),
          status: Type.Optional(SyncStatus),
          message: Type.Optional(Type.String({ maxLength: 500 })),
        }),
        { maxItems: 1000 },
      ),
    }),
    Counts,
  ),
  'access.resetDeployments': method(Type.Object({ deviceKey: DeviceKey, kind: DeployKind }), Type.Object({ queued: Type.Integer() })),
  'access.desiredFaces': method(Type.Object({ deviceKey: DeviceKey }), Type.Object({ faces: Type.Array(DesiredFace) })),
  'access.deviceOffline': method(Type.Object({ deviceKey: DeviceKey }), Type.Object({ moved: Type.Integer() })),

  // ── security devices (issue 18) ─────────────────────────────────────────────
  /**
   * Store a security alarm of a device of the calling driver and queue its cloud upload (its
   * thing event), in one transaction, before answering: the driver answers its device after this.
   */
  /**
   * A picture of the calling driver's device kept by the edge file service (docs/files.md), so
   * the cloud record can carry its URL. Unregistered while the service does not run: the driver
   * then keeps the picture in its own folder.
   */
  'files.storePicture': method(
    Type.Object({
      deviceKey: DeviceKey,
      area: Type.String({ pattern: '^[a-z][a-z0-9-]{0,31}$', description: 'first folder of the file path (alarm, capture …)' }),
      base64: Type.String({ minLength: 4, maxLength: 8_000_000 }),
      ext: Type.Optional(Type.String({ pattern: '^[a-z0-9]{1,5}$' })),
      time: Time,
      keepDays: Type.Integer({ minimum: 1, maximum: 3650 }),
    }),
    Type.Object({ id: Type.String(), url: Type.String() }),
  ),
  'security.recordAlarm': method(
    Type.Object({
      deviceKey: DeviceKey,
      eventId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }),
      params: Obj,
      time: Time,
      /**
       * Names the alarm among its device's: a second call with the key stores nothing and answers
       * the first one's id (a device's report sent again after it was stored in part).
       */
      dedupKey: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    }),
    Type.Object({ alarmId: Type.String() }),
  ),

  // ── the box itself ──────────────────────────────────────────────────────────
  /** Whether the box has a cloud link and it is connected now (a request that needs the cloud answers by it). */
  'box.cloudLink': method(Type.Object({}), Type.Object({ configured: Type.Boolean(), online: Type.Boolean() })),
  /**
   * The box's device RSA key (edge/keys/device-rsa.ts) as PKCS#8 PEM, for drivers of devices that
   * encrypt a session key to the box; answered only to drivers of a type that needs it.
   */
  'box.deviceKey': method(Type.Object({}), Type.Object({ privateKeyPem: Type.String(), bits: Type.Integer() })),

  // ── durable command queues of polling face terminals ───────────────────────
  'faceQueue.enqueue': method(
    Type.Object({
      deviceKey: DeviceKey,
      service: Type.String({ minLength: 1, maxLength: 32 }),
      payload: Obj,
      ref: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
      ttlMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 30 * 86_400_000 })),
      maxAttempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
      resultTimeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 86_400_000 })),
    }),
    Type.Object({ command: QueuedCommand }),
  ),
  'faceQueue.next': method(
    Type.Object({ deviceKey: DeviceKey, service: Type.String({ minLength: 1, maxLength: 32 }) }),
    Type.Object({
      command: Type.Optional(QueuedCommand),
      busy: Type.Optional(QueuedCommand),
      empty: Type.Optional(Type.Literal(true)),
      ended: Type.Optional(Type.Array(QueuedCommand)),
    }),
  ),
  'faceQueue.result': method(
    Type.Object({
      deviceKey: DeviceKey,
      msgId: Type.String({ minLength: 1, maxLength: 64 }),
      errorCode: Type.String({ maxLength: 16 }),
      body: Obj,
      final: Type.Optional(Type.Boolean()),
      inProgress: Type.Optional(Type.Boolean()),
    }),
    Type.Object({
      status: Type.Union([
        Type.Literal('done'),
        Type.Literal('failed'),
        Type.Literal('progress'),
        Type.Literal('duplicate'),
        Type.Literal('unknown'),
      ]),
      command: Type.Optional(QueuedCommand),
    }),
  ),
  'faceQueue.get': method(
    Type.Object({ deviceKey: DeviceKey, msgId: Type.String({ minLength: 1, maxLength: 64 }) }),
    Type.Object({ command: Type.Union([QueuedCommand, Type.Null()]) }),
  ),
  'faceQueue.active': method(
    Type.Object({
      deviceKey: DeviceKey,
      service: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    }),
    Type.Object({ commands: Type.Array(QueuedCommand) }),
  ),
  'faceQueue.cancel': method(
    Type.Object({ deviceKey: DeviceKey, msgId: Type.String({ minLength: 1, maxLength: 64 }) }),
    Type.Object({ cancelled: Type.Boolean() }),
  ),
  'faceQueue.cancelService': method(
    Type.Object({ deviceKey: DeviceKey, service: Type.String({ minLength: 1, maxLength: 32 }) }),
    Type.Object({ commands: Type.Array(QueuedCommand) }),
  ),
  'faceQueue.heldPersons': method(
    Type.Object({ deviceKey: DeviceKey, ids: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 1000 }) }),
    Type.Object({ held: Type.Array(Type.String()) }),
  ),
} as const;

export type HostMethod = keyof typeof HOST_SERVICES;
export type HostArgs<M extends HostMethod> = Static<(typeof HOST_SERVICES)[M]['args']>;
export type HostAnswer<M extends HostMethod> = Static<(typeof HOST_SERVICES)[M]['answer']>;
