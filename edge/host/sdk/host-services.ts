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
import { Type, type Static, type TLiteral, type TObject, type TSchema } from '@sinclair/typebox';
import { ALINK } from './answer.js';
import type { HostServices } from './driver.js';

export type { HostServices };

const DeviceKey = Type.String({ minLength: 3, maxLength: 160, description: 'productKey/deviceName of the logical device' });
const Time = Type.Number({ minimum: 0, description: 'UTC ms' });
const Base64Photo = Type.String({ maxLength: 2_000_000, description: 'base64 JPEG, at most 1.5 MB' });

/** The pass kinds of the access core: the device passEvent `type`s [seed 001 L1551-1597] plus two of the box. */
export const PassKind = Type.Union([
  Type.Literal('qrCode'),
  Type.Literal('tradCard'),
  Type.Literal('bleCard'),
  Type.Literal('password'),
  Type.Literal('face'),
  /** A door opened from an intercom call (door-standard reportOpenDoor). */
  Type.Literal('intercom'),
  /** A door opened by a remote-open service call. */
  Type.Literal('remote'),
]);
export type PassKind = Static<typeof PassKind>;

/** What a permission deployment is about. `rule`: elevator linkage rules for doors that run them (`data.rule`: one `/elevator/rule/sync` entry). */
export const DeployKind = Type.Union([
  Type.Literal('face'),
  Type.Literal('tradCard'),
  Type.Literal('bleCard'),
  Type.Literal('password'),
  Type.Literal('rule'),
]);
export type DeployKind = Static<typeof DeployKind>;

export const SYNC_STATUSES = [
  'toBeTransferred',
  'transferring',
  'deviceOffline',
  'transferred',
  'faceCheckError',
  'faceCheckTimeout',
  'faceDlError',
  'facePushError',
  'unknownError',
  'transferDeleted',
  'deleteFailed',
  'transferTimeout',
  'deleteTimeout',
  'needManual',
] as const;
/** Per-device permission status [seed 000 L643-672]. */
export const SyncStatus = Type.Union(SYNC_STATUSES.map((s) => Type.Literal(s)) as Array<TLiteral<(typeof SYNC_STATUSES)[number]>>);
export type SyncStatus = (typeof SYNC_STATUSES)[number];

/**
 * A decided and recorded pass. `passId` is the one id of this pass: on the stored record, its
 * outbox row, the cloud message and the logs. `code` 0 opens the door; otherwise the seed's
 * failure code and message.
 */
export const PassDecision = Type.Object({
  passId: Type.String(),
  code: Type.Integer(),
  message: Type.String(),
  kind: PassKind,
  identityId: Type.String(),
  remainScanTimes: Type.Optional(Type.Integer()),
  faceId: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  score: Type.Optional(Type.Number()),
  photoId: Type.Optional(Type.String()),
});
export type PassDecision = Static<typeof PassDecision>;

const FaceUserInfo = Type.Object(
  {
    userId: Type.Optional(Type.String()),
    userName: Type.Optional(Type.String()),
    expiryTime: Type.Optional(Type.Union([Type.String(), Type.Number(), Type.Null()])),
    isInBlackList: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: true },
);

/** One permission change for a door, oldest first; acknowledged by `item`. */
export const DeploymentEntry = Type.Object({
  kind: DeployKind,
  item: Type.String({ description: 'card number, BLE card number, password or faceId' }),
  /** The item as the device holds it, when `idMaxLength` made it shorter. */
  deviceItem: Type.Optional(Type.String()),
  op: Type.Union([Type.Literal('upsert'), Type.Literal('delete')]),
  groupId: Type.Optional(Type.String()),
  status: Type.Optional(SyncStatus),
  attempts: Type.Optional(Type.Integer()),
  identityId: Type.Optional(Type.String()),
  effectiveTime: Type.Optional(Type.Number()),
  expiryTime: Type.Optional(Type.Number()),
  /** Faces: what the terminal needs (user info, feature, picture file, md5s). */
  data: Type.Optional(
    Type.Object(
      {
        userInfo: Type.Optional(FaceUserInfo),
        feature: Type.Optional(Type.Array(Type.Number())),
        features: Type.Optional(Type.Array(Type.String())),
        imageFile: Type.Optional(Type.String()),
        faceMd5: Type.Optional(Type.String()),
        /** Rules: the `/elevator/rule/sync` entry the box built (seed 001 L37200-37250). */
        rule: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      },
      { additionalProperties: true },
    ),
  ),
});
export type DeploymentEntry = Static<typeof DeploymentEntry>;

/** A face as a door with device-side compare should hold it (reconciliation). */
export const DesiredFace = Type.Object(
  {
    groupId: Type.String(),
    faceId: Type.String(),
    userInfo: FaceUserInfo,
    feature: Type.Optional(Type.Array(Type.Number())),
  },
  { additionalProperties: true },
);
export type DesiredFace = Static<typeof DesiredFace>;

const CommandState = Type.Union([
  Type.Literal('queued'),
  Type.Literal('sent'),
  Type.Literal('done'),
  Type.Literal('failed'),
  Type.Literal('expired'),
  Type.Literal('superseded'),
  Type.Literal('cancelled'),
]);
/** A command queued for a polling face terminal (seed 003). */
export const QueuedCommand = Type.Object(
  {
    msgId: Type.String(),
    service: Type.String(),
    ref: Type.Union([Type.String(), Type.Null()]),
    payload: Type.Record(Type.String(), Type.Unknown()),
    state: CommandState,
    attempts: Type.Integer(),
    errorCode: Type.Union([Type.String(), Type.Null()]),
    result: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  },
  { additionalProperties: true },
);
export type QueuedCommand = Static<typeof QueuedCommand>;

const Obj = Type.Record(Type.String(), Type.Unknown());
const Counts = Type.Object({ done: Type.Integer(), failed: Type.Integer(), ignored: Type.Integer() });

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
  'security.recordAlarm': method(
    Type.Object({
      deviceKey: DeviceKey,
      eventId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }),
      params: Obj,
      time: Time,
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

/** Success code of a host-service answer (the Alink convention of the whole box). */
export const HOST_OK = ALINK.SUCCESS;

/** How long a host-service call waits for its answer unless the caller says otherwise. */
export const HOST_CALL_TIMEOUT_MS = 10_000;

/** A host-service call that did not succeed: the catalogue code and message the host answered, or a timeout. */
export class HostCallError extends Error {
  readonly code: number | undefined;
  constructor(method: string, code: number | undefined, message: string) {
    super(`${method}: ${code ?? 'no answer'} ${message}`);
    this.name = 'HostCallError';
    this.code = code;
  }
}

/** The one driver-side client: typed arguments and answers, errors as `HostCallError`. */
export class HostClient {
  readonly #host: HostServices;
  constructor(host: HostServices) {
    this.#host = host;
  }

  async call<M extends HostMethod>(method: M, args: HostArgs<M>, timeoutMs?: number): Promise<HostAnswer<M>> {
    let a;
    try {
      a = await this.#host.call<HostAnswer<M>>(method, args as Record<string, unknown>, timeoutMs);
    } catch (err) {
      throw new HostCallError(method, undefined, (err as Error).message);
    }
    if (a.code !== HOST_OK) throw new HostCallError(method, a.code, a.message);
    return a.data as HostAnswer<M>;
  }
}
