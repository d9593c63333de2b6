import type { Runtime } from '../runtime.js';
import { parseDataModelConfig } from '../datamodel/config.js';
import { ACK_FILTER } from '../datamodel/deliveries.js';
import { DataModelService } from '../datamodel/service.js';
import type { Part } from './part.js';

/**
 * The edge data-model API (docs/apps.md), with a `dataModel:` section or an `apps:` section (the
 * hosted apps' `iot.hosting.api.domain` points at it), after the file service (uploads), the bus
 * (subscribers and their acks) and before the cloud (which attaches the outbox and queues what
 * was recorded before it). App keys are looked up on every request through
 * `rt.appCredentials`, which the apps part sets: until it does, every call is refused (401).
 */
export function dataModelPart(rt: Runtime): Part | undefined {
  const config = parseDataModelConfig(rt.config.dataModel, (rt.config as Record<string, unknown>).apps !== undefined);
  if (!config) return undefined;
  let stopped = false;
  return {
    name: 'datamodel',
    start: async () => {
      stopped = false;
      const service = new DataModelService(
        {
          db: rt.db,
          log: rt.logOf('datamodel'),
          credentials: (appKey) => rt.appCredentials?.(appKey),
          files: () => rt.files,
          publisher: () => rt.busTransport,
        },
        config,
      );
      await service.start();
      rt.dataModel = service;
      // The shared transport has no per-subscription removal: a stopped service ignores late acks.
      await rt.busTransport?.subscribe([ACK_FILTER], (topic, payload) => {
        if (!stopped) service.deliveries.onAckMessage(topic, payload);
      });
    },
    stop: async () => {
      stopped = true;
      await rt.dataModel?.stop();
      rt.dataModel = undefined;
    },
  };
}
