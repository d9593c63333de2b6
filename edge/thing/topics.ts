/**
 * The Alink topics of one device's thing model (Alibaba doc 89301). The cloud link and the local
 * bus both use them — the bus mirrors the cloud's shapes so a local app and the cloud see the
 * same messages — so they are built in this one place.
 */
const sys = (pk: string, dn: string): string => `/sys/${pk}/${dn}`;

export const deviceTopics = {
  propertyPost: (pk: string, dn: string) => `${sys(pk, dn)}/thing/event/property/post`,
  eventPost: (pk: string, dn: string, eventId: string) => `${sys(pk, dn)}/thing/event/${eventId}/post`,
  service: (pk: string, dn: string, serviceId: string) => `${sys(pk, dn)}/thing/service/${serviceId}`,
  serviceReply: (pk: string, dn: string, serviceId: string) => `${sys(pk, dn)}/thing/service/${serviceId}_reply`,
  /** The reply topic of a request topic (property/set → property/set_reply). */
  reply: (requestTopic: string) => `${requestTopic}_reply`,
} as const;
