/**
 * The data shapes shared by host-service calls (pass decisions, deployment entries, queued
 * commands …), as TypeBox schemas. Part of the driver SDK: depends on nothing of `edge/`.
 */
import { Type, type Static, type TLiteral } from '@sinclair/typebox';

export const DeviceKey = Type.String({ minLength: 3, maxLength: 160, description: 'productKey/deviceName of the logical device' });
export const Time = Type.Number({ minimum: 0, description: 'UTC ms' });
export const Base64Photo = Type.String({ maxLength: 2_000_000, description: 'base64 JPEG, at most 1.5 MB' });

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

export const CommandState = Type.Union([
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

export const Obj = Type.Record(Type.String(), Type.Unknown());
export const Counts = Type.Object({ done: Type.Integer(), failed: Type.Integer(), ignored: Type.Integer() });
