/**
 * Alarm records on the cloud link's durable outbox: the gateway's event `AlarmRecord` (its outputs
 * are the H7 fields, config/gateway/PEGateway.tsl.json), realtime when the link is up when the
 * record changes, the thing-model history form (original time kept) when it is not. Written inside
 * the engine's own transaction, so a record and its upload commit together or not at all.
 * Class `record`: dropped last under quota pressure.
 */
import { eventPost, historyPost } from '../cloud/alink/messages.js';
import { alinkTopics } from '../cloud/alink/topics.js';
import type { Outbox } from '../cloud/outbox/outbox.js';
import { ALARM_RECORD_EVENT, type AlarmOutbox, type AlarmRecord } from './alarm-record.js';

export function alarmCloudOutbox(target: {
  outbox: Outbox;
  gateway: { productKey: string; deviceName: string };
  isOnline(): boolean;
}): AlarmOutbox {
  const { outbox, gateway } = target;
  return {
    enqueue(record: AlarmRecord, change): void {
      const value = record as unknown as Record<string, unknown>;
      const time =
        change === 'recovered'
          ? (record.recoveryTime ?? record.time)
          : change === 'confirmed'
            ? (record.confirmTime ?? record.time)
            : record.time;
      const online = target.isOnline();
      outbox.enqueueInTransaction({
        ...gateway,
        class: 'record',
        ref: `alarm:${record.alarmId}`,
        topic: online
          ? alinkTopics.eventPost(gateway.productKey, gateway.deviceName, ALARM_RECORD_EVENT)
          : alinkTopics.historyPost(gateway.productKey, gateway.deviceName),
        payload: (id) =>
          online
            ? eventPost(id, ALARM_RECORD_EVENT, value, time)
            : historyPost(id, gateway.productKey, gateway.deviceName, { events: { [ALARM_RECORD_EVENT]: { value, time } } }),
      });
    },
  };
}
