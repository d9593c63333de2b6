/**
 * What the access core needs from the cloud link's outbox (edge/cloud/outbox, built
 * separately). `enqueue` is synchronous and writes into the same SQLite connection, so the
 * access core calls it INSIDE its own transaction: a pass record and its upload message
 * commit together or not at all. Without an outbox, records stay `uploaded = 0` and are
 * handed over (as history) once one is attached.
 */

export type OutboxTopicKind =
  /** A thing-model event of a door sub-device, realtime: `/sys/{pk}/{dn}/thing/event/{id}/post`. */
  | 'event'
  /** The same event captured while offline: the thing-model history topic, original time kept. */
  | 'eventHistory'
  /** A business report of the box itself (BizDataPushModel: FACE_SYNC_STATUS, DEVICE_SYNC_ERROR). */
  | 'bizData';

export interface OutboxMessage {
  topicKind: OutboxTopicKind;
  /** `productKey/deviceName` of the door the message is about. */
  deviceKey: string;
  /** Event identifier (`passEvent`, `OnMatched`) or bizType (`FACE_SYNC_STATUS`). */
  identifier: string;
  /** Alink `params` (events) or the BizDataPushModel object. */
  payload: Record<string, unknown>;
  /** When it happened (UTC ms); history uploads must keep it. */
  time: number;
  /** Stable id for de-duplication by the cloud link (`pass:<recordId>`). */
  dedupKey: string;
}

export interface OutboxWriter {
  /** Must be synchronous and use the box database: it is called inside the caller's transaction. */
  enqueue(message: OutboxMessage): void;
  /** True while the cloud link is connected; decides realtime vs history. Absent: online. */
  isOnline?(): boolean;
}
