/** Alink JSON bodies the box sends (doc 89301 and the history-post page). Pure. */
import type { TimedValue } from '../../events.js';
import { alinkTopics } from './topics.js';

export const ALINK_VERSION = '1.0';

export interface AlinkRequest {
  id: string;
  version: string;
  params: unknown;
  method: string;
  sys?: { ack: 0 | 1 };
}

export interface AlinkReply {
  id: string;
  code: number;
  message?: string;
  data?: unknown;
  version?: string;
}

export function propertyPost(id: string, params: Record<string, TimedValue>): string {
  return JSON.stringify({ id, version: ALINK_VERSION, params, method: 'thing.event.property.post' });
}

export function eventPost(id: string, eventId: string, value: Record<string, unknown>, time: number): string {
  return JSON.stringify({ id, version: ALINK_VERSION, params: { value, time }, method: `thing.event.${eventId}.post` });
}

/**
 * Offline data goes up through the history topic with its original timestamps
 * [seed 000 L4345-4351, L4847: non-realtime results are reported through the thing-model history topic].
 * One identity per message, posted on the sub-device's own topic so ids stay per device.
 */
export function historyPost(
  id: string,
  productKey: string,
  deviceName: string,
  part: { properties?: Record<string, TimedValue>; events?: Record<string, { value: unknown; time: number }> },
): string {
  return JSON.stringify({
    id,
    version: ALINK_VERSION,
    params: [
      {
        identity: { productKey, deviceName },
        properties: part.properties ? [part.properties] : [],
        events: part.events ? [part.events] : [],
      },
    ],
    method: 'thing.event.property.history.post',
  });
}

/** Several sub-devices' properties in one message (a pack's history form, gateway topic). */
export function historyPostMany(id: string, devices: readonly PackEntry[]): string {
  return JSON.stringify({
    id,
    version: ALINK_VERSION,
    params: devices.map((d) => ({
      identity: { productKey: d.productKey, deviceName: d.deviceName },
      properties: [d.properties],
      events: [],
    })),
    method: 'thing.event.property.history.post',
  });
}

export interface PackEntry {
  productKey: string;
  deviceName: string;
  properties: Record<string, TimedValue>;
}

/** Doc 89301 "网关批量上报数据": at most 20 sub-devices, 200 properties (and 20 events) per message. */
export const PACK_MAX_DEVICES = 20;
export const PACK_MAX_PROPERTIES = 200;

/**
 * Gateway pack post (doc 89301 "网关批量上报数据", topic `/sys/{gw}/thing/event/property/pack/post`):
 * `params: {properties, events, subDevices: [{identity: {productKey, deviceName}, properties, events}]}`.
 * The platform checks every sub-device (topology, TSL) and fails the whole message if one fails.
 */
export function packPost(id: string, devices: readonly PackEntry[]): string {
  return JSON.stringify({
    id,
    version: ALINK_VERSION,
    params: {
      properties: {},
      events: {},
      subDevices: devices.map((d) => ({
        identity: { productKey: d.productKey, deviceName: d.deviceName },
        properties: d.properties,
        events: {},
      })),
    },
    method: 'thing.event.property.pack.post',
  });
}

/**
 * A realtime post that waited too long in the outbox (a crash, a long outage) is no longer
 * realtime: rewrite it for the history topic, same id, same sample times.
 */
export function realtimeToHistory(
  productKey: string,
  deviceName: string,
  topic: string,
  payload: string,
): { topic: string; payload: string } | undefined {
  const pack = topic.endsWith('/thing/event/property/pack/post');
  const m = /\/thing\/event\/([^/]+)\/post$/.exec(topic);
  if ((!m && !pack) || topic.endsWith('/history/post')) return undefined;
  let body: AlinkRequest;
  try {
    body = JSON.parse(payload) as AlinkRequest;
  } catch {
    return undefined;
  }
  const historyTopic = alinkTopics.historyPost(productKey, deviceName);
  if (pack) {
    const subs = (
      body.params as { subDevices: Array<{ identity: { productKey: string; deviceName: string }; properties: Record<string, TimedValue> }> }
    ).subDevices;
    return {
      topic: historyTopic,
      payload: historyPostMany(
        body.id,
        subs.map((s) => ({ ...s.identity, properties: s.properties })),
      ),
    };
  }
  if (!m) return undefined;
  if (m[1] === 'property')
    return {
      topic: historyTopic,
      payload: historyPost(body.id, productKey, deviceName, { properties: body.params as Record<string, TimedValue> }),
    };
  const params = body.params as { value: unknown; time: number };
  return {
    topic: historyTopic,
    payload: historyPost(body.id, productKey, deviceName, { events: { [m[1]!]: { value: params.value, time: params.time } } }),
  };
}

export function request(id: string, method: string, params: unknown): string {
  return JSON.stringify({ id, version: ALINK_VERSION, params, method });
}

export function reply(id: string, code: number, message: string, data: unknown = {}): string {
  return JSON.stringify({ id, code, message, data, version: ALINK_VERSION });
}

/** Parse a downlink body: a JSON object, else a reason. */
export function parseBody(payload: Buffer, maxBytes: number): { ok: true; body: Record<string, unknown> } | { ok: false; reason: string } {
  if (payload.length > maxBytes) return { ok: false, reason: `payload of ${payload.length} bytes exceeds ${maxBytes}` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch {
    return { ok: false, reason: 'payload is not valid JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, reason: 'payload must be a JSON object' };
  return { ok: true, body: parsed as Record<string, unknown> };
}

/** The Alink id of a body, or '' (ids are numeric strings; numbers are accepted and stringified). */
export function idOf(body: Record<string, unknown>): string {
  const id = body.id;
  if (typeof id === 'string' && /^\d{1,10}$/.test(id)) return id;
  if (typeof id === 'number' && Number.isInteger(id) && id >= 0 && id <= 4_294_967_295) return String(id);
  return '';
}
