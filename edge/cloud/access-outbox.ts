/**
 * The access core's upward messages (edge/access/outbox.ts) on the cloud link's durable outbox:
 * pass records as thing events of the door sub-device they concern (realtime, or the history
 * form when captured offline), face sync statuses and sync errors as the gateway's
 * `BizDataPush` event. Written inside the access core's own transaction, so a record and its
 * upload commit together or not at all.
 */
import type { OutboxMessage, OutboxWriter } from '../access/outbox.js';
import { eventPost, historyPost } from './alink/messages.js';
import { alinkTopics } from './alink/topics.js';
import type { Outbox } from './outbox/outbox.js';
import { splitDeviceKey } from '../thing/registry.js';

/** The gateway event that carries BizDataPushModel v1.1 [seed 001 L23449-23576]; define it on the gateway product. */
export const BIZ_DATA_EVENT = 'BizDataPush';

export interface CloudOutboxTarget {
  outbox: Outbox;
  /** The box's own identity on the platform (business reports go on its event topic). */
  gateway: { productKey: string; deviceName: string };
  /** Realtime or history form is chosen when a record is queued. */
  isOnline(): boolean;
}

export function cloudOutboxWriter(target: CloudOutboxTarget): OutboxWriter {
  const { outbox, gateway } = target;
  return {
    isOnline: () => target.isOnline(),
    enqueue(m: OutboxMessage): void {
      const ref = m.dedupKey;
      if (m.topicKind === 'bizData') {
        outbox.enqueueInTransaction({
          ...gateway,
          class: 'event',
          ref,
          topic: alinkTopics.eventPost(gateway.productKey, gateway.deviceName, BIZ_DATA_EVENT),
          payload: (id) => eventPost(id, BIZ_DATA_EVENT, m.payload, m.time),
        });
        return;
      }
      const [productKey, deviceName] = splitDeviceKey(m.deviceKey);
      const value = m.payload;
      outbox.enqueueInTransaction(
        m.topicKind === 'event'
          ? {
              productKey,
              deviceName,
              class: 'record',
              ref,
              topic: alinkTopics.eventPost(productKey, deviceName, m.identifier),
              payload: (id) => eventPost(id, m.identifier, value, m.time),
            }
          : {
              productKey,
              deviceName,
              class: 'record',
              ref,
              topic: alinkTopics.historyPost(productKey, deviceName),
              payload: (id) => historyPost(id, productKey, deviceName, { events: { [m.identifier]: { value, time: m.time } } }),
            },
      );
    },
  };
}
