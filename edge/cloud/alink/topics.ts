/**
 * Alink topic strings for a gateway and its sub-devices. Sources: doc 89301 (properties,
 * events, services), 89299 (topology), 89300 (sub-device sessions), 89303 (disable/enable/
 * delete), 90568 (RRPC), 89308 (config), 102509 (NTP); docs/cloud.md lists them.
 */
import { deviceTopics } from '../../thing/topics.js';

const sys = (pk: string, dn: string) => `/sys/${pk}/${dn}`;

export const alinkTopics = {
  propertyPost: deviceTopics.propertyPost,
  eventPost: deviceTopics.eventPost,
  historyPost: (pk: string, dn: string) => `${sys(pk, dn)}/thing/event/property/history/post`,
  packPost: (pk: string, dn: string) => `${sys(pk, dn)}/thing/event/property/pack/post`,
  topoAdd: (pk: string, dn: string) => `${sys(pk, dn)}/thing/topo/add`,
  subRegister: (pk: string, dn: string) => `${sys(pk, dn)}/thing/sub/register`,
  topoDelete: (pk: string, dn: string) => `${sys(pk, dn)}/thing/topo/delete`,
  topoGet: (pk: string, dn: string) => `${sys(pk, dn)}/thing/topo/get`,
  topoChange: (pk: string, dn: string) => `${sys(pk, dn)}/thing/topo/change`,
  configPush: (pk: string, dn: string) => `${sys(pk, dn)}/thing/config/push`,
  login: (pk: string, dn: string) => `/ext/session/${pk}/${dn}/combine/login`,
  batchLogin: (pk: string, dn: string) => `/ext/session/${pk}/${dn}/combine/batch_login`,
  logout: (pk: string, dn: string) => `/ext/session/${pk}/${dn}/combine/logout`,
  batchLogout: (pk: string, dn: string) => `/ext/session/${pk}/${dn}/combine/batch_logout`,
  ntpRequest: (pk: string, dn: string) => `/ext/ntp/${pk}/${dn}/request`,
  ntpResponse: (pk: string, dn: string) => `/ext/ntp/${pk}/${dn}/response`,
  rrpcResponse: (pk: string, dn: string, messageId: string) => `${sys(pk, dn)}/rrpc/response/${messageId}`,
  reply: deviceTopics.reply,
} as const;

/** What the gateway subscribes for itself: replies to its own requests and the platform's notifications. */
export function gatewayFilters(pk: string, dn: string): string[] {
  return [
    `/sys/${pk}/${dn}/thing/topo/add_reply`,
    `/sys/${pk}/${dn}/thing/sub/register_reply`,
    `/sys/${pk}/${dn}/thing/topo/delete_reply`,
    `/sys/${pk}/${dn}/thing/topo/get_reply`,
    `/sys/${pk}/${dn}/thing/event/property/pack/post_reply`,
    alinkTopics.topoChange(pk, dn),
    alinkTopics.configPush(pk, dn),
    `/ext/session/${pk}/${dn}/combine/login_reply`,
    `/ext/session/${pk}/${dn}/combine/batch_login_reply`,
    `/ext/session/${pk}/${dn}/combine/logout_reply`,
    `/ext/session/${pk}/${dn}/combine/batch_logout_reply`,
    alinkTopics.ntpResponse(pk, dn),
    ...deviceFilters(pk, dn),
  ];
}

/**
 * What is subscribed per device (gateway and every logged-in sub-device). Exact filters, never
 * `/sys/+/+/#`: the platform's ACL allows a gateway only its own and its sub-devices' topics,
 * and a `#` would echo the box's own posts back to it.
 */
export function deviceFilters(pk: string, dn: string): string[] {
  return [
    `${sys(pk, dn)}/thing/service/#`,
    `${sys(pk, dn)}/rrpc/request/+`,
    `${sys(pk, dn)}/thing/event/+/post_reply`,
    `${sys(pk, dn)}/thing/event/property/history/post_reply`,
    `${sys(pk, dn)}/thing/disable`,
    `${sys(pk, dn)}/thing/enable`,
    `${sys(pk, dn)}/thing/delete`,
  ];
}

export type DownTopic =
  | { kind: 'service'; pk: string; dn: string; serviceId: string }
  | { kind: 'rrpc'; pk: string; dn: string; messageId: string }
  | { kind: 'reply'; pk: string; dn: string; request: string }
  | { kind: 'topoChange'; pk: string; dn: string }
  | { kind: 'configPush'; pk: string; dn: string }
  | { kind: 'lifecycle'; pk: string; dn: string; action: 'disable' | 'enable' | 'delete' }
  | { kind: 'sessionReply'; pk: string; dn: string; action: string }
  | { kind: 'ntp'; pk: string; dn: string };

/** Classify a topic the box received; undefined for anything it does not serve. */
export function parseDownTopic(topic: string): DownTopic | undefined {
  const p = topic.split('/');
  if (p[0] !== '' || !p[2] || !p[3]) return undefined;
  const pk = p[2];
  const dn = p[3];
  const rest = p.slice(4).join('/');
  if (p[1] === 'ext') {
    if (pk === 'ntp' || pk === 'session') return extTopic(p);
    return undefined;
  }
  if (p[1] !== 'sys') return undefined;
  if (rest.startsWith('rrpc/request/') && p.length === 7 && p[6]) return { kind: 'rrpc', pk, dn, messageId: p[6] };
  if (rest === 'thing/topo/change') return { kind: 'topoChange', pk, dn };
  if (rest === 'thing/config/push') return { kind: 'configPush', pk, dn };
  if (rest === 'thing/disable' || rest === 'thing/enable' || rest === 'thing/delete')
    return { kind: 'lifecycle', pk, dn, action: rest.slice(6) as 'disable' | 'enable' | 'delete' };
  if (rest.endsWith('_reply')) return { kind: 'reply', pk, dn, request: rest.slice(0, -'_reply'.length) };
  if (rest.startsWith('thing/service/')) {
    const id = rest.slice('thing/service/'.length);
    const serviceId = id === 'property/set' ? 'set' : id === 'property/get' ? 'get' : id;
    if (serviceId === '' || serviceId.includes('/')) return undefined;
    return { kind: 'service', pk, dn, serviceId };
  }
  return undefined;
}

function extTopic(p: string[]): DownTopic | undefined {
  // /ext/ntp/{pk}/{dn}/response and /ext/session/{pk}/{dn}/combine/{action}_reply
  const [, , area, pk, dn, a, b] = p;
  if (!pk || !dn) return undefined;
  if (area === 'ntp' && a === 'response' && p.length === 6) return { kind: 'ntp', pk, dn };
  if (area === 'session' && a === 'combine' && b?.endsWith('_reply') && p.length === 7)
    return { kind: 'sessionReply', pk, dn, action: b.slice(0, -'_reply'.length) };
  return undefined;
}
