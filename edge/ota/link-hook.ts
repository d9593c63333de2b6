/**
 * OTA on the cloud link's extension point (edge/cloud/extension.ts): the agent's topics (upgrade
 * pushes, firmware-get replies) subscribed at each connect and with each sub-device's session,
 * its messages taken before the thing model's downlink, and — once subscribed — every version
 * reported and a rolled-back box release reported.
 */
import type { CloudExtension } from '../cloud/extension.js';
import type { Logger } from '../log.js';
import type { OtaAgent } from './agent.js';

export function otaLinkHook(agent: OtaAgent, log: Logger, online: () => void): CloudExtension {
  return {
    deviceFilters: (productKey, deviceName) => agent.deviceFilters({ productKey, deviceName }),
    handle: (topic, payload) => agent.handle(topic, payload),
    onOnline: async (link) => {
      try {
        await link.subscribe(agent.filters(link.wildcard));
        if (link.current()) online();
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'OTA subscriptions failed; retried at the next connect');
      }
    },
  };
}
