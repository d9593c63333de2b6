/**
 * Records on the cloud link's durable outbox: the gateway's event `EdgeDataModel {modelId, dataId,
 * properties, files?}` (declared in config/gateway/PEGateway.json; `files` names the download URL
 * of each file attribute, whose property holds the file name as seed R10 has it), realtime when the link is up when
 * the record is queued, the thing-model history form (original time kept) when it is not. The
 * seed's apps write to a cloud data bus the box cannot reach offline; on the box the records
 * ride the Alink event channel like pass records, so they survive an outage in the one durable
 * queue and arrive in order. Written inside the record's own transaction. Class `record`: dropped
 * last under quota pressure. The outbox ref is `datamodel:<dataId>`.
 */
import { eventPost, historyPost } from '../cloud/alink/messages.js';
import { alinkTopics } from '../cloud/alink/topics.js';
import type { Outbox } from '../cloud/outbox/outbox.js';
import type { DataRecord } from './records.js';

export const EDGE_DATA_MODEL_EVENT = 'EdgeDataModel';
const REF = 'datamodel:';

export interface RecordOutbox {
  /**
   * Queue the record for the cloud; must run inside the caller's transaction. `files` gives the
   * download URL of each file property (attribute → URL), sent beside the properties.
   */
  enqueue(record: DataRecord, files?: Readonly<Record<string, string>>): void;
}

export const refOf = (dataId: number): string => `${REF}${dataId}`;

/** The data ids among acknowledged outbox refs. */
export const dataIdsOf = (refs: readonly string[]): number[] =>
  refs
    .filter((r) => r.startsWith(REF))
    .map((r) => Number(r.slice(REF.length)))
    .filter((n) => Number.isSafeInteger(n));

export function recordCloudOutbox(target: {
  outbox: Outbox;
  gateway: { productKey: string; deviceName: string };
  isOnline(): boolean;
}): RecordOutbox {
  const { outbox, gateway } = target;
  return {
    enqueue(record: DataRecord, files?: Readonly<Record<string, string>>): void {
      const value = {
        modelId: record.modelId,
        dataId: record.dataId,
        properties: record.properties,
        ...(files && Object.keys(files).length > 0 ? { files } : {}),
      };
      const online = target.isOnline();
      outbox.enqueueInTransaction({
        ...gateway,
        class: 'record',
        ref: refOf(record.dataId),
        topic: online
          ? alinkTopics.eventPost(gateway.productKey, gateway.deviceName, EDGE_DATA_MODEL_EVENT)
          : alinkTopics.historyPost(gateway.productKey, gateway.deviceName),
        payload: (id) =>
          online
            ? eventPost(id, EDGE_DATA_MODEL_EVENT, value, record.createdAt)
            : historyPost(id, gateway.productKey, gateway.deviceName, {
                events: { [EDGE_DATA_MODEL_EVENT]: { value, time: record.createdAt } },
              }),
      });
    },
  };
}
