/**
 * The local bus topic scheme (docs/bus-topics.md). Device traffic mirrors the Alink topics the
 * cloud uses, so a local app and the cloud see the same shapes; box state lives under /edge/.
 */
import { deviceTopics } from '../thing/topics.js';

export const topics = {
  propertyPost: deviceTopics.propertyPost,
  eventPost: deviceTopics.eventPost,
  service: deviceTopics.service,
  serviceReply: deviceTopics.serviceReply,
  status: (pk: string, dn: string) => `/edge/${pk}/${dn}/status`,
  driverState: (name: string) => `/edge/driver/${name}/state`,
  /** Link IoT Edge local device list (seed 001 L19874-19976). */
  deviceListReply: (srcApp: string) => `linkedge/response/${srcApp}/getDeviceList`,
  gatewayDeviceListReply: (srcApp: string, pk: string, dn: string) => `linkedge/response/${srcApp}/${pk}/${dn}/getDeviceList`,
} as const;

/** What local applications publish: service calls (including property set/get) and device-list requests. */
export const REQUEST_FILTERS = ['/sys/+/+/thing/service/#', '+/request/linkedge/#'] as const;

export type ParsedRequest =
  | { kind: 'service'; pk: string; dn: string; serviceId: string }
  | { kind: 'deviceList'; srcApp: string; gateway?: { pk: string; dn: string } };

/** Classify an inbound topic; undefined for anything the box does not serve. */
export function parseRequestTopic(topic: string): ParsedRequest | undefined {
  const parts = topic.split('/');
  // /sys/{pk}/{dn}/thing/service/{id} or /sys/{pk}/{dn}/thing/service/property/set|get
  if (parts[0] === '' && parts[1] === 'sys' && parts[4] === 'thing' && parts[5] === 'service') {
    const pk = parts[2];
    const dn = parts[3];
    if (!pk || !dn) return undefined;
    const rest = parts.slice(6).join('/');
    if (rest === '' || rest.endsWith('_reply')) return undefined;
    const serviceId = rest === 'property/set' ? 'set' : rest === 'property/get' ? 'get' : rest;
    if (serviceId.includes('/')) return undefined;
    return { kind: 'service', pk, dn, serviceId };
  }
  // {srcApp}/request/linkedge/getDeviceList or {srcApp}/request/linkedge/{pk}/{dn}/getDeviceList
  if (parts[1] === 'request' && parts[2] === 'linkedge' && parts[0]) {
    if (parts.length === 4 && parts[3] === 'getDeviceList') return { kind: 'deviceList', srcApp: parts[0] };
    if (parts.length === 6 && parts[5] === 'getDeviceList' && parts[3] && parts[4]) {
      return { kind: 'deviceList', srcApp: parts[0], gateway: { pk: parts[3], dn: parts[4] } };
    }
  }
  return undefined;
}

/** Topics only the box itself may publish: device reports, status and replies. */
export function isBoxOnlyTopic(topic: string): boolean {
  return (
    /^\/sys\/[^/]+\/[^/]+\/thing\/event\//.test(topic) ||
    topic.startsWith('/edge/') ||
    topic.endsWith('_reply') ||
    topic.startsWith('linkedge/response/')
  );
}
